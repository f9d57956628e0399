#!/usr/bin/env bash
# Runs the constant-time checker (tests/ct/ct_shares.c) under valgrind memcheck.
#
#   run.sh check BINARY [CASE...]  fails on any branch or address that depends on
#                                  a secret in shares/ (beyond tests/ct/verdicts)
#   run.sh self-check BINARY       runs the deliberately leaky mode and fails
#                                  unless memcheck reports every planted leak,
#                                  so a checker that cannot fail is noticed
#   run.sh skip REASON             exits 77 (ctest SKIP_RETURN_CODE)
#
# Exits 77 when valgrind is not installed (apt-get install valgrind).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mode=${1:?usage: run.sh check|self-check|skip BINARY [CASE...]}
shift

if [ "$mode" = skip ]; then
	echo "SKIP: $*"
	exit 77
fi
if ! command -v valgrind >/dev/null; then
	echo "SKIP: valgrind is not installed (apt-get install valgrind)"
	exit 77
fi
bin=${1:?missing BINARY}
shift

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Verdict allowances: one "Conditional jump" suppression per source line,
# found by its code text so that it follows edits of shares/.
supp=$work/verdicts.supp
: >"$supp"
while IFS=$'\t' read -r file code why; do
	[[ -z $file || $file == \#* ]] && continue
	lines=$(grep -nF -- "$code" "$root/$file" | cut -d: -f1 || true)
	count=$(wc -w <<<"$lines")
	if [ "$count" -ne 1 ]; then
		echo "ct: verdict '$code' ($why) is on $count lines of $file; update tests/ct/verdicts" >&2
		exit 1
	fi
	base=${file##*/}
	printf '{\n   verdict:%s:%s\n   Memcheck:Cond\n   src:%s:%s\n}\n' \
		"$base" "$lines" "$base" "$lines" >>"$supp"
done <"$here/verdicts"

args=("$@")
[ "$mode" = self-check ] && args=(--self-check)
log=$work/memcheck.log
status=0
valgrind --tool=memcheck --error-exitcode=42 --track-origins=yes --num-callers=30 \
	--suppressions="$here/openssl.supp" --suppressions="$supp" -v --log-fd=2 \
	"$bin" "${args[@]}" 2>"$log" || status=$?
# The run (case names, memcheck's reports in order) up to the error summary,
# without the start-up chatter; then the verdict allowances that were used.
awk '/^== ct / { on = 1 } on && !/^--[0-9]+--/ { print } /ERROR SUMMARY/ && on { exit }' "$log"
grep -e 'used_suppression' "$log" | sed 's/^--[0-9]*-- */allowed: /' || true

case $mode in
check)
	if [ "$status" -eq 42 ]; then
		echo "ct: FAIL: shares/ branches on or indexes by secret data (reports above)"
	elif [ "$status" -ne 0 ]; then
		echo "ct: FAIL: ct_shares exited $status"
	else
		echo "ct: no secret-dependent branch or memory index found"
	fi
	exit "$status"
	;;
self-check)
	# Each planted leak must appear as its own report, named by the function.
	reports=$(awk '
		/== (Conditional jump|Use of uninitialised value)/ { kind = $0; sub(/^==[0-9]+== /, "", kind); want = 1; next }
		want && /== +(at|by) 0x/ { fn = $0; sub(/^.*: /, "", fn); sub(/ \(.*/, "", fn); print kind " @ " fn; want = 0 }
	' "$log")
	fail=0
	for expect in 'Conditional jump.* @ leak_branch' 'Use of uninitialised value of size 8 @ leak_index' \
		'Conditional jump.* @ shr_interpolate'; do
		if grep -qE -- "$expect" <<<"$reports"; then
			echo "self-check: caught: $expect"
		else
			echo "self-check: MISSED: $expect"
			fail=1
		fi
	done
	if [ "$status" -ne 42 ]; then
		echo "self-check: valgrind exited $status, not the error exit code 42"
		fail=1
	fi
	[ "$fail" -eq 0 ] && echo "self-check: the checker fails on secret-dependent code, as it must"
	exit "$fail"
	;;
*)
	echo "usage: run.sh check|self-check|skip BINARY [CASE...]" >&2
	exit 2
	;;
esac
