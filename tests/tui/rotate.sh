#!/usr/bin/env bash
# Share rotation and card verification through the application, on a
# terminal WITHOUT an alternate screen (a terminfo entry made from "screen"
# minus smcup/rmcup): there the application must erase what it showed from
# the scrollback itself.  The new cards are shown, typed back, and open the
# vault; the old ones no longer do.
. "$(dirname "$0")/lib.bash"
command -v tic >/dev/null && command -v infocmp >/dev/null || { echo "SKIP: tic/infocmp missing"; exit 77; }

# A terminal type without the alternate screen.
mkdir "$WORK/terminfo"
infocmp -x screen | sed -e 's/smcup=[^,]*, *//; s/rmcup=[^,]*, *//' \
	-e 's/^screen|.*$/screen-noalt|screen without the alternate screen,/' >"$WORK/noalt.src"
tic -x -o "$WORK/terminfo" "$WORK/noalt.src"
if infocmp -A "$WORK/terminfo" screen-noalt | grep -q smcup; then
	echo "FAIL: could not make a terminal type without smcup"
	exit 1
fi
printf '#!/bin/sh\nTERMINFO=%s TERM=screen-noalt exec %s "$@"\n' "$WORK/terminfo" "$CUSTOS" >"$WORK/custos"
chmod +x "$WORK/custos"
REAL=$CUSTOS
CUSTOS=$WORK/custos

HOME_DIR=$WORK/ca
VOCAB_HOME=$HOME_DIR
mkdir "$WORK/cards"
"$REAL" init --home "$HOME_DIR" --subject "/O=Example/CN=Rotation Root" --key ec-p256 --threshold 2 \
	--custodian alice --custodian bob --shares-out "$WORK/cards" >/dev/null
for c in alice bob; do tr ' ' '\n' <"$WORK/cards/$c.share" | grep . >"$WORK/old-$c.words"; done
old_set=$("$REAL" status --home "$HOME_DIR" | awk '/^share set:/ {print $3}')

start_tui 100 30 tui --home "$HOME_DIR"
as_operator
expect_screen "Quorum +2 of 2: alice, bob" "the dashboard"
expect_screen "Rotate the shares" "the dashboard offers rotation"

# Verify alice's card: nothing is unlocked.
keys v
expect_screen "Verify the custodians' cards\\?" "verification asks first"
keys y
expect_screen "Verified: 0 of 2; not yet: alice, bob" "nothing verified yet"
type_card "$WORK/old-alice.words" 4
expect_screen "alice's card is good" "alice's card verifies"
expect_screen "Verified: 1 of 2: alice; not yet: bob" "progress names who is verified"
keys Escape
expect_screen "Cards verified" "a summary when verification ends"
expect_screen "Verified: 1 of 2: alice; not yet: bob" "naming who was verified and who not"
keys Enter
expect_screen "Rotate the shares" "back on the dashboard"

# Rotate: decide, quorum with the old cards, new cards delivered.
keys r
expect_screen "Rotate the shares\\?" "rotation asks first"
expect_screen "no longer open it" "and says the old cards die"
keys y
expect_screen "Quorum to rotate the shares" "the quorum for rotation"
type_card "$WORK/old-alice.words" 4
expect_screen "Accepted: 1 of 2: alice" "alice's old card counts"
type_card "$WORK/old-bob.words" 4
for c in alice bob; do
	expect_screen "hand the laptop to $c" "hand-over to $c" 120
	keys Enter
	expect_screen "$c: your share" "$c's new words"
	read_card "$WORK/new-$c.words"
	keys Enter
	expect_screen "$c: type your card back" "$c types the new card back"
	type_card "$WORK/new-$c.words" 4
	expect_screen "$c's card is confirmed" "$c's new card is confirmed"
	keys Enter
done
expect_screen "New share set" "the rotation is done" 120
expect_screen "Share set $old_set is retired" "the old set is named retired"
keys Enter
expect_screen "retired" "the dashboard shows the retired set"
no_share_words "after rotation, without an alternate screen" "$WORK"/*.words
keys q
expect_screen "^custos exited 0" "q quits"
expect_clean_history "after the application ended, without an alternate screen"
no_share_words "after the application ended" "$WORK"/*.words

# The new cards open the vault; the old ones are refused.
for c in alice bob; do tr '\n' ' ' <"$WORK/new-$c.words" >"$WORK/new-$c.share"; done
"$REAL" key test --home "$HOME_DIR" --share-file "$WORK/new-alice.share" \
	--share-file "$WORK/new-bob.share" >/dev/null 2>&1 && pass || fail "the new cards open the vault"
if "$REAL" key test --home "$HOME_DIR" --share-file "$WORK/cards/alice.share" \
	--share-file "$WORK/cards/bob.share" >/dev/null 2>&1; then
	fail "the old cards still open the vault"
else
	pass
fi
finish
