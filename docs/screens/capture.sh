#!/usr/bin/env bash
# Regenerates the screen captures in docs/screens/ (tmux capture-pane text)
# by driving the application through a whole ceremony on throwaway CAs.
#   CUSTOS=build/custos docs/screens/capture.sh
# The share words in 08-words.txt belong to a CA that was deleted right after.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export TESTS=$here/../../tests
. "$TESTS/tui/lib.bash"
COLS=${COLS_CAPTURE:-80}
ROWS=${ROWS_CAPTURE:-24}

shot() { screen | sed -e 's/[[:space:]]*$//' >"$here/$1.txt"; }

# As on the ceremony laptop: no network (a namespace with nothing up), when possible.
TUI=$CUSTOS
if unshare -n true 2>/dev/null; then
	printf '#!/bin/sh\nexec unshare -n %s "$@"\n' "$CUSTOS" >"$WORK/custos-airgapped"
	chmod +x "$WORK/custos-airgapped"
	TUI=$WORK/custos-airgapped
fi

HOME_DIR=$WORK/ca
CUSTOS=$TUI start_tui "$COLS" "$ROWS" tui --home "$HOME_DIR"
wait_for "Who is operating custos"
shot 01-operator
keys Enter Enter
wait_for "There is no CA in"
shot 02-first-run
keys F1
wait_for "Help:"
shot 03-help
keys Enter Enter
wait_for "Step 1 of 3"
text "Example Root CA 2026"; keys Tab
text "Example Inc."; keys Tab Tab
text "us"; keys Tab
wait_for "C must be two capital letters"
shot 04-wizard-certificate-error
keys C-u; text "US"; keys Tab Tab
wait_for "Validity"
shot 05-wizard-certificate
keys Enter
wait_for "Step 2 of 3"
keys Tab Tab; text "alice"; keys Tab Tab; text "bob"; keys Tab Tab; text "carol"; keys Tab Right
shot 06-wizard-custodians
keys Enter
wait_for "Step 3 of 3"
shot 07-review
keys Right Enter
wait_for "hand the laptop to alice"
shot 08-handover
keys Enter
wait_for "alice: your share"
shot 09-words
read_card "$WORK/alice.words"
keys Enter
wait_for "type your card back"
text "$(head -c 4 "$WORK/alice.words") $(sed -n 2p "$WORK/alice.words" | head -c 4) "
text "zzzz"
wait_for "no word of the list"
shot 10-retype
keys C-u
tail -n +3 "$WORK/alice.words" >"$WORK/rest"
type_card "$WORK/rest" 4
wait_for "card is confirmed"
shot 11-confirmed
keys Enter
for c in bob; do
	wait_for "hand the laptop to $c"; keys Enter
	wait_for "$c: your share"; read_card "$WORK/$c.words"; keys Enter
	type_card "$WORK/$c.words" 4; wait_for "card is confirmed"; keys Enter
done
wait_for "Hand the laptop to carol"; keys Enter
wait_for "choose a passphrase"
text "correct horse battery"; keys Enter; text "correct horse battery"
shot 12-passphrase
keys Enter
wait_for "Protecting carol"
shot 13-progress
wait_for "carol: your share" 120; read_card "$WORK/carol.words"; keys Enter
type_card "$WORK/carol.words" 4; wait_for "card is confirmed"; keys Enter
wait_for "The CA is created" 120
shot 14-created
keys Enter
wait_for "Actions"
shot 15-dashboard
keys q
wait_for "custos exited"
tm kill-session -t "$S"

# A second, active CA for the ceremonies (made on the command line).
H2=$WORK/ca2
mkdir "$WORK/cards"
"$CUSTOS" init --home "$H2" --subject "/C=US/O=Example Inc./CN=Example Root CA 2026" --key ec-p384 \
	--threshold 2 --custodian alice --custodian bob --custodian carol --shares-out "$WORK/cards" \
	--operator Olivia >/dev/null
"$CUSTOS" key activate --home "$H2" --share-file "$WORK/cards/alice.share" \
	--share-file "$WORK/cards/bob.share" --operator Olivia >/dev/null 2>&1
