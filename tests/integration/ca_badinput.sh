#!/usr/bin/env bash
# Bad input to the CA engine: each is refused with exit 1 and one line naming the problem,
# and nothing is recorded (the certificates, revocations and CRLs tables, `custos list`,
# the CA home's files and the --out directory are as they were).
# - CSRs: a bad signature (DER and PEM), weak or unsupported keys (RSA-1024, a modulus
#   that is not a multiple of 8, e = 3, P-224, secp256k1, Ed25519, RSA-PSS), garbage,
#   text, empty, a certificate, PEM with trailing junk or text before it, DER with a
#   trailing byte, over 64 KiB, a huge subject (over 1 KiB of DER), a CN over 64
#   characters, subjects the profile forbids (OU not allowed, O missing, emailAddress,
#   CN twice, a multi-valued RDN, an empty subject), an unknown profile.  A CSR is refused
#   before any share is asked for.
# - Serials: unknown, already revoked, not hex, zero, too long; an unknown reason.
# - Key state: signing while pre-active, deactivated or compromised; CRLs while pre-active.
# - Profiles: a profiles file with an unknown key or an invalid value (init refuses it and
#   creates nothing); a CA home whose profiles.json was edited (its signature fails).
. "$(dirname "$0")/lib.bash"
command -v sqlite3 >/dev/null || { echo "sqlite3 is not installed (scripts/install-deps)"; exit 1; }

# Signing verbs run as audited sessions (DESIGN 7): an operator named, the UTC time
# confirmed, and --allow-network (a test machine is not air-gapped; it is recorded).
export CUSTOS_OPERATOR="Test Operator"
signing() { "$CUSTOS" "$1" --confirm-time "$(date -u +%Y-%m-%dT%H:%MZ)" --allow-network "${@:2}"; }
H=$WORK/ca
S=$WORK/shares
O=$WORK/outdir
mkdir "$S" "$O"
expect_rc 0 "init" -- "$CUSTOS" init --home "$H" --subject "/C=US/O=Example/CN=Bad Input Root" --key ec-p256 \
	--threshold 2 --custodian ann --custodian bo --custodian cy --shares-out "$S"
q=(--share-file "$S/ann.share" --share-file "$S/bo.share")

# The recorded state: the three inventory tables row by row, the list, the home's files.
snapshot() {
	{
		sqlite3 "$H/ca.db" "SELECT hex(serial), subject, profile, not_before, not_after, issued_at,
			hex(sha256), hex(der) FROM certificates ORDER BY serial;
			SELECT hex(serial), revoked_at, reason FROM revocations ORDER BY serial;
			SELECT number, this_update, next_update, entries, hex(sha256) FROM crls ORDER BY number;"
		"$CUSTOS" list --home "$H" --json
		# (the audit log in ca.db and transcripts/ record attempts, refused ones too, by design)
		(cd "$H" && find . -type f ! -name ca.db ! -name 'ca.db-journal' ! -path './transcripts/*' -exec sha256sum {} + | sort)
		ls -A "$O"
	} 2>&1
}
snapshot >"$WORK/snap.before"
unchanged() { # unchanged DESCRIPTION
	snapshot >"$WORK/snap.after"
	if cmp -s "$WORK/snap.before" "$WORK/snap.after"; then pass; else
		fail "$1: something was recorded: $(diff "$WORK/snap.before" "$WORK/snap.after" | head -5)"
		cp "$WORK/snap.after" "$WORK/snap.before"
	fi
}
# refused VERB DESCRIPTION PATTERN ARGS...: exit 1, exactly one "custos: VERB: " line on
# stderr, matching PATTERN, nothing on stdout, nothing recorded.
refused() {
	local verb=$1 what=$2 pattern=$3
	shift 3
	case $verb in
	sign | crl | revoke) expect_rc 1 "$what" -- signing "$verb" "$@" ;;
	*) expect_rc 1 "$what" -- "$CUSTOS" "$verb" "$@" ;;
	esac
	expect_in "$WORK/err" "^custos: $verb: .*$pattern" "$what: message"
	[ "$(grep -c "^custos: $verb: " "$WORK/err")" -eq 1 ] && pass || fail "$what: not one error line: $(cat "$WORK/err")"
	[ -s "$WORK/out" ] && fail "$what: printed on stdout: $(head -3 "$WORK/out")" || pass
	unchanged "$what"
}
# bad_csr DESCRIPTION PATTERN FILE [ARGS...]: sign refuses it with shares, and without
# any share (it is refused before a custodian is asked).
bad_csr() {
	local what=$1 pattern=$2 file=$3
	shift 3
	refused sign "$what" "$pattern" --home "$H" --csr "$file" --out "$O/cert.pem" "${q[@]}" "$@"
	refused sign "$what (no shares)" "$pattern" --home "$H" --csr "$file" --out "$O/cert.pem" --shares-from /dev/null "$@"
	expect_in "$WORK/err" '.' "$what: said why"
	grep -q 'share' "$WORK/err" && fail "$what: shares were asked for before the CSR was refused: $(cat "$WORK/err")" || pass
}

