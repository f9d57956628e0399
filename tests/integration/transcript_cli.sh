#!/usr/bin/env bash
# Ceremony transcripts through the real binary: every key ceremony (init, a
# key-state change, a rotation) leaves a transcript and its detached
# signature; `custos transcript verify` accepts them with root.pem alone,
# and so do `openssl dgst` and the independent Python auditor; one changed
# byte anywhere, a damaged signature, another CA's root, or an audit log that
# no longer holds the chain head the transcript names (records removed from
# the end together with their checkpoint, which the chain alone cannot see)
# are each refused with the reason.
. "$(dirname "$0")/lib.bash"
export CUSTOS_OPERATOR=Olivia
H=$WORK/ca
S=$WORK/shares
mkdir "$S" "$WORK/new"
q=(--share-file "$S/alice.share" --share-file "$S/bob.share")

expect_rc 0 "init" -- "$CUSTOS" init --home "$H" --subject "/O=Example/CN=Transcript Root" \
	--key ec-p384 --threshold 2 --custodian alice --custodian bob --custodian carol --shares-out "$S"
expect_rc 0 "activate" -- "$CUSTOS" key activate --home "$H" "${q[@]}"
expect_in "$WORK/out" '^transcript: .*-key-state-[0-9a-f]{8}\.txt \(signature .*\.txt\.sig\)' "path printed"
expect_in "$WORK/out" '^transcript SHA-256: [0-9a-f]{64}$' "hash printed"
expect_in "$WORK/out" '^read aloud: +([a-z]{4} ){3}[a-z]{4} / ' "words printed for the witnesses"
T=$(sed -n 's/^transcript: *\(.*\) (signature.*/\1/p' "$WORK/out")
sha=$(sed -n 's/^transcript SHA-256: //p' "$WORK/out")
[ "$(sha256sum "$T" | cut -d' ' -f1)" = "$sha" ] && pass || fail "the printed SHA-256 is not the file's"
expect_rc 0 "rotate" -- "$CUSTOS" shares rotate --home "$H" "${q[@]}" --shares-out "$WORK/new"
[ "$(ls "$H"/transcripts/*.txt | wc -l)" -eq 3 ] && pass || fail "not one transcript per key ceremony: $(ls "$H"/transcripts)"

# What a transcript says.
expect_in "$T" '^custos ceremony transcript v1$' "magic"
expect_in "$T" '^ceremony: key-state$' "ceremony"
expect_in "$T" '^ca subject: /O=Example/CN=Transcript Root$' "subject"
expect_in "$T" "^root certificate sha256: $(openssl x509 -in "$H/root.pem" -outform DER | sha256sum | cut -d' ' -f1)\$" "root"
expect_in "$T" '^operator: Olivia \(operator\)$' "who"
expect_in "$T" '^  #[0-9]+ .* alice \(custodian\) share: accepted' "each share, by custodian"
expect_in "$T" '^  #[0-9]+ .* key-state pre-active -> active: ok$' "the step"
expect_in "$T" '^audit chain head: record [0-9]+$' "chain head"
expect_in "$T" '^  words: ([a-z]{4} ){3}[a-z]{4}( / ([a-z]{4} ){3}[a-z]{4}){7}$' "chain head as words"
expect_in "$T" '^end of transcript$' "end"

