# Shared by the command-line tests: a scratch directory and expectations.
set -euo pipefail
: "${CUSTOS:?CUSTOS must name the custos binary}"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failures=0
passes=0

pass() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# expect_rc WANT DESCRIPTION -- command...: runs the command, captures stdout/stderr in
# $WORK/out and $WORK/err, and checks the exit code.
expect_rc() {
	local want=$1 what=$2 rc=0
	shift 3
	"$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
	if [ "$rc" -eq "$want" ]; then pass; else fail "$what: exit $rc, want $want; stderr: $(cat "$WORK/err")"; fi
}

# expect_in FILE PATTERN DESCRIPTION: grep -E PATTERN must match in FILE.
expect_in() {
	if grep -qE -- "$2" "$1"; then pass; else fail "$3: '$2' not in $(basename "$1"): $(head -c 400 "$1")"; fi
}

finish() {
	echo "$passes passed, $failures failed"
	[ "$failures" -eq 0 ]
}