subj="/C=US/O=Example/CN=Example Issuing CA"
newreq() { # newreq NAME SUBJECT ARGS...
	local name=$1 s=$2
	shift 2
	openssl req -new -nodes -subj "$s" -keyout "$WORK/$name.key" -out "$WORK/$name.csr" "$@" 2>"$WORK/openssl.err" ||
		fail "openssl could not make $name: $(cat "$WORK/openssl.err")"
}
newreq good "$subj" -newkey ec -pkeyopt ec_paramgen_curve:P-256

# ---- the key is not active yet ----
refused sign "sign while pre-active" 'signing needs an active key \(it is pre-active\)' \
	--home "$H" --csr "$WORK/good.csr" --out "$O/cert.pem" "${q[@]}"
refused crl "crl while pre-active" 'CRLs are issued only while the key is active, deactivated or compromised \(it is pre-active\)' \
	--home "$H" --out "$O/crl.pem" "${q[@]}"
expect_rc 0 "activate" -- "$CUSTOS" key activate --home "$H" "${q[@]}"
snapshot >"$WORK/snap.before"

# One certificate to revoke later.
expect_rc 0 "sign a good CSR" -- signing sign --home "$H" --csr "$WORK/good.csr" --out "$WORK/good.pem" "${q[@]}"
good_serial=$(sed -n 's/^serial: *//p' "$WORK/out")
snapshot >"$WORK/snap.before"

# ---- bad signatures ----
for kind in "ec -pkeyopt ec_paramgen_curve:P-256" "rsa:2048"; do
	name=sig${kind%%[: ]*}
	# shellcheck disable=SC2086
	newreq "$name" "$subj" -newkey $kind
	openssl req -in "$WORK/$name.csr" -outform DER -out "$WORK/$name.der"
	python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[-1]^=1; open(sys.argv[2],"wb").write(b)' \
		"$WORK/$name.der" "$WORK/$name.flip.der"
	bad_csr "$name: flipped signature byte (DER)" 'signature does not verify' "$WORK/$name.flip.der"
	{ echo "-----BEGIN CERTIFICATE REQUEST-----"; base64 -w 64 "$WORK/$name.flip.der"; echo "-----END CERTIFICATE REQUEST-----"; } >"$WORK/$name.flip.pem"
	bad_csr "$name: flipped signature byte (PEM)" 'signature does not verify' "$WORK/$name.flip.pem"
done
# A byte of the signed part changed (the subject's last letter): the signature no longer matches.
python3 - "$WORK/good.csr" "$WORK/tbsflip.der" <<'EOF'
import base64, sys
pem = open(sys.argv[1]).read()
der = bytearray(base64.b64decode("".join(l for l in pem.splitlines() if not l.startswith("-----"))))
i = der.find(b"Example Issuing CA") + len("Example Issuing CA") - 1
der[i] ^= 0x01
open(sys.argv[2], "wb").write(der)
EOF
bad_csr "a changed subject byte" 'signature does not verify' "$WORK/tbsflip.der"

