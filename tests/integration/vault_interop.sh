#!/usr/bin/env bash
# docs/vault-format.md is enough to open a vault: tests/interop/open_vault.py, written
# from that document and the SLIP-0039 specification alone (its own SLIP-0039, libsodium
# through ctypes, openssl), opens vaults custos makes with a quorum of shares and gets
# root.pem's key; it refuses a non-quorum, a wrong passphrase, a retired share set and a
# vault with one byte changed.  The document's shell recipe for the signature is run as
# printed.  Needs python3 (standard library), libsodium.so.23 and openssl; no network.
. "$(dirname "$0")/lib.bash"

TESTS_DIR=$(cd "$(dirname "$0")/.." && pwd)
OV=$TESTS_DIR/interop/open_vault.py
DOC=$TESTS_DIR/../docs/vault-format.md
ov() { python3 "$OV" "$@"; }

# The public key of root.pem and of a PKCS#8 DER file, as DER, for comparison.
root_pub() { openssl x509 -in "$1/root.pem" -pubkey -noout | openssl pkey -pubin -outform DER; }
key_pub() { openssl pkey -inform DER -in "$1" -pubout -outform DER; }

# flip HOME-VAULT OFFSET OUT: a copy of the vault with byte OFFSET changed.
flip() {
	cp "$1" "$3"
	printf "$(printf '\\%03o' $(( ($(od -An -tu1 -j "$2" -N1 "$1") ^ 0x01) )))" |
		dd of="$3" bs=1 seek="$2" conv=notrunc status=none
}

# --- The SLIP-0039 code against the official vectors, and the self-test can fail ---
expect_rc 0 "selftest" -- ov --selftest "$VECTORS/slip39.json"
expect_in "$WORK/out" '^selftest: ([0-9]+) of \1 passed \(45 SLIP-0039 vectors' "selftest count"
python3 - "$VECTORS/slip39.json" "$WORK/bad-vectors.json" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))
v[3][2] = v[3][2][:-2] + ("00" if v[3][2][-2:] != "00" else "01")   # a wrong master secret
json.dump(v, open(sys.argv[2], "w"))
EOF
expect_rc 1 "selftest with a wrong vector fails" -- ov --selftest "$WORK/bad-vectors.json"
expect_in "$WORK/out" '^FAIL 4\. ' "the wrong vector is named"

# --- CA 1: 3 of 5, ec-p384 ---
H1=$WORK/ca1 S1=$WORK/s1
mkdir "$S1"
names=(alice bob carol dave erin)
args=(--subject "/C=US/O=Example/CN=Interop Root" --key ec-p384 --threshold 3)
for n in "${names[@]}"; do args+=(--custodian "$n"); done
expect_rc 0 "init 3 of 5 ec-p384" -- "$CUSTOS" init --home "$H1" "${args[@]}" --shares-out "$S1"

# The document's signature recipe, run as printed (it is written for P-384).
if command -v xxd >/dev/null; then
	awk '/^```sh$/ { on = 1; next } /^```$/ { on = 0 } on' "$DOC" >"$WORK/recipe.sh"
	grep -q 'openssl dgst -sha384 -verify' "$WORK/recipe.sh" && pass || fail "no signature recipe in $DOC"
	mkdir "$WORK/recipe" && cp "$H1/vault" "$H1/root.pem" "$WORK/recipe/"
	expect_rc 0 "the document's recipe" -- bash -c "cd '$WORK/recipe' && bash -e '$WORK/recipe.sh'"
	expect_in "$WORK/out" '^Verified OK$' "the document's recipe verifies"
else
	echo "note: xxd missing, the document's shell recipe is not run" >&2
fi
expect_rc 0 "verify only" -- ov --verify-only "$H1"
expect_in "$WORK/out" 'vault signature: verified with root.pem \(ec-p384, sha384\)' "verify-only"

