#!/usr/bin/env bash
# The vault and the quorum through the real binary: init, status, every 3-of-5
# subset opens and every pair is refused, bad shares named, bad input refused
# with nothing changed on disk, tampered vaults refused, the key lifecycle, and
# passphrase-protected shares.
. "$(dirname "$0")/lib.bash"

H=$WORK/ca
S=$WORK/shares
mkdir "$S"
names=(alice bob carol dave erin)
init_args=(--subject "/C=US/O=Example/CN=Example Root CA" --key ec-p384 --days 3653 --threshold 3)
for n in "${names[@]}"; do init_args+=(--custodian "$n"); done

expect_rc 0 "init 3 of 5" -- "$CUSTOS" init --home "$H" "${init_args[@]}" --shares-out "$S"
expect_in "$WORK/out" '^created CA in' "init summary"
for n in "${names[@]}"; do
	[ "$(stat -c %a "$S/$n.share")" = 600 ] && pass || fail "$n.share is not mode 0600"
done
[ "$(stat -c %a "$H/vault")" = 600 ] && pass || fail "vault is not mode 0600"
openssl verify -x509_strict -CAfile "$H/root.pem" "$H/root.pem" >/dev/null 2>&1 && pass || fail "root.pem does not verify"

# With no --home and no $CUSTOS_HOME: the default home, its parents made on first use.
mkdir "$WORK/user" "$WORK/ds"
expect_rc 0 "init in the default home" -- env -u CUSTOS_HOME HOME="$WORK/user" "$CUSTOS" init \
	--subject /CN=Default --key ec-p256 --threshold 2 --custodian p --custodian q --shares-out "$WORK/ds"
[ -f "$WORK/user/.local/share/custos/ca/vault" ] && pass || fail "the default home was not created"
expect_rc 0 "status of the default home" -- env -u CUSTOS_HOME HOME="$WORK/user" "$CUSTOS" status

expect_rc 0 "status" -- "$CUSTOS" status --home "$H"
expect_in "$WORK/out" '^quorum: +3 of 5 custodians' "status quorum"
expect_in "$WORK/out" '^key state: +pre-active' "status state"
expect_in "$WORK/out" '^custodian: +erin \(member 5\)' "status custodians"
fp=$(openssl x509 -in "$H/root.pem" -outform DER | sha256sum | cut -d' ' -f1)
expect_in "$WORK/out" "^root SHA-256: +$fp\$" "root fingerprint matches openssl"
expect_rc 0 "status --json" -- "$CUSTOS" status --home "$H" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["key_algorithm"]=="ec-p384" and len(d["custodians"])==5 and d["groups"][0]["threshold"]==3' "$WORK/out" && pass || fail "status json"

# Every 3-subset opens the vault; every pair is refused and told how many more.
opened=0 refused=0
for a in 0 1 2 3 4; do for b in $(seq $((a + 1)) 4); do
	if "$CUSTOS" key test --home "$H" --share-file "$S/${names[a]}.share" --share-file "$S/${names[b]}.share" >"$WORK/out" 2>"$WORK/err"; then
		fail "pair ${names[a]},${names[b]} opened the vault"
	elif grep -q '1 more share is needed' "$WORK/err"; then refused=$((refused + 1)); fi
	for c in $(seq $((b + 1)) 4); do
		"$CUSTOS" key test --home "$H" --share-file "$S/${names[a]}.share" --share-file "$S/${names[b]}.share" \
			--share-file "$S/${names[c]}.share" >"$WORK/out" 2>"$WORK/err" &&
			grep -q 'the quorum opens the vault' "$WORK/out" && opened=$((opened + 1))
	done
done; done
[ "$opened" -eq 10 ] && pass || fail "$opened of 10 three-custodian subsets opened the vault"
[ "$refused" -eq 10 ] && pass || fail "$refused of 10 pairs were refused with 'needs 1 more'"
expect_rc 0 "key test" -- "$CUSTOS" key test --home "$H" --share-file "$S/erin.share" --share-file "$S/bob.share" --share-file "$S/alice.share"
expect_in "$WORK/out" 'unlocked in [0-9.]+ ms' "key test reports the unlock time"

# Shares from stdin, one a line, with a blank line.
{ cat "$S/bob.share"; echo; cat "$S/dave.share" "$S/erin.share"; } >"$WORK/three"
expect_rc 0 "shares from stdin" -- "$CUSTOS" key test --home "$H" --shares-from - <"$WORK/three"
expect_in "$WORK/err" "accepted bob's share \(1 so far: bob; 2 more needed\)" "progress names who"