for c in alice bob carol; do tr ' ' '\n' <"$WORK/cards/$c.share" | grep . >"$WORK/2$c.words"; done
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout "$WORK/sub.key" \
	-subj "/C=US/O=Example Inc./CN=Example Issuing CA 1" -out "$WORK/sub.csr" 2>/dev/null
CUSTOS=$TUI start_tui "$COLS" "$ROWS" tui --home "$H2"
wait_for "Who is operating"; keys Enter Enter
wait_for "Actions"
keys t; wait_for "Test that"; keys y
wait_for "Accepted: 0 of 2"
sed '5s/.*/zoo/' "$WORK/2alice.words" | sed '5d' >/dev/null
w5=$(sed -n 5p "$WORK/2alice.words"); other=academic; [ "$w5" = academic ] && other=acid
sed "5s/.*/$other/" "$WORK/2alice.words" >"$WORK/typo"
type_card "$WORK/typo" 4
wait_for "checksum fails"
type_card "$WORK/2bob.words" 4
wait_for "Accepted: 1 of 2: bob"
text "$(head -c 4 "$WORK/2carol.words") "
text "acad"
shot 16-quorum
keys Escape; wait_for "Abandon the quorum"; keys y
wait_for "Actions"
keys k; wait_for "Change the key state"
shot 17-key-state
keys Escape
wait_for "Actions"
keys s; wait_for "Sign an issuing-CA CSR"
text "$WORK/sub.csr"; keys Tab Enter
wait_for "Sign this issuing-CA CSR"
shot 18-sign-review
keys y; wait_for "Confirm the time"
text "$(date -u +%Y-%m-%dT%H:%MZ)"
shot 19-confirm-time
keys Enter; sleep 0.3
if screen | grep -q "Sign with the network up"; then keys Right Enter; fi
wait_for "Quorum to sign"
type_card "$WORK/2alice.words" 4; wait_for "Accepted: 1 of 2"
type_card "$WORK/2carol.words" 4
wait_for "certificate is signed" 120
shot 20-signed
keys Enter; wait_for "Actions"
keys x; wait_for "Revoke a certificate"; keys Right Right Right
shot 21-revoke
keys Escape; wait_for "Actions"
keys c; wait_for "Issue CRL number"; keys y
wait_for "Confirm the time"; text "$(date -u +%Y-%m-%dT%H:%MZ)"; keys Enter; sleep 0.3
if screen | grep -q "Sign with the network up"; then keys Right Enter; fi
wait_for "Quorum to sign the CRL"
type_card "$WORK/2bob.words" 4; wait_for "Accepted: 1 of 2"
type_card "$WORK/2carol.words" 4
wait_for "The CRL is issued" 120
shot 22-crl-issued
keys Enter; wait_for "Actions"
shot 23-dashboard-active
keys a; wait_for "Intact"
shot 24-audit
keys Escape; wait_for "Actions"
tm resize-window -t "$S" -x 60 -y 16
wait_for "The terminal is 60x16"
shot 25-too-small
tm resize-window -t "$S" -x "$COLS" -y "$ROWS"
wait_for "Actions"
keys q
wait_for "custos exited"
tm kill-session -t "$S"

# The share QR code needs a larger terminal.
H3=$WORK/ca3
CUSTOS=$TUI start_tui 100 34 tui --home "$H3"
wait_for "Who is operating"; keys Enter Enter
wait_for "There is no CA"; keys Enter
wait_for "Step 1 of 3"; text "QR Demo Root"; keys Tab Tab Tab Tab Right Tab Enter
wait_for "Step 2 of 3"; keys Tab Tab; text "alice"; keys Tab Tab; text "bob"; keys Tab Tab
text "carol"; keys Enter Enter
wait_for "Step 3 of 3"; keys Right Enter
wait_for "hand the laptop to alice"; keys Enter
wait_for "alice: your share"; keys q
wait_for "█"
shot 26-share-qr
keys Escape
wait_for "alice: your share"; keys Escape; wait_for "Abandon the whole"; keys y
wait_for "was not created" 60
keys C-c; sleep 0.3; keys y
echo "captures written to $here"
