#!/usr/bin/env bash
# The key ceremony through the application: first run, the new-CA wizard
# (a field refused at once), a 2-of-3 CA with one passphrase, every card
# shown and typed back (in full, as a spot check, with mistakes caught), the
# share as a QR code; then the command line agrees, the cards read from the
# screen open the vault, and nothing of any share is left in the pane.
. "$(dirname "$0")/lib.bash"

HOME_DIR=$WORK/ca
VOCAB_HOME=$HOME_DIR
start_tui 100 30 tui --home "$HOME_DIR"
as_operator

# First run: the explanation, and help for it.
expect_screen "There is no CA in $HOME_DIR yet" "first run opens on the new-CA explanation"
expect_screen "every custodian, each with a blank share card" "the explanation says who must be present"
keys F1
expect_screen "Help: New CA" "F1 shows the screen's help"
keys Enter
wait_for "Press Enter to begin"
expect_not_screen "Help:" "any key closes the help"
keys Enter

# Page 1: the certificate.  A bad country is refused when the field is left.
expect_screen "Step 1 of 3: the root certificate" "the wizard's first page"
expect_screen "Olivia  [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{5} UTC" "the header names the operator"
text "Test Root CA"; keys Tab
text "Example"; keys Tab Tab
text "us"; keys Tab
expect_screen "C must be two capital letters" "a bad field is reported as soon as it is left"
keys C-u; text "US"; keys Tab
keys Right Tab # ec-p384 -> ec-p256
text "0"; keys Enter
expect_screen "The root is valid for 2922 to 9132 days" "the validity is checked"
keys BSpace Enter

# Page 2: the custodians.  A duplicate name is refused.
expect_screen "Step 2 of 3: the custodians" "the custodians page"
keys Tab Tab
text "alice"; keys Tab Tab
text "alice"; keys Tab
expect_screen "[Cc]ustodian 'alice' is named twice" "a duplicate custodian is refused by the core's plan check"
keys C-u; text "bob"; keys Tab Tab
text "carol"; keys Tab Right Enter

# Review: an explicit decision.
expect_screen "Step 3 of 3: create this CA\\?" "the review"
expect_screen "Custodians:  alice, bob, carol \\(passphrase\\)" "the review lists the custodians"
expect_screen "any 2 of the 3 custodians" "the review states the quorum"
keys Right Enter

# alice: hand-over, words, QR code, typed back in full with two mistakes caught.
expect_screen "Share 1 of 3: hand the laptop to alice" "hand-over to the first custodian"
keys Enter
expect_screen "alice: your share. Write these 33 words" "alice's words are shown"
read_card "$WORK/alice.words"
[ "$(wc -l <"$WORK/alice.words")" -eq 33 ] && pass || fail "33 words shown for alice"
if command -v zbarimg >/dev/null && command -v python3 >/dev/null; then
	keys q
	wait_for "█"
	if [ "$(qr_text)" = "$(tr 'a-z\n' 'A-Z ' <"$WORK/alice.words" | sed 's/ $//')" ]; then
		pass
	else
		fail "the QR code decodes to alice's words"
	fi
	keys Escape
	expect_screen "alice: your share" "the QR code goes back to the words"
fi
keys Enter
expect_screen "alice: type your card back" "the re-type screen"
expect_not_screen "[0-9]{1,2}\\. [a-z]+" "the words are gone when the card is typed back"
text "zzzz"
expect_screen "Word 1: no word of the list starts with the letters typed" "an unknown word is reported at once"
first=$(head -1 "$WORK/alice.words")
wrong=acid; [ "$first" = acid ] && wrong=acne
text "$wrong "
expect_screen "Word 1 does not match the card shown" "a word that is not the card's is reported at once"
type_card "$WORK/alice.words" 4
expect_screen "alice's card is confirmed" "alice's card, typed back, is confirmed"
keys Enter

# bob: typed back as a spot check of 8 words chosen at random.
expect_screen "Share 2 of 3: hand the laptop to bob" "hand-over to bob"
keys Enter
expect_screen "bob: your share" "bob's words are shown"
read_card "$WORK/bob.words"
keys s
expect_screen "bob: type back the 8 words asked for" "the spot check"
positions=$(screen | grep -oE '[0-9]{1,2} (>_|\s+\.{8})' | awk '{print $1}' | sort -n)
[ "$(echo "$positions" | wc -w)" -eq 8 ] && pass || fail "8 positions asked: $positions"
for p in $positions; do text "$(sed -n "${p}p" "$WORK/bob.words") "; done
expect_screen "bob's card is confirmed" "bob's spot check is confirmed"
keys Enter

