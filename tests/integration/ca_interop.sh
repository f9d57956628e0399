#!/usr/bin/env bash
# The CA engine's output against independent verifiers (DESIGN section 8).
# For every root key algorithm (ec-p256, ec-p384, ec-p521, rsa-3072, rsa-4096) a CA is
# made with a full profile (EKU serverAuth+clientAuth, two policies one with a CPS URI,
# CRL DP and AIA caIssuers URLs, DNS and IP name constraints) and a minimal one; EC
# P-256/P-384 and RSA-2048/3072 CSRs are signed, and each issuing-CA certificate is
# checked with `openssl verify -x509_strict`, GnuTLS `certtool --verify-chain`, NSS
# `vfychain`, and Python cryptography (tests/interop/verify_chain.py: PolicyBuilder with
# cryptography >= 42, else signature and issuer-bytes checks; the path taken is printed).
# The issuer of every certificate must be byte-identical to the root's subject.  The
# extensions are read back with `openssl x509 -text`.  One certificate is revoked and the
# CRL is checked with `certtool --verify-crl`, NSS `crlutil -I`, `certtool --verify
# --load-crl` and `vfychain -m crl` (revoked reported), `openssl verify -crl_check`.
# CRL numbers strictly increase across runs.  A negative control (the same root key, the
# issuer re-encoded) shows the byte-exact issuer checks refuse what OpenSSL accepts.
. "$(dirname "$0")/lib.bash"
for tool in openssl certtool vfychain crlutil certutil python3; do
	command -v "$tool" >/dev/null || { echo "$tool is not installed (scripts/install-deps)"; exit 1; }
done
# Signing verbs run as audited sessions (DESIGN 7): an operator named, the UTC time
# confirmed, and --allow-network (a test machine is not air-gapped; it is recorded).
export CUSTOS_OPERATOR="Test Operator"
signing() { "$CUSTOS" "$1" --confirm-time "$(date -u +%Y-%m-%dT%H:%MZ)" --allow-network "${@:2}"; }
IV=${TESTS:-$(cd "$(dirname "$0")/.." && pwd)}/interop
V=$WORK/verify.log

# py_checks DESCRIPTION ARGS...: runs verify_chain.py, one pass per `ok:` line, one failure
# per `FAIL:` line (and one if it exits non-zero without saying why).
py_path=""
py_checks() {
	local what=$1 rc=0
	shift
	python3 "$IV/verify_chain.py" "$@" >"$V" 2>&1 || rc=$?
	py_path=$(sed -n 's/^path: //p' "$V")
	local n_ok n_fail
	n_ok=$(grep -c '^ok: ' "$V" || true)
	n_fail=$(grep -c '^FAIL: ' "$V" || true)
	passes=$((passes + n_ok))
	grep '^FAIL: ' "$V" | sed "s/^FAIL: /FAIL: $what: python: /" >&2 || true
	failures=$((failures + n_fail))
	if [ "$rc" -ne 0 ] && [ "$n_fail" -eq 0 ]; then fail "$what: verify_chain.py exit $rc: $(tail -5 "$V")"; fi
	[ "$n_ok" -gt 0 ] || fail "$what: verify_chain.py checked nothing"
}

# check DESCRIPTION -- command...: the command must succeed.
check() {
	local what=$1
	shift 2
	if "$@" >"$WORK/cout" 2>&1; then pass; else fail "$what: $(tail -3 "$WORK/cout")"; fi
}
# refuse DESCRIPTION -- command...: the command must fail.
refuse() {
	local what=$1
	shift 2
	if "$@" >"$WORK/cout" 2>&1; then fail "$what: accepted"; else pass; fi
}
text_has() { # text_has FILE PATTERN DESCRIPTION (fixed string)
	if grep -qF -- "$2" "$1"; then pass; else fail "$3: '$2' not in $(basename "$1")"; fi
}
text_lacks() {
	if grep -qF -- "$2" "$1"; then fail "$3: '$2' is in $(basename "$1")"; else pass; fi
}