# ---- weak or unsupported keys ----
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$WORK/rsa1024.key" 2>/dev/null
openssl req -new -key "$WORK/rsa1024.key" -subj "$subj" -out "$WORK/rsa1024.csr"
bad_csr "RSA-1024" 'RSA key of 1024 bits; at least 2048 are required' "$WORK/rsa1024.csr"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2052 -out "$WORK/rsa2052.key" 2>/dev/null
openssl req -new -key "$WORK/rsa2052.key" -subj "$subj" -out "$WORK/rsa2052.csr"
bad_csr "RSA-2052" 'RSA modulus of 2052 bits is not a multiple of 8' "$WORK/rsa2052.csr"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_keygen_pubexp:3 -out "$WORK/e3.key" 2>/dev/null
openssl req -new -key "$WORK/e3.key" -subj "$subj" -out "$WORK/e3.csr"
bad_csr "RSA e = 3" 'RSA public exponent 3' "$WORK/e3.csr"
newreq p224 "$subj" -newkey ec -pkeyopt ec_paramgen_curve:P-224
bad_csr "P-224" 'EC curve secp224r1 is not accepted' "$WORK/p224.csr"
newreq k256 "$subj" -newkey ec -pkeyopt ec_paramgen_curve:secp256k1
bad_csr "secp256k1" 'EC curve secp256k1 is not accepted' "$WORK/k256.csr"
newreq ed "$subj" -newkey ed25519
bad_csr "Ed25519" 'ED25519 keys are not accepted' "$WORK/ed.csr"
openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out "$WORK/pss.key" 2>/dev/null
openssl req -new -key "$WORK/pss.key" -subj "$subj" -out "$WORK/pss.csr"
bad_csr "RSA-PSS key" 'RSA-PSS keys are not accepted' "$WORK/pss.csr"

# ---- not a CSR, or not only one ----
head -c 400 /dev/urandom | tr '\060' '\061' >"$WORK/garbage"
bad_csr "garbage bytes" 'invalid certificate signing request' "$WORK/garbage"
{ printf '\x30\x82\x01\x00'; head -c 256 /dev/zero; } >"$WORK/fake.der"
bad_csr "DER-looking garbage" 'invalid certificate signing request' "$WORK/fake.der"
printf 'please sign me\n' >"$WORK/text"
bad_csr "text" 'neither PEM nor DER' "$WORK/text"
: >"$WORK/empty"
bad_csr "empty file" 'empty input' "$WORK/empty"
{ cat "$WORK/good.csr"; echo "junk"; } >"$WORK/junk.pem"
bad_csr "PEM with trailing junk" 'trailing data after the PEM block' "$WORK/junk.pem"
cat "$WORK/good.csr" "$WORK/sigec.csr" >"$WORK/two.pem"
bad_csr "two PEM blocks" 'trailing data after the PEM block' "$WORK/two.pem"
{ echo "Subject: CN=Someone Else"; cat "$WORK/good.csr"; } >"$WORK/lead.pem"
bad_csr "text before the PEM block" 'text before the PEM block' "$WORK/lead.pem"
openssl req -in "$WORK/good.csr" -outform DER -out "$WORK/good.der"
{ cat "$WORK/good.der"; printf '\0'; } >"$WORK/trail.der"
bad_csr "DER with a trailing byte" 'trailing data after the DER' "$WORK/trail.der"
openssl req -x509 -key "$WORK/good.key" -subj "$subj" -days 30 -out "$WORK/selfsigned.pem" 2>/dev/null
bad_csr "a certificate, not a CSR" "expected a 'CERTIFICATE REQUEST'" "$WORK/selfsigned.pem"
{ cat "$WORK/good.csr"; head -c 70000 /dev/zero | tr '\0' ' '; } >"$WORK/big.pem"
bad_csr "over 64 KiB" 'too large' "$WORK/big.pem"
refused sign "a missing CSR file" 'does not exist|not found' --home "$H" --csr "$WORK/nonexistent" --out "$O/cert.pem" "${q[@]}"

# ---- subjects: huge, too long, or not what the profile allows ----
# cryptography would refuse these names itself; _validate=False makes them anyway.
pycsr() { # pycsr OUT ATTR=VALUE...  (one attribute per RDN, in order)
	python3 - "$@" <<'EOF'
import sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
oids = {"C": NameOID.COUNTRY_NAME, "O": NameOID.ORGANIZATION_NAME, "CN": NameOID.COMMON_NAME,
        "OU": NameOID.ORGANIZATIONAL_UNIT_NAME}
attrs = []
for a in sys.argv[2:]:
    k, v = a.split("=", 1)
    try:
        attrs.append(x509.RelativeDistinguishedName([x509.NameAttribute(oids[k], v, _validate=False)]))
    except TypeError:  # an older cryptography without _validate
        attrs.append(x509.RelativeDistinguishedName([x509.NameAttribute(oids[k], v)]))
key = ec.generate_private_key(ec.SECP256R1())
csr = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(attrs)).sign(key, hashes.SHA256())
open(sys.argv[1], "wb").write(csr.public_bytes(serialization.Encoding.PEM))
EOF
}
if pycsr "$WORK/huge.csr" C=US O=Example "CN=$(head -c 1500 /dev/zero | tr '\0' x)" 2>"$WORK/py.err"; then
	bad_csr "a huge subject (1500-character CN)" 'the subject is [0-9]+ bytes of DER, over 1024' "$WORK/huge.csr"