# carol: a passphrase (too short, then mistyped, then right), then the card.
expect_screen "Hand the laptop to carol" "hand-over to carol"
keys Enter
expect_screen "carol: choose a passphrase" "carol sets a passphrase"
text "short"; keys Enter
expect_screen "At least 8 characters" "a short passphrase is refused"
keys C-u; text "carol's secret 1"; keys Enter
text "carol's secret 2"; keys Enter
expect_screen "The two entries differ" "two different entries are refused"
text "carol's secret 1"; keys Enter
text "carol's secret 1"; keys Enter
expect_screen "carol: your share" "carol's words are shown after the passphrase" 120
expect_screen "passphrase-protected" "carol's card says it is passphrase-protected"
read_card "$WORK/carol.words"
keys Enter
type_card "$WORK/carol.words"
expect_screen "carol's card is confirmed" "carol's card is confirmed"
keys Enter

# The CA exists; its fingerprint is shown to be read aloud.
expect_screen "The CA is created" "the CA is created" 120
expect_screen "Its SHA-256, to read aloud" "the transcript's hash is shown to be read aloud"
fp=$(screen | grep -E '^  ([0-9a-f]{4} ){7}[0-9a-f]{4}\s*$' | tr -d ' \n')
[ "${#fp}" -eq 64 ] && pass || fail "the fingerprint is shown in full ($fp)"
keys Enter
expect_screen "Quorum +2 of 3: alice, bob, carol \\(passphrase\\)" "the dashboard shows the quorum"
expect_screen "State +pre-active" "the dashboard shows the key state"
expect_screen "Certificates +0 issued, 0 revoked" "a new CA has issued nothing"
expect_screen "Audit log +intact, 7 records; checkpoint" "the key ceremony's records are signed"
no_share_words "after delivery, while the application runs" "$WORK"/*.words

keys q
expect_screen "^custos exited 0" "q quits"
expect_clean_history "after the application ended"
no_share_words "after the application ended" "$WORK"/*.words

# The command line agrees.
"$CUSTOS" status --home "$HOME_DIR" >"$WORK/status"
grep -q "subject: *  /C=US/O=Example/CN=Test Root CA" "$WORK/status" && pass || fail "status: subject"
grep -q "key: *ec-p256" "$WORK/status" && pass || fail "status: key"
grep -q "quorum: *2 of 3 custodians" "$WORK/status" && pass || fail "status: 2 of 3"
grep -q "custodian: *carol (member 3, passphrase)" "$WORK/status" && pass || fail "status: carol's passphrase"
grep -q "root SHA-256: *$fp" "$WORK/status" && pass || fail "status: the fingerprint read aloud"

# The ceremony is in the audit log, under the operator's name, intact and signed.
"$CUSTOS" audit show --home "$HOME_DIR" >"$WORK/audit"
grep -qE "Olivia \(operator\) init /C=US/O=Example/CN=Test Root CA: ok" "$WORK/audit" && pass ||
	fail "the audit log records init by the operator"
[ "$(grep -cE "\(custodian\) share-issued: ok" "$WORK/audit")" -eq 3 ] && pass ||
	fail "the audit log records one card issued per custodian"
grep -qE "alice|bob|carol" "$WORK/audit" && ! grep -qiE "$(head -3 "$WORK/alice.words" | paste -sd' ')" "$WORK/audit" &&
	pass || fail "the audit log names custodians, never their words"
"$CUSTOS" audit verify --home "$HOME_DIR" >/dev/null 2>&1 && pass || fail "the audit log verifies"
ls "$HOME_DIR"/transcripts/*init* >/dev/null 2>&1 && pass || fail "the key ceremony's transcript is written"

# The cards as read from the screen open the vault.
for c in alice bob carol; do tr '\n' ' ' <"$WORK/$c.words" >"$WORK/$c.share"; done
if "$CUSTOS" key test --home "$HOME_DIR" --share-file "$WORK/alice.share" \
	--share-file "$WORK/bob.share" >"$WORK/out" 2>&1 && grep -q "the quorum opens the vault" "$WORK/out"; then
	pass
else
	fail "alice's and bob's cards open the vault: $(cat "$WORK/out")"
fi
printf "carol=carol's secret 1\n" >"$WORK/pass"
if "$CUSTOS" shares verify --home "$HOME_DIR" --share-file "$WORK/carol.share" \
	--passphrases-from "$WORK/pass" >"$WORK/out" 2>&1; then
	pass
else
	fail "carol's card with her passphrase verifies: $(cat "$WORK/out")"
fi
finish
