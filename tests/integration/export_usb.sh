#!/usr/bin/env bash
# USB export and CSR import through the real binary: root, certificate, chain and CRL in
# PEM, DER and PKCS#7, checked by openssl, certtool and sha256sum -c; the reported hashes
# and words; nothing overwritten; every export in the audit log; bad targets refused
# (missing, not a directory, read-only, full) with nothing left behind; CSR intake with
# its SHA-256; the removable-mount listing.
. "$(dirname "$0")/lib.bash"

# Signing verbs need a named operator and, where the tree has them, the time confirmation
# and --allow-network (the test machine is not air-gapped).
export CUSTOS_OPERATOR=Olivia
signing=()
if "$CUSTOS" sign --help 2>&1 | grep -q -- --confirm-time; then
	signing=(--confirm-time "$(date -u +%Y-%m-%dT%H:%MZ)" --allow-network)
fi

H=$WORK/ca
S=$WORK/shares
U=$WORK/usb
mkdir "$S" "$U"
q=(--share-file "$S/alice.share" --share-file "$S/bob.share")
"$CUSTOS" init --home "$H" --subject "/C=US/O=Example/CN=Example Root CA" --key ec-p384 \
	--threshold 2 --custodian alice --custodian bob --custodian carol --shares-out "$S" >/dev/null
"$CUSTOS" key activate --home "$H" "${q[@]}" >/dev/null 2>&1
openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/sub.key" 2>/dev/null
openssl req -new -key "$WORK/sub.key" -subj "/C=US/O=Example/CN=Issuing CA 1" -out "$WORK/sub.csr"
"$CUSTOS" sign --home "$H" --csr "$WORK/sub.csr" --out "$WORK/sub.pem" "${q[@]}" "${signing[@]}" >"$WORK/out" 2>/dev/null
serial=$(awk '/^serial:/ {print $2}' "$WORK/out")
"$CUSTOS" crl --home "$H" --out "$WORK/crl.pem" "${q[@]}" "${signing[@]}" >/dev/null 2>&1

# Everything, default formats, in one go.
expect_rc 0 "export root, cert, chain, crl" -- "$CUSTOS" export --home "$H" --to "$U" root cert "$serial" chain "$serial" crl
for f in root.pem root.der "cert-$serial.pem" "cert-$serial.der" "chain-$serial.pem" "chain-$serial.p7b" crl-1.pem crl-1.der; do
	[ -f "$U/$f" ] && pass || fail "$f not written"
done
[ ! -e "$U/chain-$serial.der" ] && pass || fail "a chain has no DER form"
( cd "$U" && sha256sum -c --quiet SHA256SUMS ) && pass || fail "sha256sum -c SHA256SUMS"
[ "$(wc -l <"$U/SHA256SUMS")" -eq 8 ] && pass || fail "SHA256SUMS should list 8 files"
# The hash reported for each file is the file's, and the words are 32 Bytewords in groups of 4.
for f in root.pem "cert-$serial.der" crl-1.der; do
	h=$(sha256sum "$U/$f" | cut -d' ' -f1)
	grep -A1 "^$f " "$WORK/out" | grep -q "SHA-256: $h" && pass || fail "reported SHA-256 of $f"