expect_rc 0 "open with alice, bob, erin" -- ov "$H1" "$S1/alice.share" "$S1/bob.share" "$S1/erin.share" --out "$WORK/k1.der"
expect_in "$WORK/out" '^OK: the quorum opens the vault' "opened"
expect_in "$WORK/out" "^share erin.share: erin \(group 0, member 4\): commitment matches" "erin's commitment"
[ "$(stat -c %a "$WORK/k1.der")" = 600 ] && pass || fail "the key file is not mode 0600"
cmp -s <(key_pub "$WORK/k1.der") <(root_pub "$H1") && pass || fail "k1.der is not root.pem's key"
# The key signs, and root.pem verifies it.
printf 'probe' >"$WORK/probe"
openssl pkey -inform DER -in "$WORK/k1.der" -out "$WORK/k1.pem"
openssl dgst -sha384 -sign "$WORK/k1.pem" -out "$WORK/probe.sig" "$WORK/probe" &&
	openssl dgst -sha384 -verify <(openssl x509 -in "$H1/root.pem" -pubkey -noout) \
		-signature "$WORK/probe.sig" "$WORK/probe" >/dev/null && pass || fail "the recovered key does not sign for root.pem"
expect_rc 0 "open with carol, dave, erin" -- ov --quiet "$H1" "$S1/carol.share" "$S1/dave.share" "$S1/erin.share"
all=(); for n in "${names[@]}"; do all+=("$S1/$n.share"); done
expect_rc 0 "open with all five" -- ov --quiet "$H1" "${all[@]}"

# Not a quorum; a share twice; a typo; a share of another CA.
expect_rc 1 "two shares" -- ov "$H1" "$S1/alice.share" "$S1/dave.share"
expect_in "$WORK/err" 'REFUSED: no quorum: 0 of 1 groups complete \(group 0: 2 of 3 shares\)' "two shares refused"
expect_rc 1 "a share twice" -- ov "$H1" "$S1/alice.share" "$S1/alice.share" "$S1/dave.share"
expect_in "$WORK/err" "alice's share was given twice" "duplicate named"
awk '{ $7 = ($7 == "academic") ? "acid" : "academic"; print }' "$S1/carol.share" >"$WORK/typo.share"
expect_rc 1 "a typo" -- ov "$H1" "$S1/alice.share" "$S1/bob.share" "$WORK/typo.share"
expect_in "$WORK/err" 'typo.share: the checksum does not match' "typo named"

# One byte changed anywhere: header, body, signature, lengths.
cp "$H1/vault" "$WORK/vault1.good"
size=$(stat -c %s "$WORK/vault1.good")
refused=0 offsets=(0 9 12 40 300 $((size / 2)) $((size - 120)) $((size - 40)) $((size - 1)))
for off in "${offsets[@]}"; do
	flip "$WORK/vault1.good" "$off" "$H1/vault"
	if ov "$H1" "$S1/alice.share" "$S1/bob.share" "$S1/carol.share" >"$WORK/out" 2>"$WORK/err"; then
		fail "byte $off changed: opened"
	elif grep -qE 'REFUSED: (the vault signature does not verify|vault)' "$WORK/err"; then
		refused=$((refused + 1))
	else fail "byte $off changed: $(cat "$WORK/err")"; fi
done
[ "$refused" -eq "${#offsets[@]}" ] && pass || fail "$refused of ${#offsets[@]} one-byte changes refused"
{ cat "$WORK/vault1.good"; printf 'x'; } >"$H1/vault"
expect_rc 1 "a trailing byte" -- ov "$H1" "$S1/alice.share" "$S1/bob.share" "$S1/carol.share"
expect_in "$WORK/err" 'trailing' "trailing byte named"
cp "$WORK/vault1.good" "$H1/vault"

# A header change re-signed with the (recovered) root key still fails: the header bytes
# are the body's associated data.  custos refuses it too.
python3 - "$WORK/vault1.good" "$WORK/resigned" <<'EOF'
import sys, struct
d = open(sys.argv[1], "rb").read()
h = struct.unpack(">I", d[10:14])[0]
b = struct.unpack(">I", d[14 + h:18 + h])[0]
signed = d[:18 + h + b]
assert signed.count(b"Interop Root") == 1
open(sys.argv[2], "wb").write(signed.replace(b"Interop Root", b"Interop Roof"))
EOF
openssl dgst -sha384 -sign "$WORK/k1.pem" -out "$WORK/resigned.sig" "$WORK/resigned"
python3 -c 'import sys; s = open(sys.argv[2], "rb").read(); sys.stdout.buffer.write(open(sys.argv[1], "rb").read() + len(s).to_bytes(2, "big") + s)' \
	"$WORK/resigned" "$WORK/resigned.sig" >"$H1/vault"