else
	fail "could not make the huge-subject CSR: $(tail -1 "$WORK/py.err")"
fi
if pycsr "$WORK/cn65.csr" C=US O=Example "CN=$(head -c 65 /dev/zero | tr '\0' x)" 2>"$WORK/py.err"; then
	bad_csr "a 65-character CN" 'CN is over 64 characters' "$WORK/cn65.csr"
else
	fail "could not make the 65-character CN CSR: $(tail -1 "$WORK/py.err")"
fi
ou=""
for i in $(seq 10 29); do ou="$ou/OU=unit $i $(head -c 50 /dev/zero | tr '\0' u)"; done
newreq manyou "$subj$ou" -newkey ec -pkeyopt ec_paramgen_curve:P-256
bad_csr "twenty 58-byte OUs (1.3 KiB of DER)" 'the subject is [0-9]+ bytes of DER, over 1024' "$WORK/manyou.csr"
newreq ou "/C=US/O=Example/OU=Ops/CN=Example Issuing CA" -newkey ec -pkeyopt ec_paramgen_curve:P-256
bad_csr "OU, which the profile does not allow" "the CSR's subject has OU, which profile issuing-ca does not allow" "$WORK/ou.csr"
newreq noo "/C=US/CN=Example Issuing CA" -newkey ec -pkeyopt ec_paramgen_curve:P-256
bad_csr "O missing" 'profile issuing-ca requires O in the subject; the CSR has none' "$WORK/noo.csr"
newreq email "$subj/emailAddress=ca@example.com" -newkey ec -pkeyopt ec_paramgen_curve:P-256
bad_csr "emailAddress" 'which custos never issues \(only C, ST, L, O, OU, CN\)' "$WORK/email.csr"
newreq twocn "$subj/CN=Second" -newkey ec -pkeyopt ec_paramgen_curve:P-256
bad_csr "CN twice" "the CSR's subject has CN twice" "$WORK/twocn.csr"
newreq mv "/C=US/O=Example/CN=Example Issuing CA+L=Austin" -newkey ec -pkeyopt ec_paramgen_curve:P-256
bad_csr "a multi-valued RDN" 'multi-valued RDN' "$WORK/mv.csr"
newreq nosubj "/" -newkey ec -pkeyopt ec_paramgen_curve:P-256
bad_csr "an empty subject" 'subject is empty' "$WORK/nosubj.csr"
newreq badc "/C=us/O=Example/CN=Example Issuing CA" -newkey ec -pkeyopt ec_paramgen_curve:P-256
bad_csr "a lower-case country" 'C must be two capital letters' "$WORK/badc.csr"
bad_csr "an unknown profile" "nope" "$WORK/good.csr" --profile nope
expect_in "$WORK/err" 'issuing-ca' "the unknown profile's message names the profiles there are"

# An --out that exists is refused before anything else, and left as it was.
echo "precious" >"$O/exists.pem"
snapshot >"$WORK/snap.before"
refused sign "an existing --out" 'already exists; custos never overwrites it' --home "$H" --csr "$WORK/good.csr" --out "$O/exists.pem" "${q[@]}"
[ "$(cat "$O/exists.pem")" = precious ] && pass || fail "an existing --out was changed"
refused crl "an existing crl --out" 'already exists' --home "$H" --out "$O/exists.pem" "${q[@]}"
rm "$O/exists.pem"
snapshot >"$WORK/snap.before"

# ---- serials ----
refused revoke "an unknown serial" 'no certificate with serial 1234abcd was issued by this CA' --home "$H" --serial 1234abcd
refused revoke "an unknown 20-byte serial" 'no certificate with serial' --home "$H" --serial "7f$(printf '%036d' 5)"
refused revoke "not hex" "is not a serial \(hex digits\)" --home "$H" --serial 12xz
refused revoke "zero" 'not zero' --home "$H" --serial 00
refused revoke "longer than 20 bytes" 'a serial must be 1 to 20 bytes' --home "$H" --serial "01$(printf '%040d' 0)"
refused revoke "an unknown reason" "unknown reason 'certificateHold'" --home "$H" --serial "$good_serial" --reason certificateHold
expect_rc 0 "revoke" -- signing revoke --home "$H" --serial "$good_serial" --reason superseded
snapshot >"$WORK/snap.before"
refused revoke "already revoked" "certificate $good_serial is already revoked \(superseded\)" --home "$H" --serial "$good_serial" --reason keyCompromise
refused revoke "already revoked, upper case and colons" 'is already revoked' --home "$H" \
	--serial "$(echo "$good_serial" | tr a-f A-F | sed 's/../&:/g; s/:$//')"
