#!/usr/bin/env bash
# Quorum entry: cards typed word by word.  An unknown word is reported at
# once; a card with a wrong word (checksum), a card of another CA and a card
# counted twice are reported and not counted; the quorum is met by two good
# cards and opens the vault; then the key is activated through the
# confirm-then-quorum pattern, and Esc abandons a quorum.
. "$(dirname "$0")/lib.bash"

HOME_DIR=$WORK/ca
mkdir "$WORK/cards" "$WORK/other"
"$CUSTOS" init --home "$HOME_DIR" --subject "/CN=Quorum Test Root" --key ec-p256 --threshold 2 \
	--custodian alice --custodian bob --custodian carol --shares-out "$WORK/cards" >/dev/null
"$CUSTOS" init --home "$WORK/other-ca" --subject "/CN=Another Root" --key ec-p256 --threshold 2 \
	--custodian dave --custodian erin --shares-out "$WORK/other" >/dev/null
for c in alice bob carol; do tr ' ' '\n' <"$WORK/cards/$c.share" | grep . >"$WORK/$c.words"; done
tr ' ' '\n' <"$WORK/other/dave.share" | grep . >"$WORK/dave.words"
# alice's card with word 10 replaced by another word of the list: well-formed words, bad checksum.
w10=$(sed -n 10p "$WORK/alice.words")
other=academic; [ "$w10" = academic ] && other=acid
sed "10s/.*/$other/" "$WORK/alice.words" >"$WORK/typo.words"

start_tui 100 30 tui --home "$HOME_DIR"
as_operator
expect_screen "Quorum +2 of 3: alice, bob, carol" "the dashboard"
keys t
expect_screen "Test that the quorum opens the vault\\?" "the decision comes first"
keys y
expect_screen "Quorum test: 2 of 3 custodians must type their cards" "the quorum screen"
expect_screen "Accepted: 0 of 2" "nothing accepted yet"

# Letters are not echoed; a word appears once confirmed.
text "$(head -c 3 "$WORK/alice.words")"
expect_screen " 1 >•••_" "letters typed show as dots"
expect_not_screen " 1 >$(head -c 3 "$WORK/alice.words")" "letters typed are not shown"
keys C-u
text "qqqq"
expect_screen "Word 1: no word of the list starts with the letters typed" "an unknown word is reported at once"

# A mistyped (but valid) word: the checksum fails, not counted.
type_card "$WORK/typo.words" 4
expect_screen "Not counted: the checksum fails" "a mistyped card is reported"
expect_screen "Accepted: 0 of 2" "a mistyped card is not counted"
expect_not_screen " 1  $(head -1 "$WORK/alice.words")" "the refused card's words are wiped from the screen"

# Another CA's card: not counted.
type_card "$WORK/dave.words"
expect_screen "Not counted: this card is not one of this CA's current cards" "another CA's card is reported"
expect_screen "another CA or share set" "the core's reason is shown"
expect_screen "Accepted: 0 of 2" "another CA's card is not counted"

# alice, then alice again, then carol.
type_card "$WORK/alice.words" 4
expect_screen "Accepted alice's card. Next custodian, please." "alice's card is accepted"
expect_screen "Accepted: 1 of 2: alice" "progress names alice"
type_card "$WORK/alice.words" 4
expect_screen "Not counted again: alice's card is already counted" "a card counted twice is reported"
expect_screen "Accepted: 1 of 2: alice" "a duplicate is not counted"
# Backspace on an empty word goes back one word.
text "$(sed -n 1p "$WORK/carol.words") $(sed -n 2p "$WORK/carol.words") "
expect_screen " 2  $(sed -n 2p "$WORK/carol.words")" "a confirmed word is echoed"
keys BSpace
expect_screen " 2 >_" "backspace on an empty word reopens the previous one"
tail -n +2 "$WORK/carol.words" >"$WORK/carol-rest.words"
type_card "$WORK/carol-rest.words" 4
expect_screen "The quorum opens the vault" "the quorum of alice and carol opens the vault" 120
keys Enter
expect_screen "State +pre-active" "back on the dashboard"

# Key state: choose, decide, quorum, done.
keys k
expect_screen "Change the key state: the key is now pre-active" "the key state screen"
keys Enter
expect_screen "Change the key state from pre-active to active\\?" "the decision names both states"
keys y
expect_screen "Quorum to make the key active" "the quorum for the state change"
type_card "$WORK/bob.words" 4
expect_screen "Accepted: 1 of 2: bob" "bob's card is accepted"
type_card "$WORK/carol.words"
expect_screen "Key state changed: pre-active to active" "the key is activated" 120
keys Enter
expect_screen "State +active since" "the dashboard shows the new state"
"$CUSTOS" status --home "$HOME_DIR" | grep -q "key state: *active" && pass || fail "status says active"

# Destroying needs the word typed; Esc on the decision changes nothing.
keys k
expect_screen "the key is now active" "the key state screen again"
keys Down Down Enter
expect_screen "Change the key state from active to destroyed\\?" "the destroy decision"
expect_screen "Type destroy to enable" "destroy must be typed"
keys Right Enter
expect_screen "Type destroy first" "the action cannot be chosen without the word"
keys Escape
expect_screen "State +active since" "Esc cancels"

# Esc abandons a quorum and wipes what was typed.
keys t
expect_screen "Test that the quorum opens the vault" "decision"
keys y
expect_screen "Accepted: 0 of 2" "a new quorum"
type_card "$WORK/alice.words" 4
expect_screen "Accepted: 1 of 2: alice" "alice again"
text "$(sed -n 1p "$WORK/bob.words") "
keys Escape
expect_screen "Abandon the quorum\\?" "Esc asks first"
expect_screen "the cards accepted so far are forgotten" "and says what is lost"
keys y
expect_screen "State +active since" "abandoned: back on the dashboard"
keys t
expect_screen "Test that" "decision"
keys y
expect_screen "Accepted: 0 of 2" "the abandoned quorum is gone"
keys Escape
expect_screen "State +active since" "Esc with nothing typed leaves at once"
keys q
expect_screen "^custos exited 0" "q quits"
expect_clean_history "after the application ended"

# Everything is in the audit log: the refused cards (never their words), the quorum, the change.
"$CUSTOS" audit show --home "$HOME_DIR" >"$WORK/audit"
grep -qE "\(unidentified share\) \(custodian\) share: refused; share digest|checksum" "$WORK/audit" && pass ||
	fail "the mistyped card is recorded as refused"
grep -qE "share: refused; shares do not belong together" "$WORK/audit" && pass ||
	fail "the other CA's card is recorded as refused"
grep -qE "alice \(custodian\) share: refused; duplicate share" "$WORK/audit" && pass ||
	fail "the duplicate is recorded"
grep -qE "Olivia \(operator\) key-state pre-active -> active: ok" "$WORK/audit" && pass ||
	fail "the state change is recorded under the operator's name"
grep -qE "session-end key-test: cancelled|session-end key-test: .*cancel" "$WORK/audit" && pass ||
	fail "the abandoned quorum is recorded as such"
"$CUSTOS" audit verify --home "$HOME_DIR" >/dev/null 2>&1 && pass || fail "the audit log verifies"
finish
