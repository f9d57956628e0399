#!/usr/bin/env bash
# Backups through the real binary: written, read back, checkable with sha256sum -c and
# sqlite3; verified without shares and, with a quorum, proven to open (the yearly
# restoration test) without touching the live home; one altered byte in any file is
# reported, naming it; nothing overwritten; a failed backup leaves nothing; recorded in
# the audit log.
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
B=$WORK/backup
mkdir "$S"
q=(--share-file "$S/alice.share" --share-file "$S/bob.share")
"$CUSTOS" init --home "$H" --subject "/C=US/O=Example/CN=Example Root CA" --key ec-p256 \
	--threshold 2 --custodian alice --custodian bob --custodian carol --shares-out "$S" >/dev/null
"$CUSTOS" key activate --home "$H" "${q[@]}" >/dev/null 2>&1
openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/sub.key" 2>/dev/null
openssl req -new -key "$WORK/sub.key" -subj "/C=US/O=Example/CN=Issuing CA 1" -out "$WORK/sub.csr"
"$CUSTOS" sign --home "$H" --csr "$WORK/sub.csr" --out "$WORK/sub.pem" "${q[@]}" "${signing[@]}" >/dev/null 2>&1
"$CUSTOS" crl --home "$H" --out "$WORK/crl.pem" "${q[@]}" "${signing[@]}" >/dev/null 2>&1

expect_rc 0 "backup" -- "$CUSTOS" backup --home "$H" --to "$B"
expect_in "$WORK/out" 'backup written, read back and verified' "backup summary"
expect_in "$WORK/out" 'inventory: +1 certificates, 0 revocations, 1 CRLs' "backup counts"
for f in vault ca.db root.pem profiles.json profiles.json.sig MANIFEST SHA256SUMS; do
	[ -f "$B/$f" ] && pass || fail "$f missing from the backup"
done
cmp -s "$B/vault" "$H/vault" && pass || fail "vault copied byte for byte"
cmp -s "$B/root.pem" "$H/root.pem" && pass || fail "root.pem copied"
( cd "$B" && sha256sum -c --quiet SHA256SUMS ) && pass || fail "sha256sum -c in the backup"
[ "$(sqlite3 "$B/ca.db" 'PRAGMA integrity_check')" = ok ] && pass || fail "backup ca.db integrity"
[ "$(sqlite3 "$B/ca.db" 'SELECT count(*) FROM certificates')" = 1 ] && pass || fail "backup ca.db holds the certificate"
h=$(sha256sum "$B/vault" | cut -d' ' -f1)
sqlite3 "$H/ca.db" "SELECT details FROM audit WHERE operation = 'backup' AND result = 'ok' AND object = '$B'" | grep -q "vault sha256 $h" && pass || fail "backup recorded with the vault's hash"

# Verification reads only: the live home and the backup are the same afterwards.
home_sum() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum); }
before_h=$(home_sum "$H") before_b=$(home_sum "$B")
expect_rc 0 "backup verify" -- "$CUSTOS" backup verify "$B"
expect_in "$WORK/out" 'backup intact' "verify summary"
expect_rc 0 "backup verify with a quorum" -- "$CUSTOS" backup verify "$B" "${q[@]}"
expect_in "$WORK/out" 'the quorum opens the backup' "restoration test"
expect_rc 0 "backup verify --json with a quorum" -- "$CUSTOS" backup verify "$B" --json --share-file "$S/carol.share" --share-file "$S/alice.share"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["opened_with_quorum"] and d["certificates"]==1 and len(d["files"])==5' "$WORK/out" && pass || fail "verify json"
expect_rc 1 "one share is not a quorum" -- "$CUSTOS" backup verify "$B" --share-file "$S/alice.share"
expect_in "$WORK/err" 'more share' "short quorum named"
[ "$(home_sum "$H")" = "$before_h" ] && pass || fail "verification changed the live home"
[ "$(home_sum "$B")" = "$before_b" ] && pass || fail "verification changed the backup"
[ -z "$(ls -A "$B" | grep -v -E '^(vault|ca.db|root.pem|profiles.json|profiles.json.sig|MANIFEST|SHA256SUMS)$')" ] && pass || fail "verification left files: $(ls -A "$B")"

# The vault is sealed, so the backup can be copied to several sticks: a copy verifies alike.
cp -a "$B" "$WORK/stick2"
expect_rc 0 "a copy verifies" -- "$CUSTOS" backup verify "$WORK/stick2" "${q[@]}"

# One altered byte, in each file, at a few places: reported, naming the file.
for f in vault ca.db root.pem profiles.json profiles.json.sig MANIFEST SHA256SUMS; do
	size=$(stat -c %s "$B/$f")
	for at in 0 $((size / 2)) $((size - 2)); do
		rm -rf "$WORK/t"; cp -a "$B" "$WORK/t"
		python3 -c 'import sys; p,o=sys.argv[1],int(sys.argv[2]); b=bytearray(open(p,"rb").read()); b[o]^=0x04; open(p,"wb").write(b)' "$WORK/t/$f" "$at"
		if "$CUSTOS" backup verify "$WORK/t" >"$WORK/out" 2>"$WORK/err"; then
			fail "a flipped byte at $at of $f was not reported"
		elif grep -qE "$f|MANIFEST|SHA256SUMS" "$WORK/err"; then pass
		else fail "flipped byte at $at of $f: message does not name it: $(cat "$WORK/err")"; fi
	done
done
rm -rf "$WORK/t"; cp -a "$B" "$WORK/t"; rm "$WORK/t/ca.db"
expect_rc 1 "a missing file" -- "$CUSTOS" backup verify "$WORK/t"
expect_in "$WORK/err" 'ca.db does not exist' "missing file named"

# Nothing is overwritten; the target must be a directory; a failure leaves nothing.
expect_rc 1 "backup into a backup" -- "$CUSTOS" backup --home "$H" --to "$B"
expect_in "$WORK/err" 'already exists' "existing backup named"
[ "$(home_sum "$B")" = "$before_b" ] && pass || fail "a refused backup changed the old one"
expect_rc 1 "backup to a file" -- "$CUSTOS" backup --home "$H" --to "$WORK/sub.pem"
expect_rc 1 "backup of no CA" -- "$CUSTOS" backup --home "$WORK/none" --to "$WORK/b2"
[ ! -e "$WORK/b2" ] && pass || fail "a refused backup created its directory"
expect_rc 1 "verify of an empty directory" -- "$CUSTOS" backup verify "$WORK/shares"
expect_rc 2 "backup needs --to" -- "$CUSTOS" backup --home "$H"
M=$WORK/mnt
mkdir "$M"
if mount -t tmpfs -o size=32k tmpfs "$M" 2>/dev/null; then
	trap 'umount "$M" 2>/dev/null; rm -rf "$WORK"' EXIT
	expect_rc 1 "backup onto a stick too small" -- "$CUSTOS" backup --home "$H" --to "$M/b"
	expect_in "$WORK/err" 'partial backup was removed' "partial backup removed"
	[ -z "$(ls -A "$M")" ] && pass || fail "a failed backup left: $(ls -A "$M")"
	umount "$M"
	trap 'rm -rf "$WORK"' EXIT
else
	echo "SKIP (part): cannot mount a tmpfs here (needs root)"
fi
n=$(sqlite3 "$H/ca.db" "SELECT count(*) FROM audit WHERE operation = 'backup' AND result = 'failed'")
[ "$n" -ge 1 ] && pass || fail "failed backups are recorded ($n)"

finish
