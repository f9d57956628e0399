#!/usr/bin/env bash
# Abandoning a key ceremony: Esc at a custodian's words abandons the whole
# ceremony (nothing is created, the wizard keeps its parameters), and Ctrl-C
# while a share is on screen quits after one question; either way no CA
# exists, and nothing of the shares remains in the pane.
. "$(dirname "$0")/lib.bash"

HOME_DIR=$WORK/ca
start_tui 100 30 tui --home "$HOME_DIR"
as_operator
expect_screen "There is no CA in" "first run"
keys Enter
expect_screen "Step 1 of 3" "wizard"
text "Abandoned Root"; keys Tab Tab Tab Tab Right Tab Enter
expect_screen "Step 2 of 3" "custodians page"
keys Tab Tab; text "alice"; keys Tab Tab; text "bob"; keys Tab Tab; text "carol"; keys Enter Enter
expect_screen "Step 3 of 3" "review"
keys y
expect_screen "hand the laptop to alice" "alice is called"
keys Enter
expect_screen "alice: your share" "alice's words"
read_card "$WORK/alice.words"
keys Escape
expect_screen "Abandon the whole operation\\?" "Esc asks before abandoning"
expect_screen "destroy them" "and says what to do with cards already written"
keys Right Enter
expect_screen "The CA was not created" "abandoned: not created" 60
expect_screen "cancelled" "the reason is given"
[ ! -e "$HOME_DIR" ] && pass || fail "nothing exists at the home"
keys Enter
expect_screen "Step 2 of 3: the custodians" "back on the wizard, parameters kept"
expect_screen "Custodian 3 +carol" "what was typed is still there"

# Again, and quit with Ctrl-C while bob's words are on the screen.
keys Enter
expect_screen "Step 3 of 3" "review again"
keys y
expect_screen "hand the laptop to alice" "alice is called again"
keys Enter
expect_screen "alice: your share" "alice's new words"
read_card "$WORK/alice2.words"
keys Enter
type_card "$WORK/alice2.words" 4
expect_screen "alice's card is confirmed" "alice confirms"
keys Enter
expect_screen "hand the laptop to bob" "bob is called"
keys Enter
expect_screen "bob: your share" "bob's words"
read_card "$WORK/bob.words"
keys C-c
expect_screen "Quit custos\\?" "Ctrl-C asks first while a ceremony is in progress"
expect_screen "not created" "and says the CA will not be created"
keys y
expect_screen "^custos exited 0" "quit"
[ ! -e "$HOME_DIR" ] && pass || fail "nothing exists at the home after quitting"
[ -z "$(ls "$WORK" | grep -E '^ca\.init-')" ] && pass || fail "no staging directory is left"
expect_clean_history "after quitting mid-ceremony"
VOCAB_HOME="" no_share_words "after quitting mid-ceremony" "$WORK"/*.words
finish