expect_rc 2 "revoke without --serial" -- signing revoke --home "$H"
unchanged "revoke without --serial"

# ---- profiles ----
# A profiles file with an unknown key or an invalid value: init refuses it, creates nothing.
mkdir "$WORK/s2"
base='"root":{"validity_days":7305},"crl":{"next_update_days":30}'
prof() { # prof ISSUING_PROFILE_BODY [EXTRA_TOP_LEVEL]
	printf '{"version":1,%s,"issuing_ca":{"issuing-ca":{%s}}%s}\n' "$base" "$1" "${2:-}"
}
sub_ok='"subject":{"allowed":["C","O","CN"],"required":["CN"]}'
bad_profile() { # bad_profile DESCRIPTION PATTERN JSON
	printf '%s\n' "$3" >"$WORK/bad.json"
	refused init "profile: $1" "invalid profile: .*$2" --home "$WORK/newca" --subject /CN=X --threshold 2 \
		--custodian p --custodian q --shares-out "$WORK/s2" --profiles "$WORK/bad.json"
	[ ! -e "$WORK/newca" ] && [ -z "$(ls -A "$WORK/s2")" ] && pass || fail "profile: $1: init left files behind"
}
printf '%s\n' "$(prof "\"validity_days\":10,$sub_ok")" >"$WORK/ok.json"
expect_rc 0 "the well-formed control profile parses" -- "$CUSTOS" init --home "$WORK/okca" --subject /CN=X --threshold 2 \
	--custodian p --custodian q --shares-out "$WORK/s2" --profiles "$WORK/ok.json"
rm -rf "$WORK/okca" "$WORK/s2" && mkdir "$WORK/s2"
bad_profile "unknown top-level key" "profiles.json: unknown key 'colour'" "$(prof "\"validity_days\":10,$sub_ok" ',"colour":"red"')"
bad_profile "unknown profile key" "issuing_ca.issuing-ca: unknown key 'pathlen'" "$(prof "\"validity_days\":10,\"pathlen\":0,$sub_ok")"
bad_profile "unknown subject key" "unknown key 'forbidden'" "$(prof "\"validity_days\":10,\"subject\":{\"allowed\":[\"CN\"],\"required\":[\"CN\"],\"forbidden\":[]}")"
bad_profile "validity 0" 'issuing_ca.issuing-ca.validity_days: must be an integer from 1 to 3650, not 0' "$(prof "\"validity_days\":0,$sub_ok")"
bad_profile "validity 3651" 'validity_days: must be an integer from 1 to 3650, not 3651' "$(prof "\"validity_days\":3651,$sub_ok")"
bad_profile "validity as a string" 'validity_days: must be an integer, not a string' "$(prof "\"validity_days\":\"10\",$sub_ok")"
bad_profile "path_len 6" 'path_len' "$(prof "\"validity_days\":10,\"path_len\":6,$sub_ok")"
bad_profile "anyExtendedKeyUsage" 'eku\[0\]: anyExtendedKeyUsage is refused' "$(prof "\"validity_days\":10,\"eku\":[\"anyExtendedKeyUsage\"],$sub_ok")"
bad_profile "codeSigning" 'eku\[0\]' "$(prof "\"validity_days\":10,\"eku\":[\"codeSigning\"],$sub_ok")"
bad_profile "a bad OID" "policies\[0\].oid: '1.2.abc' is not a dotted-decimal OID" "$(prof "\"validity_days\":10,\"policies\":[{\"oid\":\"1.2.abc\"}],$sub_ok")"
bad_profile "an https CRL URL" "crl_url: 'https://x.example/c.crl' must be an http:// URL" "$(prof "\"validity_days\":10,\"crl_url\":\"https://x.example/c.crl\",$sub_ok")"
bad_profile "a URL with a space" 'aia_ca_issuers_url' "$(prof "\"validity_days\":10,\"aia_ca_issuers_url\":\"http://x.example/a b.cer\",$sub_ok")"
bad_profile "IP constraint with host bits" "permitted_ip\[0\]: '192.0.2.1/24' has host bits set" "$(prof "\"validity_days\":10,\"name_constraints\":{\"permitted_ip\":[\"192.0.2.1/24\"]},$sub_ok")"
bad_profile "upper-case DNS constraint" "permitted_dns: 'Example.COM' must be a lower-case host name" "$(prof "\"validity_days\":10,\"name_constraints\":{\"permitted_dns\":[\"Example.COM\"]},$sub_ok")"
bad_profile "an unknown attribute" "subject.allowed\[2\]: 'E' is not a subject attribute" "$(prof "\"validity_days\":10,\"subject\":{\"allowed\":[\"C\",\"CN\",\"E\"],\"required\":[\"CN\"]}")"
bad_profile "CN not required" 'CN' "$(prof "\"validity_days\":10,\"subject\":{\"allowed\":[\"C\",\"CN\"],\"required\":[\"C\"]}")"
bad_profile "CRL nextUpdate 366 days" 'crl.next_update_days: must be an integer from 1 to 365, not 366' \
	'{"version":1,"root":{"validity_days":7305},"crl":{"next_update_days":366},"issuing_ca":{"issuing-ca":{"validity_days":10,"subject":{"allowed":["CN"],"required":["CN"]}}}}'
