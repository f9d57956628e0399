#!/usr/bin/env bash
# A process killed anywhere during `shares rotate` leaves a vault that opens
# with either the old or the new share set.  strace kills custos at every
# file-system call of a rotation in turn (the nth openat, write, fsync, link,
# rename or unlink), then the vault is checked with both sets.
. "$(dirname "$0")/lib.bash"
if ! command -v strace >/dev/null; then echo "strace is not installed (scripts/install-deps)"; exit 1; fi

"$CUSTOS" init --home "$WORK/template" --subject /CN=Crash --key ec-p256 --threshold 2 \
	--custodian a --custodian b --custodian c --shares-out "$WORK" >/dev/null
old=(--share-file "$WORK/a.share" --share-file "$WORK/b.share")
# LeakSanitizer cannot run under ptrace: the sanitizer build keeps ASan but not leak checks here.
trace_env=(env ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0")

# How often does a full rotation make each call?
cp -a "$WORK/template" "$WORK/ca"
mkdir "$WORK/new"
"${trace_env[@]}" strace -f -c -o "$WORK/counts" -e trace=openat,write,fsync,link,rename,unlink \
	"$CUSTOS" shares rotate --home "$WORK/ca" "${old[@]}" --shares-out "$WORK/new" >/dev/null 2>&1
points=0 both_fail=0 old_ok=0 new_ok=0
for call in openat write fsync link rename unlink; do
	total=$(awk -v c="$call" '$NF == c { print $4 }' "$WORK/counts")
	[ -n "$total" ] || continue
	for n in $(seq 1 "$total"); do
		rm -rf "$WORK/ca" "$WORK/new"
		cp -a "$WORK/template" "$WORK/ca"
		mkdir "$WORK/new"
		"${trace_env[@]}" strace -f -o /dev/null -e trace="$call" -e inject="$call:signal=KILL:when=$n" \
			"$CUSTOS" shares rotate --home "$WORK/ca" "${old[@]}" --shares-out "$WORK/new" >/dev/null 2>&1 || true
		points=$((points + 1))
		ok=0
		if "$CUSTOS" key test --home "$WORK/ca" "${old[@]}" >/dev/null 2>&1; then ok=1; old_ok=$((old_ok + 1)); fi
		if [ -s "$WORK/new/a.share" ] && [ -s "$WORK/new/b.share" ] &&
			"$CUSTOS" key test --home "$WORK/ca" --share-file "$WORK/new/a.share" --share-file "$WORK/new/b.share" >/dev/null 2>&1; then
			ok=1; new_ok=$((new_ok + 1))
		fi
		if [ "$ok" -eq 1 ]; then pass; else both_fail=$((both_fail + 1)); fail "killed at $call #$n: neither set opens the vault"; fi
		ls "$WORK/ca" | grep -q 'vault\.' && fail "killed at $call #$n: a stale vault file is left after reopening" || true
	done
done
echo "kill points: $points; old set opened $old_ok times, new set $new_ok times"
[ "$points" -gt 20 ] && pass || fail "only $points kill points were tried"
[ "$old_ok" -gt 0 ] && [ "$new_ok" -gt 0 ] && pass || fail "the kill points did not cover both outcomes"
finish