cat >"$WORK/profiles.json" <<'EOF'
{
  "version": 1,
  "root": { "validity_days": 7305 },
  "issuing_ca": {
    "issuing-ca": {
      "validity_days": 1826,
      "path_len": 0,
      "eku": ["serverAuth", "clientAuth"],
      "policies": [ {"oid": "2.23.140.1.2.1"},
                    {"oid": "1.3.6.1.4.1.55555.1.1", "cps_uri": "https://example.com/cps"} ],
      "crl_url": "http://crl.example.com/root.crl",
      "aia_ca_issuers_url": "http://example.com/root.cer",
      "name_constraints": {
        "permitted_dns": ["example.com"], "excluded_dns": ["bad.example.com"],
        "permitted_ip": ["192.0.2.0/24", "2001:db8::/32"], "excluded_ip": [] },
      "subject": { "allowed": ["C", "ST", "L", "O", "CN"], "required": ["C", "O", "CN"] }
    },
    "minimal": {
      "validity_days": 365, "path_len": 1, "eku": [],
      "subject": { "allowed": ["C", "ST", "O", "OU", "CN"], "required": ["CN"] }
    }
  },
  "crl": { "next_update_days": 7 }
}
EOF

# The issuing CAs' keys and CSRs, made once; the P-384 one asks for extensions that must
# not be copied.
csrs=(p256 p384 rsa2048 rsa3072)
newreq() {
	local name=$1
	shift
	openssl req -new -nodes -subj "/C=US/ST=Texas/O=Example/CN=Issuing CA $name" \
		-keyout "$WORK/$name.key" -out "$WORK/$name.csr" "$@" 2>/dev/null
}
newreq p256 -newkey ec -pkeyopt ec_paramgen_curve:P-256
newreq p384 -newkey ec -pkeyopt ec_paramgen_curve:P-384 \
	-addext "subjectAltName=DNS:evil.example.net" -addext "basicConstraints=critical,CA:TRUE,pathlen:7"
newreq rsa2048 -newkey rsa:2048
newreq rsa3072 -newkey rsa:3072

declare -A sigalg=([ec-p256]=ecdsa-with-SHA256 [ec-p384]=ecdsa-with-SHA384 [ec-p521]=ecdsa-with-SHA512
	[rsa-3072]=sha256WithRSAEncryption [rsa-4096]=sha384WithRSAEncryption)
declare -A keytext=([ec-p256]="NIST CURVE: P-256" [ec-p384]="NIST CURVE: P-384" [ec-p521]="NIST CURVE: P-521"
	[rsa-3072]="Public-Key: (3072 bit)" [rsa-4096]="Public-Key: (4096 bit)")

