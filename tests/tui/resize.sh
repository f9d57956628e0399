#!/usr/bin/env bash
# Terminal handling: the dashboard and the wizard at 80x24; resizing down to
# 80x24, below it (a message, keys ignored) and back keeps the screen usable
# and what was typed; colours, and none under NO_COLOR.
. "$(dirname "$0")/lib.bash"

HOME_DIR=$WORK/ca
mkdir "$WORK/cards"
"$CUSTOS" init --home "$HOME_DIR" --subject "/O=Example/CN=Resize Root" --key ec-p256 --threshold 2 \
	--custodian alice --custodian bob --custodian carol --shares-out "$WORK/cards" >/dev/null

# SGR parameters of colours (30-38, 40-48, 90-107; 39 and 49 are "default") in a capture.
has_colour() {
	tm capture-pane -p -e -t "$S" | python3 -c '
import re, sys
codes = [p for m in re.findall(r"\x1b\[([0-9;]*)m", sys.stdin.read()) for p in m.split(";") if p]
sys.exit(0 if any(int(p) in range(30, 39) or int(p) in range(40, 49) or 90 <= int(p) <= 107
                  for p in codes) else 1)'
}

start_tui 100 30 tui --home "$HOME_DIR"
as_operator
expect_screen "Quorum +2 of 3: alice, bob, carol" "the dashboard at 100x30"
has_colour && pass || fail "colours are used when NO_COLOR is not set"

tm resize-window -t "$S" -x 80 -y 24
expect_screen "^ custos  Resize Root  Dashboard .{20,}UTC$" "the header fits 80 columns"
for line in "Root SHA-256" "Clock \\(UTC\\)" " q  Quit" " k  Change the key state" "letter or arrows\\+Enter act"; do
	expect_screen "$line" "at 80x24 the dashboard still shows: $line"
done
[ "$(screen | awk '{ if (length($0) > 80) n++ } END { print n + 0 }')" -eq 0 ] && pass || fail "no line wider than 80"

# Too small: a message, and keys do nothing.
tm resize-window -t "$S" -x 60 -y 15
expect_screen "The terminal is 60x15; custos needs at least 80x24" "too small: a clear message"
keys q
sleep 0.3
expect_not_screen "custos exited" "keys are ignored while nothing can be seen"
tm resize-window -t "$S" -x 100 -y 30
expect_screen "Quorum +2 of 3: alice, bob, carol" "back to 100x30: the dashboard again"

# Help overlay survives a resize.
keys F1
expect_screen "Help: Dashboard" "the help overlay"
tm resize-window -t "$S" -x 80 -y 24
expect_screen "Help: Dashboard" "the help overlay at 80x24"
keys Escape
expect_screen " q  Quit" "help closed"

# The rotation decision and its quorum screen at 80x24 (the 33-word grid fits).
keys r
expect_screen "Rotate the shares\\?" "a decision at 80x24"
expect_screen "\\[ Cancel \\]   \\[ Continue to the quorum \\]" "its buttons are on screen at 80x24"
keys y
expect_screen "11  \\.{8} +22  \\.{8} +33  \\.{8}" "the whole word grid fits at 80x24"
text "$(head -1 "$WORK/cards/alice.share" | cut -d' ' -f1) "
expect_screen " 2 >_" "a word typed"
tm resize-window -t "$S" -x 100 -y 30
expect_screen " 2 >_" "what was typed survives a resize"
tm resize-window -t "$S" -x 79 -y 24
expect_screen "The terminal is 79x24" "one column too few is too small"
tm resize-window -t "$S" -x 80 -y 24
expect_screen " 2 >_" "and back"
keys Escape
expect_screen "Abandon the quorum\\?" "Esc asks"
keys y
keys q
expect_screen "^custos exited 0" "q quits"
expect_clean_history "after the application ended"

# NO_COLOR: attributes only.
tm kill-session -t "$S"
TUI_ENV="NO_COLOR=1" start_tui 80 24 tui --home "$HOME_DIR"
as_operator
expect_screen "Quorum +2 of 3" "the dashboard under NO_COLOR"
if has_colour; then fail "NO_COLOR is respected"; else pass; fi
keys q
expect_screen "^custos exited 0" "q quits"
finish
