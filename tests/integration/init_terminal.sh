#!/usr/bin/env bash
# `custos init` without --shares-out, on a terminal (tmux): each custodian is
# called in turn, shown their words on a cleared screen, and types them back
# (a mistyped card is refused and asked again); afterwards no share word is in
# the terminal's history, and the shares read off the screen open the vault.
. "$(dirname "$0")/lib.bash"
command -v tmux >/dev/null || { echo "tmux is not installed (scripts/install-deps)"; exit 1; }
T=(tmux -L "custos-init-$$")
trap '"${T[@]}" kill-server 2>/dev/null; rm -rf "$WORK"' EXIT

# wait_for TEXT: polls the pane until TEXT shows (at most 20 s).
wait_for() {
	local i
	for i in $(seq 1 200); do
		"${T[@]}" capture-pane -p -J -t c | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	fail "the screen never showed '$1': $("${T[@]}" capture-pane -p -t c | grep -v '^$' | tail -5)"
	return 1
}
shown_words() { "${T[@]}" capture-pane -p -J -t c | grep -A2 'write these words' | tail -1 | sed 's/^ *//'; }

"${T[@]}" new-session -d -s c -x 120 -y 30 \
	"'$CUSTOS' init --home '$WORK/ca' --subject /CN=Terminal --key ec-p256 --threshold 2 --custodian alice --custodian bob; echo init-exit=\$? > '$WORK/init.out'; sleep 60"
: >"$WORK/shares"
for who in alice bob; do
	wait_for "Press Enter when $who is ready" || break
	"${T[@]}" send-keys -t c Enter
	wait_for "$who, write these words" || break
	words=$(shown_words)
	[ "$(echo "$words" | wc -w)" -eq 33 ] && pass || fail "$who was shown $(echo "$words" | wc -w) words"
	echo "$words" >>"$WORK/shares"
	"${T[@]}" send-keys -t c Enter
	wait_for "$who, type your card back" || break
	if [ "$who" = alice ]; then
		# A wrong card first: refused, asked again.
		wrong=$(echo "$words" | awk '{ $5 = ($5 == "academic") ? "acid" : "academic"; print }')
		"${T[@]}" send-keys -t c "$wrong" Enter
		wait_for "does not match the share shown" && pass
	fi
	# Typed back by four-letter prefixes.
	"${T[@]}" send-keys -t c "$(echo "$words" | tr ' ' '\n' | cut -c1-4 | paste -sd' ')" Enter
done
for i in $(seq 1 200); do grep -q init-exit "$WORK/init.out" 2>/dev/null && break; sleep 0.1; done
grep -q 'init-exit=0' "$WORK/init.out" && pass || fail "init did not finish: $(cat "$WORK/init.out")"
history=$("${T[@]}" capture-pane -p -J -S - -t c)
while read -r words; do
	fragment=$(echo "$words" | cut -d' ' -f3-8)
	if grep -qF -- "$fragment" <<<"$history"; then fail "share words left in the terminal history"; else pass; fi
done <"$WORK/shares"
expect_rc 0 "the shares shown open the vault" -- "$CUSTOS" key test --home "$WORK/ca" --shares-from "$WORK/shares"
finish