for alg in ec-p256 ec-p384 ec-p521 rsa-3072 rsa-4096; do
	H=$WORK/$alg
	S=$WORK/$alg.shares
	mkdir "$S"
	expect_rc 0 "$alg: init" -- "$CUSTOS" init --home "$H" --subject "/C=US/O=Example $alg/CN=Interop Root $alg" \
		--key "$alg" --days 3653 --threshold 2 --custodian ann --custodian bo --custodian cy \
		--shares-out "$S" --profiles "$WORK/profiles.json"
	q=(--share-file "$S/ann.share" --share-file "$S/cy.share")
	expect_rc 0 "$alg: activate" -- "$CUSTOS" key activate --home "$H" "${q[@]}"
	R=$H/root.pem
	check "$alg: root verifies (openssl -x509_strict)" -- openssl verify -x509_strict -CAfile "$R" "$R"
	openssl x509 -in "$R" -noout -text >"$WORK/root.txt"
	text_has "$WORK/root.txt" "Signature Algorithm: ${sigalg[$alg]}" "$alg: root signature algorithm"
	text_has "$WORK/root.txt" "${keytext[$alg]}" "$alg: root key"
	pyargs=(--root "$R")
	for c in "${csrs[@]}"; do
		out=$WORK/$alg-$c.pem
		expect_rc 0 "$alg/$c: sign" -- signing sign --home "$H" --csr "$WORK/$c.csr" --out "$out" "${q[@]}"
		serial=$(sed -n 's/^serial: *//p' "$WORK/out")
		[ "$(openssl x509 -in "$out" -noout -serial | cut -d= -f2 | tr A-F a-f)" = "$serial" ] && pass ||
			fail "$alg/$c: the serial printed is not the certificate's"
		check "$alg/$c: openssl verify -x509_strict" -- openssl verify -x509_strict -CAfile "$R" "$out"
		check "$alg/$c: certtool --verify-chain" -- bash -c 'certtool --verify-chain --infile <(cat "$1" "$2")' _ "$out" "$R"
		check "$alg/$c: vfychain -pp -u 3" -- vfychain -pp -u 3 -a "$out" -t -a "$R"
		text_has "$WORK/cout" "Chain is good!" "$alg/$c: vfychain says the chain is good"
		openssl x509 -in "$out" -noout -text >"$WORK/sub.txt"
		text_has "$WORK/sub.txt" "Signature Algorithm: ${sigalg[$alg]}" "$alg/$c: the hash follows the root's key"
		pyargs+=(--sub "$out:$WORK/$c.key")
		# The inventory has it, with the certificate's own SHA-256.
		expect_rc 0 "$alg/$c: show" -- "$CUSTOS" show --home "$H" --json "$serial"
		python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["sha256"]==sys.argv[2] and d["status"]=="valid" and d["profile"]=="issuing-ca", d' \
			"$WORK/out" "$(openssl x509 -in "$out" -outform DER | sha256sum | cut -d' ' -f1)" && pass ||
			fail "$alg/$c: show --json does not match the certificate"
	done

	# The extensions of the full profile, read back by OpenSSL (the P-384 CSR asked for others).
	openssl x509 -in "$WORK/$alg-p384.pem" -noout -text -certopt no_sigdump >"$WORK/sub.txt"
	tr -s ' ' <"$WORK/sub.txt" >"$WORK/sub1.txt"
	for want in "X509v3 Basic Constraints: critical" "CA:TRUE, pathlen:0" "X509v3 Key Usage: critical" \
		"Certificate Sign, CRL Sign" "X509v3 Extended Key Usage:" \
		"TLS Web Server Authentication, TLS Web Client Authentication" "Policy: 2.23.140.1.2.1" \
		"Policy: 1.3.6.1.4.1.55555.1.1" "CPS: https://example.com/cps" "URI:http://crl.example.com/root.crl" \
		"CA Issuers - URI:http://example.com/root.cer" "X509v3 Name Constraints: critical" "DNS:example.com" \
		"IP:192.0.2.0/255.255.255.0" "IP:2001:DB8:0:0:0:0:0:0/FFFF:FFFF:0:0:0:0:0:0" "DNS:bad.example.com" \
		"Subject: C = US, ST = Texas, O = Example, CN = Issuing CA p384" "Issuer: C = US, O = Example $alg, CN = Interop Root $alg"; do
		text_has "$WORK/sub1.txt" "$want" "$alg: full profile"
	done
	text_lacks "$WORK/sub1.txt" "evil.example.net" "$alg: CSR subjectAltName not copied"
	text_lacks "$WORK/sub1.txt" "pathlen:7" "$alg: CSR basicConstraints not copied"
	text_lacks "$WORK/sub1.txt" "Any Extended Key Usage" "$alg: no anyEKU"
	# AKI = the root's SKI; notAfter within the root's.
	ski=$(openssl x509 -in "$R" -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' ')
	aki=$(openssl x509 -in "$WORK/$alg-p384.pem" -noout -ext authorityKeyIdentifier | sed -n 2p | tr -d ' ' | sed 's/^keyid://')
	[ -n "$ski" ] && [ "$aki" = "$ski" ] && pass || fail "$alg: AKI $aki is not the root's SKI $ski"
	openssl x509 -in "$WORK/$alg-p384.pem" -noout -checkend $((1826 * 86400 - 3600)) >/dev/null &&
		! openssl x509 -in "$WORK/$alg-p384.pem" -noout -checkend $((1826 * 86400 + 3600)) >/dev/null && pass ||
		fail "$alg: the validity is not the profile's 1826 days"

	# The minimal profile: pathLen 1, none of the optional extensions.
	out=$WORK/$alg-minimal.pem
	expect_rc 0 "$alg: sign with the minimal profile" -- signing sign --home "$H" --csr "$WORK/rsa2048.csr" \
		--out "$out" --profile minimal "${q[@]}"
	check "$alg/minimal: openssl verify" -- openssl verify -x509_strict -CAfile "$R" "$out"
	check "$alg/minimal: certtool --verify-chain" -- bash -c 'certtool --verify-chain --infile <(cat "$1" "$2")' _ "$out" "$R"
	check "$alg/minimal: vfychain" -- vfychain -pp -u 3 -a "$out" -t -a "$R"
	openssl x509 -in "$out" -noout -text >"$WORK/min.txt"
	text_has "$WORK/min.txt" "CA:TRUE, pathlen:1" "$alg/minimal: pathLen"
	for absent in "Extended Key Usage" "Certificate Policies" "CRL Distribution" "Authority Information Access" "Name Constraints"; do
		text_lacks "$WORK/min.txt" "$absent" "$alg/minimal: no $absent"
	done
	pyargs+=(--sub "$out:$WORK/rsa2048.key")

	# Revoke one, issue a CRL, and check it everywhere.
	rsn=$(openssl x509 -in "$WORK/$alg-rsa2048.pem" -noout -serial | cut -d= -f2)
	expect_rc 0 "$alg: revoke" -- signing revoke --home "$H" --serial "$rsn" --reason keyCompromise
	expect_rc 0 "$alg: crl" -- signing crl --home "$H" --out "$WORK/$alg.crl" "${q[@]}"
	expect_in "$WORK/out" '^number: +1$' "$alg: first CRL number"
	expect_in "$WORK/out" '^entries: +1$' "$alg: one entry"
	crl=$WORK/$alg.crl
	openssl crl -in "$crl" -outform DER -out "$WORK/$alg.crl.der"
	check "$alg: certtool --verify-crl" -- certtool --verify-crl --load-ca-certificate "$R" --infile "$crl"
	text_has "$WORK/cout" "Verified" "$alg: certtool says the CRL is verified"
	rm -rf "$WORK/nss"
	mkdir "$WORK/nss"
	certutil -N -d "sql:$WORK/nss" --empty-password && certutil -A -d "sql:$WORK/nss" -n root -t C,C,C -i "$R"
	check "$alg: crlutil -I" -- crlutil -I -d "sql:$WORK/nss" -t 1 -i "$WORK/$alg.crl.der"
	check "$alg: crlutil -L lists it" -- crlutil -L -d "sql:$WORK/nss" -n root
	text_has "$WORK/cout" "$(echo "$rsn" | tr A-F a-f | sed 's/../&:/g' | cut -c1-47)" "$alg: crlutil shows the revoked serial"
	refuse "$alg: certtool --verify --load-crl on the revoked CA" -- certtool --verify --load-ca-certificate "$R" \
		--infile "$WORK/$alg-rsa2048.pem" --load-crl "$crl"
	text_has "$WORK/cout" "The certificate chain is revoked" "$alg: certtool reports the revocation"
	check "$alg: certtool --verify --load-crl on a valid CA" -- certtool --verify --load-ca-certificate "$R" \
		--infile "$WORK/$alg-p256.pem" --load-crl "$crl"
	refuse "$alg: vfychain -m crl on the revoked CA" -- vfychain -d "sql:$WORK/nss" -pp -u 3 -g leaf -m crl \
		-a "$WORK/$alg-rsa2048.pem" -t -a "$R"
	text_has "$WORK/cout" "ERROR -8180" "$alg: NSS reports the revocation"
	check "$alg: vfychain -m crl on a valid CA" -- vfychain -d "sql:$WORK/nss" -pp -u 3 -g leaf -m crl \
		-a "$WORK/$alg-p256.pem" -t -a "$R"
	refuse "$alg: openssl verify -crl_check on the revoked CA" -- openssl verify -x509_strict -crl_check \
		-CAfile "$R" -CRLfile "$crl" "$WORK/$alg-rsa2048.pem"
	text_has "$WORK/cout" "certificate revoked" "$alg: openssl reports the revocation"
	check "$alg: openssl verify -crl_check on a valid CA" -- openssl verify -x509_strict -crl_check \
		-CAfile "$R" -CRLfile "$crl" "$WORK/$alg-p256.pem"
	openssl crl -in "$crl" -noout -text >"$WORK/crl.txt"
	text_has "$WORK/crl.txt" "Version 2" "$alg: CRL v2"
	text_has "$WORK/crl.txt" "Key Compromise" "$alg: reason code"
	text_has "$WORK/crl.txt" "$(grep -A1 'Subject Key Identifier' "$WORK/root.txt" | tail -1 | tr -d ' ')" "$alg: CRL AKI = the root's SKI"
	python3 - "$crl" <<'EOF' && pass || fail "$alg: CRL nextUpdate is not thisUpdate + 7 days"