expect_rc 1 "a re-signed header change" -- ov "$H1" "$S1/alice.share" "$S1/bob.share" "$S1/carol.share"
expect_in "$WORK/err" 'REFUSED: the vault body does not decrypt' "re-signed header: the body does not open"
expect_rc 1 "custos on a re-signed header change" -- "$CUSTOS" key test --home "$H1" --share-file "$S1/alice.share" --share-file "$S1/bob.share" --share-file "$S1/carol.share"
cp "$WORK/vault1.good" "$H1/vault"
rm -f "$WORK/k1.pem" "$WORK/k1.der"

# Re-sealed (activate) and rotated: the new set opens, the old set is refused as retired,
# and a copy of the earlier vault still opens with the earlier shares.
q1=(--share-file "$S1/alice.share" --share-file "$S1/bob.share" --share-file "$S1/carol.share")
expect_rc 0 "activate" -- "$CUSTOS" key activate --home "$H1" "${q1[@]}"
expect_rc 0 "open after activate" -- ov "$H1" "$S1/bob.share" "$S1/dave.share" "$S1/erin.share"
expect_in "$WORK/out" 'key state: active' "state after activate"
cp "$H1/vault" "$WORK/vault1.before-rotate"
mkdir "$WORK/s1b"
expect_rc 0 "rotate" -- "$CUSTOS" shares rotate --home "$H1" "${q1[@]}" --shares-out "$WORK/s1b"
expect_rc 0 "open with the new set" -- ov --quiet "$H1" "$WORK/s1b/alice.share" "$WORK/s1b/dave.share" "$WORK/s1b/erin.share"
expect_rc 1 "the retired set" -- ov "$H1" "$S1/alice.share" "$S1/dave.share" "$S1/erin.share"
expect_in "$WORK/err" 'alice.share: share set [0-9]+ was retired' "retired set named"
mkdir "$WORK/old1" && cp "$WORK/vault1.before-rotate" "$WORK/old1/vault" && cp "$H1/root.pem" "$WORK/old1/"
expect_rc 0 "the retired set opens a copy of the earlier vault" -- ov --quiet "$WORK/old1" "$S1/alice.share" "$S1/dave.share" "$S1/erin.share"

# --- CA 2: 2 of 3, rsa-3072, carol with a passphrase ---
H2=$WORK/ca2 S2=$WORK/s2
mkdir "$S2"
printf 'carol=correct horse battery\n' >"$WORK/pass"
expect_rc 0 "init 2 of 3 rsa-3072 with a passphrase" -- "$CUSTOS" init --home "$H2" --subject "/O=Example/CN=RSA Interop Root" \
	--key rsa-3072 --threshold 2 --custodian alice --custodian bob --custodian carol \
	--passphrase-for carol --passphrases-from "$WORK/pass" --shares-out "$S2"
expect_rc 0 "open with carol (passphrase file) and alice" -- ov "$H2" "$S2/carol.share" "$S2/alice.share" --passphrases-from "$WORK/pass" --out "$WORK/k2.der"
expect_in "$WORK/out" 'vault signature: verified with root.pem \(rsa-3072, sha256\)' "rsa signature"
expect_in "$WORK/out" '^share carol.share: carol \(group 0, member 2, passphrase\): commitment matches' "carol unmasked"
cmp -s <(key_pub "$WORK/k2.der") <(root_pub "$H2") && pass || fail "k2.der is not root.pem's key"
rm -f "$WORK/k2.der"
expect_rc 0 "open with carol (NAME=PASS) and bob" -- ov --quiet "$H2" "$S2/bob.share" "$S2/carol.share" "carol=correct horse battery"
expect_rc 0 "open with alice and bob" -- ov --quiet "$H2" "$S2/alice.share" "$S2/bob.share"
expect_rc 1 "a wrong passphrase" -- ov "$H2" "$S2/carol.share" "$S2/alice.share" "carol=correct horse batterY"
expect_in "$WORK/err" "not carol's share as issued \(commitment mismatch; wrong passphrase\?\)" "wrong passphrase named"
expect_rc 1 "no passphrase" -- ov "$H2" "$S2/carol.share" "$S2/alice.share"
expect_in "$WORK/err" "carol's share needs carol's passphrase" "missing passphrase named"
expect_rc 1 "one share" -- ov "$H2" "$S2/carol.share" --passphrases-from "$WORK/pass"
expect_in "$WORK/err" 'no quorum' "one share refused"
# Plain SLIP-0039 refuses the masked card; unmasked as the document says, it combines to
# the same master secret as two unmasked cards.
expect_rc 1 "plain SLIP-0039 refuses a masked card" -- ov --combine "$S2/carol.share" "$S2/alice.share"
expect_in "$WORK/err" 'carol.share: the checksum does not match' "masked card refused"
expect_rc 0 "unmask carol's card" -- ov --unmask "$H2" "$S2/carol.share" --passphrases-from "$WORK/pass"
cp "$WORK/out" "$WORK/carol.plain"
expect_rc 0 "plain SLIP-0039: alice and unmasked carol" -- ov --combine "$S2/alice.share" "$WORK/carol.plain"
cp "$WORK/out" "$WORK/ms-ac"
expect_rc 0 "plain SLIP-0039: alice and bob" -- ov --combine "$S2/alice.share" "$S2/bob.share"
[ -s "$WORK/ms-ac" ] && cmp -s "$WORK/out" "$WORK/ms-ac" && pass || fail "unmasked carol gives another master secret"
expect_rc 0 "custos accepts the unmasked card as standard SLIP-0039" -- "$CUSTOS" shares check "$WORK/carol.plain"