# The same custodian twice, a typo, a foreign share: named, not counted.
expect_rc 1 "same custodian twice" -- "$CUSTOS" key test --home "$H" --share-file "$S/alice.share" --share-file "$S/alice.share" --share-file "$S/bob.share"
expect_in "$WORK/err" "alice's share was already accepted" "duplicate named"
expect_in "$WORK/err" '1 more share is needed \(2 accepted: alice, bob\)' "duplicate not counted"
awk '{ $7 = ($7 == "academic") ? "acid" : "academic"; print }' "$S/carol.share" >"$WORK/typo.share"
expect_rc 1 "a typo" -- "$CUSTOS" key test --home "$H" --share-file "$WORK/typo.share" --share-file "$S/alice.share" --share-file "$S/bob.share"
expect_in "$WORK/err" 'checksum does not match' "typo reported"
awk '{ $9 = "zzzz"; print }' "$S/carol.share" >"$WORK/unknown.share"
expect_rc 1 "an unknown word" -- "$CUSTOS" key test --home "$H" --share-file "$WORK/unknown.share"
expect_in "$WORK/err" 'word 9 is not in the SLIP-0039 word list' "unknown word position"
mkdir "$WORK/s2"
"$CUSTOS" init --home "$WORK/ca2" --subject "/CN=Other Root" --key ec-p256 --threshold 2 --custodian x --custodian y --shares-out "$WORK/s2" >/dev/null
expect_rc 1 "a share of another CA" -- "$CUSTOS" key test --home "$H" --share-file "$WORK/s2/x.share" --share-file "$S/alice.share" --share-file "$S/bob.share"
expect_in "$WORK/err" 'belongs to another CA' "foreign share named"

# Bad input to init: refused, and nothing appears on disk.
before=$(ls -A "$S" | wc -l)
init_refused() {
	local what=$1 want=$2 pattern=$3
	shift 3
	expect_rc "$want" "$what" -- "$CUSTOS" init --home "$WORK/new" --shares-out "$S" "$@"
	expect_in "$WORK/err" "$pattern" "$what: message"
	[ ! -e "$WORK/new" ] && [ "$(ls -A "$S" | wc -l)" -eq "$before" ] && pass || fail "$what changed the disk"
}
init_refused "M > N" 1 'threshold 3 of 2 custodians is not possible' --subject /CN=X --threshold 3 --custodian p --custodian q
init_refused "M < 2" 1 'at least 2' --subject /CN=X --threshold 1 --custodian p --custodian q
n17=(); for i in $(seq 1 17); do n17+=(--custodian "c$i"); done
init_refused "N > 16" 1 'more than 16 custodians' --subject /CN=X --threshold 2 "${n17[@]}"
init_refused "unknown algorithm" 1 'ec-p256' --subject /CN=X --key dsa-1024 --threshold 2 --custodian p --custodian q
init_refused "bad days" 1 '2922 to 9132' --subject /CN=X --days 10 --threshold 2 --custodian p --custodian q
init_refused "bad subject" 1 'subject|CN|attribute' --subject "/XX=nope" --threshold 2 --custodian p --custodian q
init_refused "bad custodian name" 1 'only letters' --subject /CN=X --threshold 2 --custodian "p/q" --custodian q
init_refused "share file exists" 1 'alice.share already exists' --subject /CN=X --threshold 2 --custodian alice --custodian zed
expect_rc 1 "home exists" -- "$CUSTOS" init --home "$H" --shares-out "$WORK" --subject /CN=X --threshold 2 --custodian p --custodian q
expect_in "$WORK/err" 'already exists' "home exists message"
[ ! -e "$WORK/p.share" ] && pass || fail "a refused init wrote a share"
expect_rc 2 "init without subject" -- "$CUSTOS" init --home "$WORK/new" --threshold 2 --custodian p --custodian q --shares-out "$S"