import subprocess, sys, datetime
def t(opt):
    s = subprocess.run(["openssl", "crl", "-in", sys.argv[1], "-noout", opt], capture_output=True, text=True).stdout
    return datetime.datetime.strptime(s.split("=", 1)[1].strip(), "%b %d %H:%M:%S %Y %Z")
assert (t("-nextupdate") - t("-lastupdate")) == datetime.timedelta(days=7)
EOF
	pyargs+=(--crl "$crl" --revoked "$rsn")
	py_checks "$alg" "${pyargs[@]}"
	echo "$alg: python path: $py_path"
done

# CRL numbers strictly increase across runs (the ec-p256 CA already issued number 1).
H=$WORK/ec-p256
q=(--share-file "$WORK/ec-p256.shares/bo.share" --share-file "$WORK/ec-p256.shares/ann.share")
last=$(openssl crl -in "$WORK/ec-p256.crl" -noout -crlnumber | cut -d= -f2 | sed "s/^0x//")
for i in 2 3 4; do
	[ "$i" -eq 3 ] && signing revoke --home "$H" --serial "$(openssl x509 -in "$WORK/ec-p256-p256.pem" -noout -serial | cut -d= -f2)" >/dev/null 2>&1
	expect_rc 0 "crl run $i" -- signing crl --home "$H" --out "$WORK/run$i.crl" "${q[@]}"
	n=$(openssl crl -in "$WORK/run$i.crl" -noout -crlnumber | cut -d= -f2 | sed "s/^0x//")
	[ $((16#$n)) -gt $((16#$last)) ] && pass || fail "crl run $i: number $n is not above $last"
	expect_in "$WORK/out" "^number: +$((16#$n))\$" "crl run $i: the number printed is the CRL's"
	check "crl run $i: certtool --verify-crl" -- certtool --verify-crl --load-ca-certificate "$H/root.pem" --infile "$WORK/run$i.crl"
	last=$n
done
expect_in "$WORK/out" '^entries: +2$' "the last CRL has both revocations"
# An unspecified reason is no reasonCode at all.
[ "$(openssl crl -in "$WORK/run4.crl" -noout -text | grep -c 'CRL Reason Code')" -eq 1 ] && pass ||
	fail "a revocation without a reason got a reasonCode"
expect_rc 1 "--out never overwritten" -- signing crl --home "$H" --out "$WORK/run4.crl" "${q[@]}"
expect_in "$WORK/err" 'already exists' "an existing --out is refused"

# Negative control: the same root key, the issuer re-encoded (PrintableString for O and CN).
# OpenSSL and NSS compare names loosely and accept it; GnuTLS and the byte checks must not.
if python3 "$IV/open_vault.py" "$H" "$WORK/ec-p256.shares/ann.share" "$WORK/ec-p256.shares/bo.share" \
	--out "$WORK/root.key.der" --quiet >"$WORK/cout" 2>&1 &&
	python3 "$IV/forge_issuer.py" "$H/root.pem" "$WORK/root.key.der" "$WORK/ec-p256-p384.pem" "$WORK/forged.pem" >"$WORK/cout" 2>&1; then
	pass
	refuse "forged issuer: certtool --verify-chain" -- bash -c 'certtool --verify-chain --infile <(cat "$1" "$2")' _ "$WORK/forged.pem" "$H/root.pem"
	python3 "$IV/verify_chain.py" --root "$H/root.pem" --sub "$WORK/forged.pem:$WORK/p384.key" --expect-fail >"$V" 2>&1 && pass ||
		fail "forged issuer: verify_chain.py: $(cat "$V")"
	expect_in "$V" '^refused: .*forged.pem: issuer bytes' "forged issuer: the issuer-bytes check refuses it"
	if [ "$(python3 -c 'import cryptography; print(int(cryptography.__version__.split(".")[0]) >= 42)')" = True ]; then
		expect_in "$V" '^refused: .*PolicyBuilder' "forged issuer: PolicyBuilder refuses it"
		# And a leaf outside the name constraints is refused by PolicyBuilder.
		python3 "$IV/verify_chain.py" --root "$H/root.pem" --sub "$WORK/ec-p256-p256.pem:$WORK/p256.key" \
			--dns www.example.org --expect-fail >"$V" 2>&1 && pass || fail "name constraints control: $(cat "$V")"
		expect_in "$V" 'no permitted name constraints matched' "a leaf outside the name constraints is refused"
	fi
else
	fail "negative control could not be made: $(cat "$WORK/cout")"
fi
shred -u "$WORK/root.key.der" 2>/dev/null || rm -f "$WORK/root.key.der"
echo "python verifier path: $py_path"
finish
