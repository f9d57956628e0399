# Shared by the TUI tests: the application runs in a detached tmux session
# of a fixed size on a private tmux server; keys go in with send-keys, the
# screen comes back with capture-pane.  Every wait is bounded.
set -euo pipefail
: "${CUSTOS:?CUSTOS must name the custos binary}"
[ -x "$CUSTOS" ] || { echo "FAIL: $CUSTOS is not an executable"; exit 1; }
command -v tmux >/dev/null || { echo "SKIP: tmux is not installed"; exit 77; }

WORK=$(mktemp -d)
SOCK="custos-tui-$$"
S=app
failures=0
passes=0
export LANG=C.UTF-8 LC_ALL=C.UTF-8
# Argon2id and key generation are slower under the sanitizers.
WAIT=${TUI_WAIT:-60}

tm() { tmux -L "$SOCK" "$@"; }
cleanup() {
	tm kill-server 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

pass() { passes=$((passes + 1)); }
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}
finish() {
	echo "$passes passed, $failures failed"
	[ "$failures" -eq 0 ]
}

# start_tui COLS LINES ARGS...: runs `custos ARGS` in a fresh session (with
# the VAR=value words of $TUI_ENV in its environment).  When custos ends, the
# pane says "custos exited N" and stays, so it can be read.
start_tui() {
	local cols=$1 lines=$2 env=(-e "CUSTOS_OPERATOR=${OPERATOR:-Olivia}") v
	shift 2
	for v in ${TUI_ENV:-}; do env+=(-e "$v"); done
	printf '%q ' "$CUSTOS" "$@" >"$WORK/cmd"
	tm -f /dev/null new-session -d -s "$S" -x "$cols" -y "$lines" "${env[@]}" \
		"$(cat "$WORK/cmd"); echo \"custos exited \$?\"; exec sleep 100000"
	tm set-option -g history-limit 5000 >/dev/null
}

# as_operator: the start-up screen, where the operator ($CUSTOS_OPERATOR) is confirmed.
as_operator() {
	expect_screen "Who is operating custos\\?" "the operator names themselves first"
	keys Enter Enter
}

screen() { tm capture-pane -p -t "$S"; }
history() { tm capture-pane -p -J -S - -E - -t "$S"; }
keys() { tm send-keys -t "$S" "$@"; }
text() { tm send-keys -t "$S" -l "$1"; }

# wait_for PATTERN [SECONDS]: polls the screen until grep -E finds PATTERN.
wait_for() {
	local pattern=$1 limit=${2:-$WAIT} i
	for ((i = 0; i < limit * 20; i++)); do
		if screen | grep -qE -- "$pattern"; then
			return 0
		fi
		sleep 0.05
	done
	echo "timed out after ${limit}s waiting for: $pattern" >&2
	echo "---- screen ----" >&2
	screen >&2
	echo "----------------" >&2
	return 1
}

# expect_screen PATTERN WHAT [SECONDS]: wait_for, counted as a check.  The
# steps that follow depend on it, so a miss ends the test.
expect_screen() {
	if wait_for "$1" "${3:-$WAIT}"; then
		pass
	else
		fail "$2"
		finish
		exit 1
	fi
}

# expect_not_screen PATTERN WHAT: the screen does not match now.
expect_not_screen() {
	if screen | grep -qE -- "$1"; then fail "$2: '$1' is on the screen"; else pass; fi
}

# read_card FILE: the numbered words on the screen ("12. word"), in order, one a line.
read_card() {
	screen | grep -oE '[0-9]{1,2}\. [a-z]+' | sort -n | awk '{print $2}' >"$1"
}

# type_card FILE [FIRST-N-LETTERS]: types every word, then a space.
type_card() {
	local w n=${2:-0}
	while read -r w; do
		if [ "$n" -gt 0 ]; then text "${w:0:$n} "; else text "$w "; fi
	done <"$1"
}

# qr_text: decodes the QR code on the screen (needs python3 and zbarimg).
qr_text() {
	screen >"$WORK/qr.txt"
	python3 - "$WORK/qr.txt" "$WORK/qr.pbm" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
rows = [l for l in lines if any(c in l for c in "\u2588\u2580\u2584")]
w = max(len(l) for l in rows)
top = {"\u2580": 1, "\u2588": 1}
bottom = {"\u2584": 1, "\u2588": 1}
grid = []
for l in rows:
    l = l.ljust(w)
    grid.append([top.get(c, 0) for c in l])
    grid.append([bottom.get(c, 0) for c in l])
scale, margin = 4, 6
W, H = (w + 2 * margin) * scale, (len(grid) + 2 * margin) * scale
out = ["P1", "%d %d" % (W, H)]
for y in range(H):
    gy = y // scale - margin
    out.append(" ".join(str(grid[gy][x // scale - margin]) if 0 <= gy < len(grid) and
                        0 <= x // scale - margin < w else "0" for x in range(W)))
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
	zbarimg --raw -q "$WORK/qr.pbm" 2>/dev/null
}

# After custos has ended: the pane, scrollback included, holds nothing but
# its exit line and start-up warnings -- no trace of what the application showed.
expect_clean_history() {
	local extra
	extra=$(history | grep -vE '^\s*$|^custos exited 0$|^custos: warning: ' || true)
	if [ -z "$extra" ]; then pass; else fail "$1: left in the pane history: $(echo "$extra" | head -5)"; fi
}

# no_share_words WHAT FILE...: no word of the cards is in the pane history,
# except words the application shows as its own text or data: its sources
# (ui/tui*.c, ceremony/cer_env.c) and what `custos status` and `custos audit
# show` print for the CA (set VOCAB_HOME); and no numbered word grid.
no_share_words() {
	local what=$1 hist w leaked="" vocab=$WORK/vocab.txt
	shift
	cat "$TESTS"/../ui/tui*.c "$TESTS"/../ceremony/cer_env.c >"$vocab"
	if [ -n "${VOCAB_HOME:-}" ]; then
		"$CUSTOS" status --home "$VOCAB_HOME" >>"$vocab" 2>/dev/null || true
		"$CUSTOS" audit show --home "$VOCAB_HOME" >>"$vocab" 2>/dev/null || true
	fi
	hist=$(history)
	for w in $(cat "$@" | sort -u); do
		if grep -qw -- "$w" <<<"$hist" && ! grep -qw -- "$w" "$vocab"; then
			leaked="$leaked $w"
		fi
	done
	if grep -qE '[0-9]{1,2}\. [a-z]{4,8}' <<<"$hist"; then
		leaked="$leaked (a numbered word grid)"
	fi
	if [ -z "$leaked" ]; then pass; else fail "$what: share words in the pane history:$leaked"; fi
}