# Tampered vaults: refused, and the file is left as it was.
cp "$H/vault" "$WORK/vault.good"
tamper() {
	local what=$1 pattern=$2
	cp "$H/vault" "$WORK/vault.bad"
	expect_rc 1 "$what" -- "$CUSTOS" status --home "$H"
	expect_in "$WORK/err" "$pattern" "$what: message"
	cmp -s "$H/vault" "$WORK/vault.bad" && pass || fail "$what: the vault was changed"
	cp "$WORK/vault.good" "$H/vault"
}
head -c -1 "$WORK/vault.good" >"$H/vault"; tamper "truncated vault" 'truncated|trailing'
{ cat "$WORK/vault.good"; printf 'x'; } >"$H/vault"; tamper "extended vault" 'trailing|truncated'
size=$(stat -c %s "$WORK/vault.good")
for off in 0 9 12 40 200 $((size / 2)) $((size - 40)) $((size - 1)); do
	cp "$WORK/vault.good" "$H/vault"
	printf "$(printf '\\%03o' $(( ($(od -An -tu1 -j "$off" -N1 "$WORK/vault.good") + 1) % 256 )))" |
		dd of="$H/vault" bs=1 seek="$off" conv=notrunc status=none
	tamper "byte $off changed" 'vault|magic|signature|format|truncated'
done
cp "$WORK/vault.good" "$H/vault"; printf '\x00\x02' | dd of="$H/vault" bs=1 seek=8 conv=notrunc status=none
tamper "newer format" 'vault format version 2'

# The key lifecycle.
q=(--share-file "$S/alice.share" --share-file "$S/carol.share" --share-file "$S/erin.share")
expect_rc 0 "activate" -- "$CUSTOS" key activate --home "$H" "${q[@]}"
expect_in "$WORK/out" 'pre-active -> active' "activate"
expect_rc 1 "activate twice" -- "$CUSTOS" key activate --home "$H" "${q[@]}"
expect_in "$WORK/err" 'already active' "activate twice"
expect_rc 1 "activate with two shares" -- "$CUSTOS" key deactivate --home "$H" --share-file "$S/alice.share" --share-file "$S/bob.share"
expect_in "$WORK/err" '1 more share is needed' "deactivate needs a quorum"
expect_rc 0 "deactivate" -- "$CUSTOS" key deactivate --home "$H" "${q[@]}"
expect_rc 1 "reactivate" -- "$CUSTOS" key activate --home "$H" "${q[@]}"
expect_in "$WORK/err" 'a deactivated key cannot become active' "reactivate refused"
expect_rc 2 "destroy without --yes" -- "$CUSTOS" key destroy --home "$H" "${q[@]}"
expect_rc 0 "destroy" -- "$CUSTOS" key destroy --home "$H" --yes "${q[@]}"
expect_rc 0 "status after destroy" -- "$CUSTOS" status --home "$H"
expect_in "$WORK/out" '^key state: +destroyed' "destroyed state shown"
expect_rc 1 "unlock after destroy" -- "$CUSTOS" key test --home "$H" "${q[@]}"
expect_in "$WORK/err" 'destroyed' "destroyed key refused"
[ ! -e "$H/vault.retired" ] && pass || fail "the old vault was left behind"

# Passphrase-protected shares: 2 of 3, carol with a passphrase.
printf 'carol=correct horse battery\n' >"$WORK/pass"
printf 'carol=wrong horse battery\n' >"$WORK/wrongpass"
mkdir "$WORK/s3"
expect_rc 0 "init with a passphrase" -- "$CUSTOS" init --home "$WORK/ca3" --subject /CN=Pass --key ec-p256 --threshold 2 \
	--custodian alice --custodian bob --custodian carol --passphrase-for carol --passphrases-from "$WORK/pass" --shares-out "$WORK/s3"
expect_rc 0 "check a protected card" -- "$CUSTOS" shares check "$WORK/s3/carol.share"
expect_in "$WORK/out" 'passphrase: +required' "protected card shown as such"
expect_rc 0 "unlock with the passphrase" -- "$CUSTOS" key test --home "$WORK/ca3" --share-file "$WORK/s3/carol.share" \
	--share-file "$WORK/s3/alice.share" --passphrases-from "$WORK/pass"
expect_rc 1 "a wrong passphrase" -- "$CUSTOS" key test --home "$WORK/ca3" --share-file "$WORK/s3/carol.share" \
	--share-file "$WORK/s3/alice.share" --passphrases-from "$WORK/wrongpass"
expect_in "$WORK/err" "not carol's share as issued \(wrong passphrase" "wrong passphrase named"
expect_rc 0 "shares verify" -- "$CUSTOS" shares verify --home "$WORK/ca3" --share-file "$WORK/s3/alice.share" \
	--share-file "$WORK/s3/carol.share" --passphrases-from "$WORK/pass"
expect_in "$WORK/out" '^verified: carol' "verify names carol"
expect_in "$WORK/out" '^not presented: bob' "verify names who is missing"
expect_rc 1 "shares verify with a typo" -- "$CUSTOS" shares verify --home "$H" --share-file "$WORK/typo.share"
finish
