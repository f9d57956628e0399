#!/usr/bin/env bash
# The CA engine through the application: sign an issuing-CA CSR (bad file and
# a subject the profile refuses reported before any card; the review shows
# the CSR's hash; a wrong time refused), revoke it, issue a CRL, read the
# audit log; the dashboard counts it all, and independent tools agree.  Runs
# in a network namespace with nothing up when it can (`unshare -n`); else the
# operator goes on with the network up, which is recorded.
. "$(dirname "$0")/lib.bash"
command -v openssl >/dev/null || { echo "SKIP: openssl missing"; exit 77; }

HOME_DIR=$WORK/ca
mkdir "$WORK/cards"
"$CUSTOS" init --home "$HOME_DIR" --subject "/C=US/O=Example/CN=Signing Root" --key ec-p256 \
	--threshold 2 --custodian alice --custodian bob --custodian carol --shares-out "$WORK/cards" \
	--operator Olivia >/dev/null
"$CUSTOS" key activate --home "$HOME_DIR" --share-file "$WORK/cards/alice.share" \
	--share-file "$WORK/cards/bob.share" --operator Olivia >/dev/null 2>&1
for c in alice bob carol; do tr ' ' '\n' <"$WORK/cards/$c.share" | grep . >"$WORK/$c.words"; done
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/sub.key" \
	-subj "/C=US/O=Example/CN=Example Issuing CA 1" -out "$WORK/sub.csr" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/noc.key" \
	-subj "/O=Example/CN=No Country CA" -out "$WORK/noc.csr" 2>/dev/null
csr_sha=$(openssl req -in "$WORK/sub.csr" -outform DER | sha256sum | cut -c1-64)

airgapped=0
if unshare -n true 2>/dev/null; then
	airgapped=1
	printf '#!/bin/sh\nexec unshare -n %s "$@"\n' "$CUSTOS" >"$WORK/custos-airgapped"
	chmod +x "$WORK/custos-airgapped"
	CUSTOS_TUI=$WORK/custos-airgapped
else
	CUSTOS_TUI=$CUSTOS
fi

# confirm_time: the operator types the UTC time (and goes on with the network if it is up).
confirm_time() {
	expect_screen "Confirm the time and the air gap" "the time is confirmed first"
	text "$(date -u +%Y-%m-%dT%H:%MZ)"
	keys Enter
	sleep 0.3
	if screen | grep -q "Sign with the network up"; then
		keys Right Enter
	fi
}

CUSTOS=$CUSTOS_TUI start_tui 100 30 tui --home "$HOME_DIR"
as_operator
expect_screen "Certificates +0 issued, 0 revoked" "the dashboard counts certificates"
expect_screen "CRL +none issued yet" "no CRL yet"
expect_screen "Audit log +intact, [0-9]+ records; checkpoint" "the audit log's state"
if [ "$airgapped" = 1 ]; then
	expect_screen "Air gap +air-gapped: no interface up but loopback" "the air gap, scanned"
fi

# Sign: the file and the profile are checked before anything else.
keys s
expect_screen "Sign an issuing-CA CSR: choose the file" "the CSR chooser"
expect_screen "Type a path" "typing a path is offered"
keys t
expect_screen "Sign an issuing-CA CSR" "the CSR screen"
text "$WORK/missing.csr"; keys Tab
expect_screen "missing.csr does not exist" "a missing file is reported"
keys C-u; text "$WORK/noc.csr"; keys Tab
expect_screen "requires C in the subject" "the profile's rule is applied before any card"
keys C-u; text "$WORK/sub.csr"; keys Tab Enter
expect_screen "Sign this issuing-CA CSR\\?" "the review"
expect_screen "CSR SHA-256: +$csr_sha" "the review shows the CSR's SHA-256"
expect_screen "Subject: +/C=US/O=Example/CN=Example Issuing CA 1" "and its subject"
keys y
expect_screen "Confirm the time and the air gap" "the time is confirmed first"
text "2001-01-01T00:00Z"; keys Enter
expect_screen "more than 5 minutes apart" "a wrong time is refused"
keys C-u
text "$(date -u +%Y-%m-%dT%H:%MZ)"; keys Enter
sleep 0.3
if screen | grep -q "Sign with the network up"; then keys Right Enter; fi
expect_screen "Quorum to sign the CSR: 2 of 3" "the quorum to sign"
type_card "$WORK/alice.words" 4
expect_screen "Accepted: 1 of 2: alice" "alice"
type_card "$WORK/carol.words" 4
expect_screen "The issuing CA's certificate is signed" "signed" 120
serial=$(screen | grep -oE "Serial [0-9a-f]{40}" | cut -d' ' -f2)
expect_screen "to read aloud: " "the certificate's hash as words"
expect_screen "transcript, signed by the root key" "the signing transcript"
cert=$HOME_DIR/exports/cert-$serial.pem
if openssl verify -x509_strict -CAfile "$HOME_DIR/root.pem" "$cert" >/dev/null 2>&1; then
	pass
