#!/usr/bin/env bash
# The audit log through the real binary: a scripted ceremony (init, key
# activation, sign, revoke, crl, export, a share verification, a refused
# quorum) leaves a log that `custos audit verify` and an independent Python
# auditor (tests/interop/audit_chain.py, from docs/audit-format.md) both
# accept; show and export; no share ever reaches the log.  Then, on copies,
# one field changed, a record deleted, two records swapped, a checkpoint
# forged, a forged checkpoint added, and the chain rewritten with every hash
# recomputed: each fails verification naming the record.
. "$(dirname "$0")/lib.bash"
AUDITOR=$TESTS/interop/audit_chain.py
export CUSTOS_OPERATOR=Olivia
H=$WORK/ca
S=$WORK/shares
mkdir "$S" "$WORK/exported"
q=(--share-file "$S/alice.share" --share-file "$S/carol.share")

# --- the ceremony -----------------------------------------------------------------------
expect_rc 0 "init" -- "$CUSTOS" init --home "$H" --subject "/C=US/O=Example/CN=Example Root CA" \
	--key ec-p256 --threshold 2 --custodian alice --custodian bob --custodian carol \
	--shares-out "$S" --role security-officer --operator "Sam Officer"
expect_in "$WORK/out" '^transcript: .*/transcripts/[0-9T]+Z-init-[0-9a-f]{8}\.txt' "init writes a transcript"
expect_rc 0 "activate" -- "$CUSTOS" key activate --home "$H" "${q[@]}"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/sub.key" \
	-subj "/C=US/O=Example/CN=Example Issuing CA 1" -out "$WORK/sub.csr" 2>/dev/null
# Signing verbs take the operator's time confirmation and, outside an air gap, --allow-network
# (DESIGN 7); passed once the verb knows them.
signing=()
if "$CUSTOS" sign --help 2>&1 | grep -q -- --confirm-time; then
	signing=(--confirm-time "$(date -u +%Y-%m-%dT%H:%MZ)" --allow-network)
fi
expect_rc 0 "sign" -- "$CUSTOS" sign --home "$H" --csr "$WORK/sub.csr" --out "$WORK/sub.pem" \
	"${signing[@]}" "${q[@]}"