# Verified with root.pem alone: by custos, by openssl, by the Python auditor.
expect_rc 0 "transcript verify" -- "$CUSTOS" transcript verify --home "$H" "$H"/transcripts/*.txt
expect_in "$WORK/out" "key-state.*: OK, signed by the root key" "OK"
expect_in "$WORK/out" 'audit chain head: record [0-9]+, still in the audit log and signed by its checkpoint' "log cross-checked"
mkdir "$WORK/auditor"
cp "$H/root.pem" "$T" "$T.sig" "$WORK/auditor/"
TA=$WORK/auditor/$(basename "$T")
expect_rc 0 "verify with --root and no home" -- "$CUSTOS" transcript verify --home "$WORK/nowhere" --root "$WORK/auditor/root.pem" "$TA"
expect_in "$WORK/out" 'not checked \(no ca.db\)' "says the log was not checked"
openssl x509 -in "$H/root.pem" -pubkey -noout >"$WORK/root.pub"
expect_rc 0 "openssl dgst verifies the detached signature" -- openssl dgst -sha384 -verify "$WORK/root.pub" -signature "$T.sig" "$T"
expect_rc 0 "the Python auditor" -- python3 "$TESTS/interop/audit_chain.py" "$H/root.pem" "$H/ca.db" "$H"/transcripts/*.txt

# One changed byte, anywhere, breaks it.
size=$(stat -c %s "$T")
for off in 0 40 $((size / 3)) $((size / 2)) $((size - 70)) $((size - 2)); do
	cp "$T" "$WORK/t.txt"
	cp "$T.sig" "$WORK/t.txt.sig"
	printf "$(printf '\\%03o' $(( $(od -An -tu1 -j "$off" -N1 "$T") ^ 1 )))" |
		dd of="$WORK/t.txt" bs=1 seek="$off" conv=notrunc status=none
	expect_rc 1 "byte $off changed" -- "$CUSTOS" transcript verify --home "$H" "$WORK/t.txt"
	expect_in "$WORK/err" 't.txt: authentication failed: the signature does not verify with the root certificate: the transcript was changed after it was signed' "byte $off: reason"
	openssl dgst -sha384 -verify "$WORK/root.pub" -signature "$WORK/t.txt.sig" "$WORK/t.txt" >/dev/null 2>&1 &&
		fail "byte $off: openssl accepted it" || pass
done
cp "$T" "$WORK/t.txt"
head -c -3 "$T.sig" >"$WORK/t.txt.sig"
expect_rc 1 "a damaged signature" -- "$CUSTOS" transcript verify --home "$H" "$WORK/t.txt"
rm "$WORK/t.txt.sig"
expect_rc 1 "no signature" -- "$CUSTOS" transcript verify --home "$H" "$WORK/t.txt"
expect_in "$WORK/err" 't.txt.sig' "the missing signature is named"

# Another CA's root does not vouch for it.
"$CUSTOS" init --home "$WORK/other" --subject "/CN=Other Root" --key ec-p384 --threshold 2 \
	--custodian x --custodian y --shares-out "$WORK" >/dev/null
expect_rc 1 "another CA's root" -- "$CUSTOS" transcript verify --home "$WORK/other" "$T"
expect_in "$WORK/err" 'signature does not verify' "another root refused"

# The log no longer holds the head the transcript names: the last session and its checkpoint
# removed (the chain alone cannot see a truncation; the transcript can).
head_seq=$(sed -n 's/^audit chain head: record //p' "$H"/transcripts/*-rotate-*.txt)
cp -a "$H" "$WORK/cut"
sqlite3 "$WORK/cut/ca.db" "DROP TRIGGER audit_no_delete; DROP TRIGGER audit_checkpoints_no_delete;
	DELETE FROM audit WHERE seq > $((head_seq - 12)); DELETE FROM audit_checkpoints WHERE seq > $((head_seq - 12));"
expect_rc 0 "audit verify cannot see a truncation" -- "$CUSTOS" audit verify --home "$WORK/cut" --no-record
expect_rc 1 "the rotation's transcript can" -- "$CUSTOS" transcript verify --home "$WORK/cut" "$WORK/cut"/transcripts/*-rotate-*.txt
expect_in "$WORK/err" "the audit log has no record $head_seq" "truncation named"
# ... and a changed head record.
cp -a "$H" "$WORK/changed"
sqlite3 "$WORK/changed/ca.db" "DROP TRIGGER audit_no_update; UPDATE audit SET details = 'forged' WHERE seq = $head_seq"
expect_rc 1 "a changed head record" -- "$CUSTOS" transcript verify --home "$WORK/changed" "$WORK/changed"/transcripts/*-rotate-*.txt
expect_in "$WORK/err" "audit record $head_seq is not the one the transcript names" "changed head named"

expect_rc 2 "transcript without a file" -- "$CUSTOS" transcript verify --home "$H"
expect_rc 2 "transcript without verify" -- "$CUSTOS" transcript check "$T"
finish