# --- CA 3: two levels, 2 of the officers (a, b, c) and the auditor (d), ec-p256 ---
H3=$WORK/ca3 S3=$WORK/s3
mkdir "$S3"
expect_rc 0 "init groups" -- "$CUSTOS" init --home "$H3" --subject "/CN=Group Interop Root" --key ec-p256 \
	--group "officers=2:a,b,c" --group "auditors=1:d" --group-threshold 2 --shares-out "$S3"
for set in "a c d" "b c d" "d a b" "a b c d"; do
	files=(); for n in $set; do files+=("$S3/$n.share"); done
	expect_rc 0 "groups: open with $set" -- ov "$H3" "${files[@]}" --out "$WORK/k3.der"
	expect_in "$WORK/out" '^OK: the quorum opens the vault' "groups: $set"
	cmp -s <(key_pub "$WORK/k3.der") <(root_pub "$H3") && pass || fail "groups $set: not root.pem's key"
	rm -f "$WORK/k3.der"
done
expect_rc 1 "groups: all officers, no auditor" -- ov "$H3" "$S3/a.share" "$S3/b.share" "$S3/c.share"
expect_in "$WORK/err" 'no quorum: 1 of 2 groups complete \(group 1 \(auditors\): 0 of 1 shares\)' "auditor missing named"
expect_rc 1 "groups: one officer and the auditor" -- ov "$H3" "$S3/a.share" "$S3/d.share"
expect_in "$WORK/err" 'group 0 \(officers\): 1 of 2 shares' "officer missing named"
expect_rc 1 "groups: a share of CA 1" -- ov "$H3" "$S3/a.share" "$S3/c.share" "$WORK/s1b/alice.share"
expect_in "$WORK/err" "alice.share: share set [0-9]+ is not this vault's" "foreign share named"
flip "$H3/vault" 100 "$WORK/vault3.bad" && cp "$H3/vault" "$WORK/vault3.good" && cp "$WORK/vault3.bad" "$H3/vault"
expect_rc 1 "groups: one byte changed" -- ov "$H3" "$S3/a.share" "$S3/c.share" "$S3/d.share"
expect_in "$WORK/err" 'REFUSED: the vault signature does not verify' "groups: tampering refused"
cp "$WORK/vault3.good" "$H3/vault"

# A destroyed key: the quorum is still checked, and there is nothing to open.
q3=(--share-file "$S3/a.share" --share-file "$S3/b.share" --share-file "$S3/d.share")
expect_rc 0 "destroy" -- "$CUSTOS" key destroy --home "$H3" --yes "${q3[@]}"
expect_rc 1 "open a destroyed key" -- ov "$H3" "$S3/a.share" "$S3/c.share" "$S3/d.share"
expect_in "$WORK/out" 'key state: destroyed' "destroyed state read"
expect_in "$WORK/err" 'REFUSED: the key was destroyed' "destroyed key refused"
finish
