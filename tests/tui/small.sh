#!/usr/bin/env bash
# Started in a terminal that is too small: a message instead of a crash;
# enlarging it shows the first-run screen; Ctrl-C quits at any size; and
# `custos` with no verb and no terminal prints the usage.
. "$(dirname "$0")/lib.bash"

start_tui 70 20 tui --home "$WORK/ca"
expect_screen "The terminal is 70x20; custos needs at least 80x24" "a too-small terminal gets a message"
expect_screen "Ctrl-C" "and is told how to leave"
keys Enter
tm resize-window -t "$S" -x 80 -y 24
as_operator
expect_screen "There is no CA in $WORK/ca yet" "enlarged: the first-run screen"
tm resize-window -t "$S" -x 40 -y 10
expect_screen "The terminal is 40x10; custos needs at" "a very small terminal: still a message"
keys C-c
expect_screen "^custos exited 0" "Ctrl-C quits"
[ ! -e "$WORK/ca" ] && pass || fail "nothing was created"

# An existing directory that holds no CA: explained, nothing written, exit 1.
tm kill-session -t "$S"
mkdir "$WORK/not-a-ca"
start_tui 80 24 tui --home "$WORK/not-a-ca"
expect_screen "not-a-ca holds no CA" "a directory without a CA is explained"
keys Enter
expect_screen "^custos exited 1" "and custos ends with exit 1"
[ -z "$(ls -A "$WORK/not-a-ca")" ] && pass || fail "nothing was written into it"

# No verb: the application on a terminal, the usage without one.
tm kill-session -t "$S"
start_tui 80 24
expect_screen "Who is operating custos" "custos alone on a terminal starts the application"
keys C-c
expect_screen "^custos exited 0" "and quits"
rc=0
"$CUSTOS" </dev/null >/dev/null 2>"$WORK/err" || rc=$?
[ "$rc" -eq 2 ] && grep -q "usage: custos VERB" "$WORK/err" && pass || fail "no verb and no terminal: usage, exit 2"
rc=0
"$CUSTOS" tui --home "$WORK/ca" </dev/null >/dev/null 2>"$WORK/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "needs a terminal" "$WORK/err" && pass || fail "custos tui without a terminal refuses"
finish