else
	fail "openssl verifies the certificate written to exports/"
fi
keys Enter
expect_screen "Export the certificate now\\?" "an export is offered after signing"
keys Enter
expect_screen "Certificates +1 issued, 0 revoked" "the dashboard counts the new certificate"

# Revoke it: the word must be typed.
keys x
expect_screen "Revoke a certificate: which one" "the revocation screen"
expect_screen "${serial:0:16}\\.\\.\\. +valid" "the certificate is listed"
keys Right
expect_screen "< keyCompromise >" "the reason is chosen"
keys Enter
expect_screen "Revoke this certificate\\?" "the decision"
expect_screen "Type revoke to enable \\[ Revoke it \\]" "it must be typed"
text revoke; keys Right Enter
confirm_time
expect_screen "Revocation recorded" "revoked"
keys Enter
expect_screen "Certificates +1 issued, 1 revoked" "the dashboard counts the revocation"

# Issue the CRL.
keys c
expect_screen "Issue CRL number 1\\?" "the CRL decision names its number"
keys y
confirm_time
expect_screen "Quorum to sign the CRL" "the quorum for the CRL"
type_card "$WORK/bob.words" 4
expect_screen "Accepted: 1 of 2: bob" "bob"
type_card "$WORK/carol.words" 4
expect_screen "The CRL is issued" "the CRL is issued" 120
expect_screen "CRL number 1, 1 revoked certificate" "it lists the revocation"
keys Enter
expect_screen "Export the CRL now\\?" "an export is offered after a CRL"
keys Enter
expect_screen "CRL +no. 1, 1 revoked; next due in" "the dashboard shows the CRL"
out=$(openssl verify -crl_check -CRLfile "$HOME_DIR/exports/crl-1.pem" -CAfile "$HOME_DIR/root.pem" \
	"$cert" 2>&1 || true)
grep -q "certificate revoked" <<<"$out" && pass || fail "openssl sees the certificate revoked by the CRL: $out"

# The audit log, in the application.
keys a
expect_screen "Intact: [0-9]+ records, every checkpoint genuine" "the audit viewer verifies the log"
expect_screen "session-end crl: ok" "the last session is listed"
keys Up Enter
expect_screen "Audit record" "a record shown whole"
keys Enter Escape
expect_screen "Certificates +1 issued" "back on the dashboard"
keys q
expect_screen "^custos exited 0" "q quits"

"$CUSTOS" audit verify --home "$HOME_DIR" >/dev/null 2>&1 && pass || fail "the audit log verifies"
"$CUSTOS" audit show --home "$HOME_DIR" >"$WORK/audit"
grep -qE "Olivia \\(operator\\) sign $serial: ok" "$WORK/audit" && pass || fail "the signing is recorded"
grep -qE "Olivia \\(operator\\) revoke $serial: ok" "$WORK/audit" && pass || fail "the revocation is recorded"
grep -qE "Olivia \\(operator\\) crl 1: ok" "$WORK/audit" && pass || fail "the CRL is recorded"
"$CUSTOS" list --home "$HOME_DIR" | grep -q "$serial.*revoked" && pass || fail "list shows the certificate revoked"
finish