done
words=$(grep -m1 'words:' "$WORK/out" | sed 's/^ *words: *//')
[ "$(echo "$words" | tr -d '/' | wc -w)" -eq 32 ] && [ "$(echo "$words" | grep -o '/' | wc -l)" -eq 7 ] && pass || fail "words: $words"
# Independent checks of what was written.
openssl verify -x509_strict -CAfile "$U/root.pem" "$U/cert-$serial.pem" >/dev/null 2>&1 && pass || fail "openssl verify cert"
certtool --verify-chain --infile "$U/chain-$serial.pem" >/dev/null 2>&1 && pass || fail "certtool chain"
[ "$(openssl pkcs7 -inform DER -in "$U/chain-$serial.p7b" -print_certs | grep -c '^subject=')" -eq 2 ] && pass || fail "p7b holds 2 certificates"
openssl x509 -in "$U/root.pem" -outform DER | cmp -s - "$U/root.der" && pass || fail "root.der is root.pem's DER"
cmp -s "$U/root.pem" "$H/root.pem" && pass || fail "root.pem is the home's"
openssl crl -inform DER -in "$U/crl-1.der" -CAfile "$U/root.pem" -noout 2>&1 | grep -q 'verify OK' && pass || fail "CRL verifies"
expect_rc 0 "p7b of the root" -- "$CUSTOS" export --home "$H" --to "$U" --format p7b root
openssl pkcs7 -inform DER -in "$U/root.p7b" -print_certs -noout >/dev/null 2>&1 && pass || fail "root.p7b"
[ "$(wc -l <"$U/SHA256SUMS")" -eq 9 ] && pass || fail "a second export extends SHA256SUMS"
( cd "$U" && sha256sum -c --quiet SHA256SUMS ) && pass || fail "sha256sum -c after a second export"

# Every export is in the audit log: the files as artifacts, the export with its directory.
n=$(sqlite3 "$H/ca.db" "SELECT count(*) FROM audit WHERE operation = 'export' AND result = 'ok' AND object = '$U'")
[ "$n" -eq 2 ] && pass || fail "expected 2 export records, got $n"
h=$(sha256sum "$U/root.der" | cut -d' ' -f1)
sqlite3 "$H/ca.db" "SELECT details FROM audit WHERE operation = 'artifact' AND object = 'root.der'" | grep -q "$h" && pass || fail "root.der artifact record"

