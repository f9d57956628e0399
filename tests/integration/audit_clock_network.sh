#!/usr/bin/env bash
# The clock and air-gap checks through the real binary.  With libfaketime the
# clock is set back a day: every verb that would unlock the key is refused
# before a share is read, and the refusal is recorded.  `custos preflight`
# (the checks a signing ceremony starts with) is refused without an operator,
# without a confirmed time, with a time more than 5 minutes off, for a role
# that does not sign, and with a network interface up in a network namespace
# (unless --allow-network, which is recorded); it passes in an empty one.
. "$(dirname "$0")/lib.bash"
export CUSTOS_OPERATOR=Olivia
H=$WORK/ca
S=$WORK/shares
mkdir "$S"
q=(--share-file "$S/alice.share" --share-file "$S/bob.share")
now() { date -u -d "${1:-now}" +%Y-%m-%dT%H:%MZ; }
# libfaketime is preloaded; a sanitizer build must not insist on coming first.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

expect_rc 0 "init" -- "$CUSTOS" init --home "$H" --subject "/CN=Clock Root" --key ec-p256 \
	--threshold 2 --custodian alice --custodian bob --custodian carol --shares-out "$S"
expect_rc 0 "activate" -- "$CUSTOS" key activate --home "$H" "${q[@]}"

# --- the clock set back ------------------------------------------------------------------------
if ! command -v faketime >/dev/null; then echo "faketime is not installed (scripts/install-deps)"; exit 1; fi
before=$(sqlite3 "$H/ca.db" "SELECT count(*) FROM audit_checkpoints")
expect_rc 1 "key test with the clock a day back" -- faketime -f -1d "$CUSTOS" key test --home "$H" "${q[@]}"
expect_in "$WORK/err" 'clock check failed: the system clock \(.*\) is earlier than audit record [0-9]+ \(.*\): the clock went backwards' \
	"rollback refused, naming the record"
grep -q "accepted" "$WORK/err" && fail "shares were read with the clock set back" || pass
expect_rc 1 "rotate with the clock back" -- faketime -f -1d "$CUSTOS" shares rotate --home "$H" "${q[@]}" --shares-out "$WORK"
expect_in "$WORK/err" 'earlier than audit record' "rotation refused too"
expect_rc 1 "key state with the clock an hour back" -- faketime -f -1h "$CUSTOS" key deactivate --home "$H" "${q[@]}"
expect_rc 1 "preflight with the clock back" -- faketime -f -1d "$CUSTOS" preflight --home "$H" --allow-network \
	--confirm-time "$(faketime -f -1d date -u +%Y-%m-%dT%H:%MZ)"
expect_in "$WORK/err" 'the clock went backwards' "preflight refused"
[ "$(sqlite3 "$H/ca.db" "SELECT count(*) FROM audit_checkpoints")" = "$before" ] && pass || fail "something was signed with the clock set back"
expect_rc 0 "show the refusals" -- "$CUSTOS" audit show --home "$H" --operation key-test
expect_in "$WORK/out" 'key-test: refused; clock check failed: .*earlier than audit record' "the refusal is recorded"
expect_rc 0 "audit verify after the refusals" -- "$CUSTOS" audit verify --home "$H" --no-record
expect_in "$WORK/out" '^warning: .*dated before record [0-9]+ .*the clock went backwards' "verify points at the backwards time"
expect_rc 0 "the clock right again" -- "$CUSTOS" key test --home "$H" "${q[@]}"

# --- the operator's time confirmation -----------------------------------------------------------------
if ! unshare -n true 2>/dev/null; then echo "unshare -n is not permitted here (run the tests as root)"; exit 1; fi
pre() { unshare -n "$CUSTOS" preflight --home "$H" "$@"; }
expect_rc 0 "preflight in an empty network namespace" -- pre --confirm-time "$(now)"
expect_in "$WORK/out" '^network: +air-gapped: no interface up but loopback' "air-gapped"
expect_in "$WORK/out" '^ready: a signing ceremony may start' "ready"
expect_rc 1 "no confirmed time" -- pre
expect_in "$WORK/err" 'confirm the current UTC time with --confirm-time YYYY-MM-DDTHH:MMZ \(the system clock reads' "asks for the time"
expect_rc 1 "a time 10 minutes ahead" -- pre --confirm-time "$(now '+10 min')"
expect_in "$WORK/err" 'ahead of the system clock .*more than 5 minutes apart' "ahead refused"
expect_rc 1 "a time 10 minutes behind" -- pre --confirm-time "$(now '-10 min')"
expect_in "$WORK/err" 'behind the system clock' "behind refused"
expect_rc 0 "a time 3 minutes off" -- pre --confirm-time "$(now '-3 min')"
expect_rc 1 "a malformed time" -- pre --confirm-time "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
expect_in "$WORK/err" 'is not a UTC time like 2026-01-02T03:04Z' "form named"
expect_rc 1 "no operator" -- env -u CUSTOS_OPERATOR unshare -n "$CUSTOS" preflight --home "$H" --confirm-time "$(now)"
expect_in "$WORK/err" 'the operator must name themselves \(--operator NAME or \$CUSTOS_OPERATOR\)' "operator asked for"
expect_rc 1 "an auditor does not sign" -- pre --confirm-time "$(now)" --role auditor
expect_in "$WORK/err" 'the auditor role does not drive a signing ceremony' "role refused"
expect_rc 1 "custodian is not a role to claim" -- pre --confirm-time "$(now)" --role custodian
expect_in "$WORK/err" 'custodians are identified by their share' "custodian role refused"

# --- a network interface up ------------------------------------------------------------------------
# A network namespace with one interface brought up (a bridge needs no hardware).
with_if() {
	unshare -n sh -c 'ip link add ceremony0 type bridge 2>/dev/null || ip tuntap add ceremony0 mode tap || exit 99
	                  ip link set ceremony0 up || exit 99
	                  exec "$@"' sh "$@"
}
expect_rc 1 "an interface up" -- with_if "$CUSTOS" preflight --home "$H" --confirm-time "$(now)"
expect_in "$WORK/err" 'network interface up: ceremony0 is up; custos signs only on an air-gapped machine' "the interface is named"
expect_rc 0 "an interface up, --allow-network" -- with_if "$CUSTOS" preflight --home "$H" --confirm-time "$(now)" --allow-network
expect_in "$WORK/err" 'warning: interfaces up: ceremony0.*--allow-network: recorded in the audit log' "the operator is warned"
expect_rc 0 "show the network records" -- "$CUSTOS" audit show --home "$H" --operation network
expect_in "$WORK/out" 'Olivia \(operator\) network: allowed; interfaces up: ceremony0; signing allowed by --allow-network' "--allow-network recorded"
expect_rc 0 "show the refusal" -- "$CUSTOS" audit show --home "$H" --operation preflight
expect_in "$WORK/out" 'preflight: refused; network interface up: ceremony0 is up' "the refusal recorded"
# A key session outside a signing ceremony is not refused, but the operator sees it and the log keeps it.
expect_rc 0 "key test with an interface up" -- with_if "$CUSTOS" key test --home "$H" "${q[@]}"
expect_in "$WORK/err" '^custos: warning: interfaces up: ceremony0' "warned at start-up"
expect_rc 0 "show the session start" -- "$CUSTOS" audit show --home "$H" --operation session-start
expect_in "$WORK/out" 'session-start key-test: ok; .*network: interfaces up: ceremony0' "recorded at start-up"
expect_rc 0 "audit verify at the end" -- "$CUSTOS" audit verify --home "$H"
finish