bad_profile "version 2" 'version: is 2; this custos reads version 1' '{"version":2}'
bad_profile "a bad profile name" "profile name 'Bad Name' may use only" "$(prof "\"validity_days\":10,$sub_ok" | sed 's/"issuing-ca"/"Bad Name"/')"
bad_profile "a JSON syntax error" 'line 1 column [0-9]+' '{"version":1,,}'
bad_profile "a duplicate key" 'duplicate object key' '{"version":1,"version":1}'

# profiles.json of an existing CA edited by hand: its signature no longer verifies, and
# signing is refused before anything happens.
cp "$H/profiles.json" "$WORK/profiles.good"
sed -i 's/"validity_days": 1826/"validity_days": 3650/' "$H/profiles.json"
cmp -s "$H/profiles.json" "$WORK/profiles.good" && fail "the profiles edit did not change anything" || pass
snapshot >"$WORK/snap.before"
refused sign "edited profiles.json" 'profiles.json does not match its signature by the root key' --home "$H" --csr "$WORK/good.csr" --out "$O/cert.pem" "${q[@]}"
cp "$WORK/profiles.good" "$H/profiles.json"
snapshot >"$WORK/snap.before"

# ---- key states: deactivated, compromised ----
expect_rc 0 "deactivate" -- "$CUSTOS" key deactivate --home "$H" "${q[@]}"
snapshot >"$WORK/snap.before"
refused sign "sign while deactivated" 'signing needs an active key \(it is deactivated\)' \
	--home "$H" --csr "$WORK/good.csr" --out "$O/cert.pem" "${q[@]}"
expect_rc 0 "a CRL while deactivated" -- signing crl --home "$H" --out "$WORK/deact.crl" "${q[@]}"
expect_in "$WORK/out" '^entries: +1$' "the CRL while deactivated lists the revocation"
expect_rc 0 "compromise" -- "$CUSTOS" key compromise --home "$H" "${q[@]}"
snapshot >"$WORK/snap.before"
refused sign "sign while compromised" 'signing needs an active key \(it is compromised\)' \
	--home "$H" --csr "$WORK/good.csr" --out "$O/cert.pem" "${q[@]}"
[ -z "$(ls -A "$O")" ] && pass || fail "the --out directory is not empty: $(ls -A "$O")"

# Every refusal is in the audit log with its reason (DESIGN 7), and the log verifies.
expect_rc 0 "audit verify" -- "$CUSTOS" audit verify --home "$H"
expect_rc 0 "audit show" -- "$CUSTOS" audit show --home "$H"
for why in 'session-end sign: failed; invalid certificate signing request: signature does not verify' \
	'session-end sign: failed; unacceptable key: RSA key of 1024 bits' \
	"session-end sign: failed; invalid certificate signing request: the CSR's subject has OU" \
	'session-end sign: failed; not allowed in the current key state: signing needs an active key \(it is compromised\)' \
	'session-end revoke: failed; .*is already revoked' 'session-end crl: failed; .*pre-active'; do
	expect_in "$WORK/out" "$why" "the audit log records the refusal"
done
finish