# Transcripts (where the ceremonies write them): exported with their signature, after
# checking it; a bare name is looked up in HOME/transcripts; an edited copy is refused.
t=$(ls "$H"/transcripts/*.txt 2>/dev/null | head -n 1 || true)
if [ -n "$t" ]; then
	tn=$(basename "$t")
	expect_rc 0 "export a transcript by name" -- "$CUSTOS" export --home "$H" --to "$U" transcript "$tn"
	cmp -s "$U/$tn" "$t" && cmp -s "$U/$tn.sig" "$t.sig" && pass || fail "transcript and signature copied"
	mkdir "$WORK/edited"
	sed 's/^/ /' "$t" >"$WORK/edited/$tn"
	cp "$t.sig" "$WORK/edited/$tn.sig"
	expect_rc 1 "an edited transcript" -- "$CUSTOS" export --home "$H" --to "$WORK" transcript "$WORK/edited/$tn"
	cp "$t" "$WORK/edited/nosig.txt"
	expect_rc 1 "a transcript without its signature" -- "$CUSTOS" export --home "$H" --to "$WORK" transcript "$WORK/edited/nosig.txt"
	expect_in "$WORK/err" 'nosig.txt.sig does not exist' "missing signature named"
	expect_rc 0 "a transcript as UR" -- "$CUSTOS" export --home "$H" --to "$WORK/edited" --format ur transcript "$tn"
	"$CUSTOS" import-qr "$WORK/edited/$tn.ur" --out "$WORK/t.txt" >/dev/null 2>&1 && cmp -s "$WORK/t.txt" "$t" && pass || fail "transcript through UR"
	"$CUSTOS" import-qr "$WORK/edited/$tn.sig.ur" --out "$WORK/t.sig" >/dev/null 2>&1 && cmp -s "$WORK/t.sig" "$t.sig" && pass || fail "transcript signature through UR"
else
	echo "SKIP (part): this tree writes no transcripts yet"
fi

# Nothing is overwritten, a manifest line cannot be reused, bad requests change nothing.
sum_before=$(sha256sum "$U"/* | sha256sum)
expect_rc 1 "export over an existing file" -- "$CUSTOS" export --home "$H" --to "$U" root
expect_in "$WORK/err" 'already exists' "existing file named"
rm "$U/root.der"
expect_rc 1 "a name the manifest lists" -- "$CUSTOS" export --home "$H" --to "$U" --format der root
expect_in "$WORK/err" 'lists root.der from an earlier export' "manifest name reuse refused"
expect_rc 1 "DER of a chain" -- "$CUSTOS" export --home "$H" --to "$WORK" --format der chain "$serial"
expect_in "$WORK/err" 'no single DER form' "chain DER refused"
expect_rc 1 "PKCS#7 of a CRL" -- "$CUSTOS" export --home "$H" --to "$WORK" --format p7b crl
expect_rc 1 "unknown serial" -- "$CUSTOS" export --home "$H" --to "$WORK" cert 0123456789abcdef0123456789abcdef
expect_rc 2 "unknown format" -- "$CUSTOS" export --home "$H" --to "$WORK" --format gif root
expect_rc 1 "unknown artifact" -- "$CUSTOS" export --home "$H" --to "$WORK" key
expect_rc 1 "missing target" -- "$CUSTOS" export --home "$H" --to "$WORK/nope" root
expect_in "$WORK/err" 'does not exist' "missing target named"
expect_rc 1 "target is a file" -- "$CUSTOS" export --home "$H" --to "$WORK/sub.csr" root
expect_in "$WORK/err" 'not a directory' "file target named"
mkdir "$WORK/bad"
echo "not a manifest" >"$WORK/bad/SHA256SUMS"
expect_rc 1 "a foreign SHA256SUMS" -- "$CUSTOS" export --home "$H" --to "$WORK/bad" root
expect_in "$WORK/err" 'not a sha256sum line' "foreign manifest refused"
[ "$(ls "$WORK/bad")" = SHA256SUMS ] && pass || fail "refused export left files"
n=$(sqlite3 "$H/ca.db" "SELECT count(*) FROM audit WHERE operation = 'export' AND result = 'failed'")
[ "$n" -ge 2 ] && pass || fail "failed exports are recorded too ($n)"

# A tampered inventory row is not exported: flip a byte of the certificate's DER.
cp "$H/ca.db" "$WORK/ca.db.orig"
python3 - "$H/ca.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
(der,) = db.execute("SELECT der FROM certificates").fetchone()
der = bytearray(der); der[-5] ^= 1
db.execute("UPDATE certificates SET der = ?", (bytes(der),)); db.commit()
EOF
expect_rc 1 "a tampered certificate row" -- "$CUSTOS" export --home "$H" --to "$WORK" cert "$serial"
expect_in "$WORK/err" 'not one this root signed' "tampered row refused"
cp "$WORK/ca.db.orig" "$H/ca.db"

# Small file systems: read-only, full before writing, full while writing.
M=$WORK/mnt
mkdir "$M"
if ! mount -t tmpfs -o size=64k tmpfs "$M" 2>/dev/null; then
	echo "SKIP (part): cannot mount a tmpfs here (needs root); the full-stick cases were not run"
else
	trap 'umount "$M" 2>/dev/null; rm -rf "$WORK"' EXIT
	mount -o remount,ro "$M"
	expect_rc 1 "read-only stick" -- "$CUSTOS" export --home "$H" --to "$M" root
	expect_in "$WORK/err" 'not writable' "read-only named"
	mount -o remount,rw "$M"
	# A CRL of 3,000 entries (PEM over 190 KB) does not fit at all: refused before writing.
	python3 - "$H/ca.db" <<'EOF'
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for i in range(3000):
    b = bytearray(os.urandom(16)); b[0] = (b[0] & 0x3f) | 0x40
    db.execute("INSERT INTO revocations(serial, revoked_at, reason) VALUES (?, ?, 1)", (bytes(4) + bytes(b), 1700000000))
db.commit()
EOF
	"$CUSTOS" crl --home "$H" --out "$WORK/crl2.pem" "${q[@]}" "${signing[@]}" >/dev/null 2>&1
	expect_rc 1 "a CRL larger than the stick" -- "$CUSTOS" export --home "$H" --to "$M" crl
	expect_in "$WORK/err" 'bytes free; the export needs' "no space reported"
	[ -z "$(ls -A "$M")" ] && pass || fail "a refused export left files: $(ls -A "$M")"
	# Fill the stick so the byte count fits but the blocks do not: the write itself fails.
	free_kb=$(df -k --output=avail "$M" | tail -1)
	dd if=/dev/zero of="$M/filler" bs=1k count=$((free_kb - 8)) 2>/dev/null
	expect_rc 1 "the stick fills up while writing" -- "$CUSTOS" export --home "$H" --to "$M" --format pem,der,p7b root cert "$serial"
	expect_in "$WORK/err" 'No space left|no space' "full stick reported"
	expect_in "$WORK/err" 'nothing of this export was left' "partial export removed"
	[ "$(ls -A "$M")" = filler ] && pass || fail "a failed export left files: $(ls -A "$M")"
	rm "$M/filler"
	expect_rc 0 "export to the emptied stick" -- "$CUSTOS" export --home "$H" --to "$M" root
	( cd "$M" && sha256sum -c --quiet SHA256SUMS ) && pass || fail "stick manifest"
	umount "$M"
	trap 'rm -rf "$WORK"' EXIT
fi

# CSR intake from a stick: SHA-256 of the file shown, --expect-sha256 compared, --out copies.
I=$WORK/incoming
mkdir "$I"
cp "$WORK/sub.csr" "$I/issuing.csr"
echo "hello" >"$I/readme.txt"
ln -s "$WORK/sub.csr" "$I/link.csr"
h=$(sha256sum "$I/issuing.csr" | cut -d' ' -f1)
expect_rc 0 "import a CSR" -- "$CUSTOS" import "$I/issuing.csr"
expect_in "$WORK/out" "^SHA-256: $h\$" "the file's SHA-256"
expect_in "$WORK/out" 'subject: +/C=US/O=Example/CN=Issuing CA 1' "the subject"
expect_in "$WORK/out" 'verdict: +acceptable' "verdict"
expect_rc 0 "import with the expected hash" -- "$CUSTOS" import "$I/issuing.csr" --expect-sha256 "$h" --out "$WORK/copy.csr"
cmp -s "$WORK/copy.csr" "$I/issuing.csr" && pass || fail "--out copy"
expect_rc 1 "import with another hash" -- "$CUSTOS" import "$I/issuing.csr" --expect-sha256 "$(echo x | sha256sum | cut -d' ' -f1)"
expect_in "$WORK/err" 'not the one the requester sent' "hash mismatch named"
expect_rc 1 "a file that is not a CSR" -- "$CUSTOS" import "$I/readme.txt"
expect_in "$WORK/out" 'verdict: +invalid certificate signing request' "not-a-CSR verdict"
expect_rc 1 "a symlink is not followed" -- "$CUSTOS" import "$I/link.csr"
expect_rc 0 "list the candidates" -- "$CUSTOS" import --from "$I" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); f={x["file"].rsplit("/",1)[1]: x for x in d["files"]}; assert set(f)=={"issuing.csr","readme.txt"}, f; assert f["issuing.csr"]["acceptable"] and not f["readme.txt"]["acceptable"]; assert f["issuing.csr"]["sha256"]==sys.argv[2]' "$WORK/out" "$h" && pass || fail "import --from --json"

# The removable mounts: whatever this machine has, the listing works.
expect_rc 0 "mounts" -- "$CUSTOS" mounts
expect_rc 0 "mounts --json" -- "$CUSTOS" mounts --json
python3 -c 'import json,sys; assert isinstance(json.load(open(sys.argv[1])), list)' "$WORK/out" && pass || fail "mounts json"

finish