serial=$(openssl x509 -in "$WORK/sub.pem" -noout -serial | cut -d= -f2)
[ ${#signing[@]} -gt 0 ] && signing[1]=$(date -u +%Y-%m-%dT%H:%MZ)
revoking=()
if "$CUSTOS" revoke --help 2>&1 | grep -q -- --confirm-time; then
	revoking=(--confirm-time "$(date -u +%Y-%m-%dT%H:%MZ)" --allow-network)
fi
expect_rc 0 "revoke" -- "$CUSTOS" revoke --home "$H" --serial "$serial" --reason superseded "${revoking[@]}"
expect_rc 0 "crl" -- "$CUSTOS" crl --home "$H" --out "$WORK/root.crl" "${signing[@]}" "${q[@]}"
expect_rc 0 "export" -- "$CUSTOS" export --home "$H" --to "$WORK/exported" root crl cert "$serial"
expect_rc 0 "shares verify" -- "$CUSTOS" shares verify --home "$H" --share-file "$S/bob.share"
expect_rc 1 "a refused quorum" -- "$CUSTOS" key test --home "$H" --share-file "$S/bob.share"

# --- verification passes ------------------------------------------------------------------
expect_rc 0 "audit verify" -- "$CUSTOS" audit verify --home "$H" --operator "Ada Auditor"
expect_in "$WORK/out" '^audit log OK' "verify passes"
expect_in "$WORK/out" '^signed: +records 1 to [0-9]+' "verify names the signed part"
expect_in "$WORK/out" '^NOT YET SIGNED: .*not yet covered by a signature' "the unsigned tail is named"
expect_in "$WORK/out" "^root SHA-256: +$(openssl x509 -in "$H/root.pem" -outform DER | sha256sum | cut -d' ' -f1)\$" \
	"verify names the root it trusted"
expect_rc 0 "audit verify --json" -- "$CUSTOS" audit verify --home "$H" --json --no-record
python3 - "$WORK/out" <<'PY' && pass || fail "verify --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["findings"] == [] and d["records"] > 20, d
assert d["signed_through"] > 0 and d["unsigned"]["count"] > 0, d
PY
expect_rc 0 "the independent auditor" -- python3 "$AUDITOR" "$H/root.pem" "$H/ca.db" "$H"/transcripts/*.txt
expect_in "$WORK/out" '^OK records=' "python recomputes the chain and checks every signature"

# --- show and export -----------------------------------------------------------------------
expect_rc 0 "audit show" -- "$CUSTOS" audit show --home "$H"
expect_in "$WORK/out" 'Sam Officer \(security-officer\) init /C=US/O=Example/CN=Example Root CA: ok' "init recorded by the officer"
expect_in "$WORK/out" 'carol \(custodian\) share-issued: ok' "shares issued recorded"
expect_in "$WORK/out" 'alice \(custodian\) share: accepted' "a share recorded with its custodian"
expect_in "$WORK/out" 'Olivia \(operator\) quorum: reached; custodians: alice, carol' "quorum recorded"
expect_in "$WORK/out" 'key-state pre-active -> active: ok' "key state change recorded"
expect_in "$WORK/out" 'bob \(custodian\) share-verify: verified' "share verification recorded"
expect_in "$WORK/out" 'quorum: refused; not enough shares' "refused quorum recorded"
expect_in "$WORK/out" 'export .*: ok' "export recorded"
expect_in "$WORK/out" 'Ada Auditor \(auditor\) audit-verify ca.db: ok' "the auditor's verification recorded"
expect_rc 0 "audit show filtered" -- "$CUSTOS" audit show --home "$H" --operation share --actor alice --json
python3 - "$WORK/out" <<'PY' && pass || fail "show --operation share --actor alice --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) >= 1 and all(r["operation"] == "share" and r["actor"] == "alice" for r in d), d
assert all(len(r["hash"]) == 64 and len(r["prev_hash"]) == 64 for r in d)
PY
expect_rc 0 "audit show --since the future" -- "$CUSTOS" audit show --home "$H" --since 2999
[ ! -s "$WORK/out" ] && pass || fail "--since 2999 showed records"
expect_rc 0 "audit export" -- "$CUSTOS" audit export --home "$H" --out "$WORK/audit.jsonl"
python3 - "$WORK/audit.jsonl" <<'PY' && pass || fail "export: JSON lines whose hashes recompute"
import hashlib, json, struct, sys
prev = bytes(32)
fields = ["time", "actor", "role", "operation", "object", "result", "session", "host", "details"]
lines = open(sys.argv[1]).read().splitlines()
for i, line in enumerate(lines, 1):
    r = json.loads(line)
    assert r["seq"] == i and bytes.fromhex(r["prev_hash"]) == prev, r
    m = b"custos-audit-v1" + struct.pack(">Q", r["seq"])
    for f in fields:
        b = r[f].encode()
        m += struct.pack(">I", len(b)) + b
    h = hashlib.sha256(m + prev).digest()
    assert h.hex() == r["hash"], r
    prev = h
assert len(lines) > 20
PY
expect_rc 2 "audit export with an unknown option" -- "$CUSTOS" audit export --home "$H" --bogus
expect_rc 1 "audit export never overwrites" -- "$CUSTOS" audit export --home "$H" --out "$WORK/audit.jsonl"

# --- no share, or any three words of one, is ever recorded -------------------------------------
leak=0
for f in "$S"/*.share; do
	three=$(cut -d' ' -f1-3 "$f")
	for g in "$H/ca.db" "$H"/transcripts/* "$WORK/audit.jsonl"; do
		grep -qF -- "$three" "$g" && { leak=1; echo "share words of $f in $g" >&2; }
	done
done
[ "$leak" -eq 0 ] && pass || fail "share words reached the log or a transcript"

# --- tampering, on copies ------------------------------------------------------------------------
DROP="DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;
      DROP TRIGGER audit_checkpoints_no_update; DROP TRIGGER audit_checkpoints_no_delete;"
# Record 9 and 10 are in the key-activation session, which a checkpoint signed.
tampered() {
	local what=$1 sql=$2 pattern=$3
	rm -rf "$WORK/t"
	cp -a "$H" "$WORK/t"
	sqlite3 "$WORK/t/ca.db" "$DROP $sql" || fail "$what: sqlite3"
	expect_rc 1 "$what" -- "$CUSTOS" audit verify --home "$WORK/t" --no-record
	expect_in "$WORK/out" "$pattern" "$what: named"
	expect_in "$WORK/err" "audit log verification failed: (the checkpoint at )?records? [0-9]+" "$what: one line on stderr"
	python3 "$AUDITOR" "$WORK/t/root.pem" "$WORK/t/ca.db" >/dev/null && fail "$what: the python auditor accepted it" || pass
}
tampered "one field changed" "UPDATE audit SET details = details || '.' WHERE seq = 9" \
	'^FIRST BAD record 9 \(changed\): record 9 was changed'
tampered "the actor changed" "UPDATE audit SET actor = 'Mallory' WHERE seq = 10" \
	'^FIRST BAD record 10 \(changed\)'
tampered "a record deleted" "DELETE FROM audit WHERE seq = 9" \
	'^FIRST BAD record 9 \(missing\): record 9 is missing'
tampered "a record deleted, the rest renumbered" \
	"DELETE FROM audit WHERE seq = 9; UPDATE audit SET seq = seq - 1 WHERE seq > 9;
	 UPDATE audit_checkpoints SET seq = seq - 1 WHERE seq > 9" \
	'^FIRST BAD record 9 \(missing\): record 9 was removed and the later records renumbered'
tampered "two records swapped" \
	"UPDATE audit SET seq = -1 WHERE seq = 9; UPDATE audit SET seq = 9 WHERE seq = 10;
	 UPDATE audit SET seq = 10 WHERE seq = -1" \
	'^FIRST BAD record 9 \(reordered\): records 9 and 10 were swapped'
tampered "a checkpoint forged" \
	"UPDATE audit_checkpoints SET signature = randomblob(71) WHERE seq = (SELECT min(seq) FROM audit_checkpoints WHERE seq > 9)" \
	'^FIRST BAD record [0-9]+ \(checkpoint forged\): the checkpoint at record [0-9]+ is forged'
tampered "a forged checkpoint over the unsigned tail" \
	"INSERT INTO audit_checkpoints SELECT seq, hash, time, session, randomblob(71) FROM audit ORDER BY seq DESC LIMIT 1" \
	'\(checkpoint forged\)'

# The careful forger: record 9 changed and every later hash recomputed (the algorithm is public).
rm -rf "$WORK/t"
cp -a "$H" "$WORK/t"
python3 - "$WORK/t/ca.db" <<'PY' || fail "rewrite script"
import hashlib, sqlite3, struct, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;")
cols = "time, actor, role, operation, object, result, session, host, details"
rows = db.execute(f"SELECT seq, {cols} FROM audit ORDER BY seq").fetchall()
prev = db.execute("SELECT hash FROM audit WHERE seq = 8").fetchone()[0]
for r in rows[8:]:
    seq, f = r[0], list(r[1:])
    if seq == 9:
        f[1] = "Mallory"
    m = b"custos-audit-v1" + struct.pack(">Q", seq)
    for x in f:
        b = x.encode()
        m += struct.pack(">I", len(b)) + b
    h = hashlib.sha256(m + prev).digest()
    db.execute("UPDATE audit SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?", (f[1], prev, h, seq))
    prev = h
db.commit()
PY
expect_rc 1 "chain rewritten from record 9" -- "$CUSTOS" audit verify --home "$WORK/t" --no-record
expect_in "$WORK/out" '\(checkpoint does not match\): record [0-9]+ does not match the checkpoint signed at .*: the chain was rewritten after record 7, at or before record' \
	"a rewritten chain is caught by the checkpoint after it"

# A verification of a damaged log is recorded too (as failed) when the copy is writable.
rm -rf "$WORK/t"
cp -a "$H" "$WORK/t"
sqlite3 "$WORK/t/ca.db" "$DROP UPDATE audit SET object = 'x' WHERE seq = 2"
expect_rc 1 "verify a damaged copy, recorded" -- "$CUSTOS" audit verify --home "$WORK/t" --operator Ada
expect_rc 0 "show the copy" -- "$CUSTOS" audit show --home "$WORK/t" --operation audit-verify
expect_in "$WORK/out" 'Ada \(auditor\) audit-verify ca.db: failed; FAILED at record 2' "failed verification recorded"

# The original is untouched by all of it.
expect_rc 0 "the original still verifies" -- "$CUSTOS" audit verify --home "$H" --no-record
finish
