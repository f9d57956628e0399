#!/usr/bin/env bash
# `custos csr show`: the CSR review, run as a real process on CSRs made by OpenSSL.
# Accepted: EC P-256/P-384/P-521, RSA 2048/3072 (PEM, DER, "NEW CERTIFICATE REQUEST"),
# fingerprints checked against OpenSSL's own DER. Refused with exit 1 and one line
# naming the problem: weak or foreign keys, a flipped signature byte, garbage,
# trailing junk, empty, missing. Bad usage exits 2.
set -euo pipefail
: "${CUSTOS:?CUSTOS must name the custos binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passes=0
failures=0
pass() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# run WANT_RC DESCRIPTION ARGS...: runs custos, keeps stdout/stderr, checks the exit code.
run() {
	local want=$1 what=$2 rc=0
	shift 2
	"$CUSTOS" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ "$rc" -eq "$want" ]; then pass; else fail "$what: exit $rc, want $want: $(cat "$tmp/err")"; fi
}
# has FILE REGEX DESCRIPTION
has() { if grep -qE -- "$2" "$1"; then pass; else fail "$3: /$2/ not in: $(head -c 600 "$1")"; fi; }
# refused DESCRIPTION REGEX FILE: exit 1 and exactly one "custos: csr show: ..." line naming it.
refused() {
	run 1 "$1" csr show "$3"
	has "$tmp/err" "^custos: csr show: .*$2" "$1 message"
	[ "$(grep -c '^custos: csr show: ' "$tmp/err")" -eq 1 ] && pass || fail "$1: not one error line"
	[ -s "$tmp/out" ] && fail "$1: printed a review anyway" || pass
}
# field NAME VALUE: the `NAME: VALUE` line of the last output.
field() { has "$tmp/out" "^$1: $2\$" "field $1"; }

subj="/C=US/O=Example/CN=Example Issuing CA"
newreq() { # newreq NAME ARGS...: key and CSR NAME.pem from openssl req
	local name=$1
	shift
	openssl req -new -nodes -subj "$subj" -keyout "$tmp/$name.key" -out "$tmp/$name.pem" "$@" 2>/dev/null
}
der_sha() { openssl req -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }
spki_sha() { openssl req -in "$1" -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1; }

# ---- accepted ----
accept_case() { # accept_case NAME TYPE BITS CURVE
	local f="$tmp/$1.pem"
	run 0 "$1 accepted" csr show "$f"
	field subject "/C=US/O=Example/CN=Example Issuing CA"
	field key_type "$2"
	field key_bits "$3"
	if [ "$2" = EC ]; then field curve "$4"; field key "EC $4"; else field rsa_exponent 65537; field key "RSA $3"; fi
	field signature valid
	field csr_sha256 "$(der_sha "$f")"
	field spki_sha256 "$(spki_sha "$f")"
	field csr_bytes "$(openssl req -in "$f" -outform DER | wc -c)"
	field extensions 0
}
newreq p256 -newkey ec -pkeyopt ec_paramgen_curve:P-256
newreq p384 -newkey ec -pkeyopt ec_paramgen_curve:P-384
newreq p521 -newkey ec -pkeyopt ec_paramgen_curve:P-521
newreq rsa2048 -newkey rsa:2048
newreq rsa3072 -newkey rsa:3072
accept_case p256 EC 256 P-256
accept_case p384 EC 384 P-384
accept_case p521 EC 521 P-521
accept_case rsa2048 RSA 2048
accept_case rsa3072 RSA 3072
has "$tmp/out" '^signature_algorithm: sha256WithRSAEncryption$' "RSA signature algorithm"

# DER input, the old "NEW CERTIFICATE REQUEST" label, whitespace around the block, stdin
openssl req -in "$tmp/p384.pem" -outform DER -out "$tmp/p384.der"
run 0 "DER accepted" csr show "$tmp/p384.der"
field csr_sha256 "$(sha256sum <"$tmp/p384.der" | cut -d' ' -f1)"
sed 's/CERTIFICATE REQUEST/NEW CERTIFICATE REQUEST/' "$tmp/p256.pem" >"$tmp/new.pem"
run 0 "NEW CERTIFICATE REQUEST accepted" csr show "$tmp/new.pem"
field csr_sha256 "$(der_sha "$tmp/p256.pem")"
{ printf '\n \n'; cat "$tmp/p256.pem"; printf '\n\t\n'; } >"$tmp/ws.pem"
run 0 "whitespace around the block" csr show "$tmp/ws.pem"
run 0 "standard input" csr show - <"$tmp/p256.pem"
field spki_sha256 "$(spki_sha "$tmp/p256.pem")"

# Extensions are reported, never copied
newreq ext -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	-addext "basicConstraints=critical,CA:TRUE,pathlen:9" -addext "subjectAltName=DNS:example.com"
run 0 "CSR with extensions accepted" csr show "$tmp/ext.pem"
has "$tmp/out" '^extensions: 2 \(shown only: CSR extensions are never copied\)$' "extensions shown"
has "$tmp/out" '^attributes: 1$' "attributes"

# ---- --json ----
run 0 "json" csr show --json "$tmp/rsa3072.pem"
python3 -c 'import json,sys; json.load(sys.stdin)' <"$tmp/out" && pass || fail "json does not parse"
python3 - "$tmp/out" "$(spki_sha "$tmp/rsa3072.pem")" "$(der_sha "$tmp/rsa3072.pem")" <<'EOF' && pass || fail "json fields"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["subject"] == "/C=US/O=Example/CN=Example Issuing CA", d
assert d["key_type"] == "RSA" and d["key_bits"] == 3072 and d["curve"] is None, d
assert d["rsa_exponent"] == "65537" and d["signature"] == "valid", d
assert d["spki_sha256"] == sys.argv[2] and d["csr_sha256"] == sys.argv[3], d
assert d["extensions"] == 0 and d["extensions_copied"] is False, d
EOF
run 0 "json with extensions" csr show "$tmp/ext.pem" --json
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["curve"]=="P-256" and d["rsa_exponent"] is None and d["has_extensions"] and d["extensions"]==2' <"$tmp/out" && pass || fail "json extensions"

# ---- refused ----
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$tmp/rsa1024.key" 2>/dev/null
openssl req -new -key "$tmp/rsa1024.key" -subj "$subj" -out "$tmp/rsa1024.pem" 2>/dev/null
refused "RSA 1024" 'unacceptable key: RSA key of 1024 bits' "$tmp/rsa1024.pem"
newreq p224 -newkey ec -pkeyopt ec_paramgen_curve:P-224
refused "P-224" 'unacceptable key: EC curve secp224r1 is not accepted' "$tmp/p224.pem"
newreq k256 -newkey ec -pkeyopt ec_paramgen_curve:secp256k1
refused "secp256k1" 'unacceptable key: EC curve secp256k1 is not accepted' "$tmp/k256.pem"
newreq ed -newkey ed25519
refused "Ed25519" 'unacceptable key: ED25519 keys are not accepted' "$tmp/ed.pem"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_keygen_pubexp:3 -out "$tmp/e3.key" 2>/dev/null
openssl req -new -key "$tmp/e3.key" -subj "$subj" -out "$tmp/e3.pem" 2>/dev/null
refused "RSA e = 3" 'RSA public exponent 3 must be odd, at least 65537' "$tmp/e3.pem"
openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out "$tmp/pss.key" 2>/dev/null
openssl req -new -key "$tmp/pss.key" -subj "$subj" -out "$tmp/pss.pem" 2>/dev/null
refused "RSA-PSS key" 'RSA-PSS keys are not accepted' "$tmp/pss.pem"

# A flipped byte in the signature (its last byte), in DER and again as PEM
for name in p256 rsa2048; do
	openssl req -in "$tmp/$name.pem" -outform DER -out "$tmp/$name.der"
	python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[-1]^=1; open(sys.argv[2],"wb").write(b)' \
		"$tmp/$name.der" "$tmp/$name.flip.der"
	refused "$name flipped signature (DER)" 'invalid certificate signing request: signature does not verify' "$tmp/$name.flip.der"
	{ echo "-----BEGIN CERTIFICATE REQUEST-----"; base64 -w 64 "$tmp/$name.flip.der"; echo "-----END CERTIFICATE REQUEST-----"; } >"$tmp/$name.flip.pem"
	refused "$name flipped signature (PEM)" 'signature does not verify' "$tmp/$name.flip.pem"
done

printf 'this is not a certificate request\n' >"$tmp/text"
refused "text" 'neither PEM nor DER' "$tmp/text"
head -c 300 /dev/urandom | tr '\060' '\061' >"$tmp/garbage" # never starts with 0x30
refused "garbage bytes" 'invalid certificate signing request' "$tmp/garbage"
{ printf '\x30\x82\x01\x00'; head -c 256 /dev/zero; } >"$tmp/fake.der"
refused "DER-looking garbage" 'invalid certificate signing request' "$tmp/fake.der"
{ cat "$tmp/p256.pem"; echo "junk"; } >"$tmp/junk.pem"
refused "PEM with trailing junk" 'trailing data after the PEM block' "$tmp/junk.pem"
cat "$tmp/p256.pem" "$tmp/p384.pem" >"$tmp/two.pem"
refused "two PEM blocks" 'trailing data after the PEM block' "$tmp/two.pem"
{ echo "Subject: CN=Someone Else"; cat "$tmp/p256.pem"; } >"$tmp/lead.pem"
refused "text before the PEM block" 'text before the PEM block' "$tmp/lead.pem"
{ cat "$tmp/p256.der"; printf '\0'; } >"$tmp/trail.der"
refused "DER with a trailing byte" 'trailing data after the DER' "$tmp/trail.der"
: >"$tmp/empty"
refused "empty file" 'empty input' "$tmp/empty"
refused "missing file" 'not found: .*nonexistent.*No such file' "$tmp/nonexistent"
{ cat "$tmp/p256.pem"; head -c 70000 /dev/zero | tr '\0' ' '; } >"$tmp/big.pem"
refused "over 64 KiB" 'too large: input is [0-9]+ bytes, over the limit of 65536' "$tmp/big.pem"
openssl req -x509 -key "$tmp/p256.key" -subj "$subj" -days 30 -out "$tmp/cert.pem" 2>/dev/null
refused "a certificate, not a CSR" "the PEM block is a 'CERTIFICATE', expected a 'CERTIFICATE REQUEST'" "$tmp/cert.pem"
refused "a directory" 'is a directory' "$tmp"

# ---- usage ----
run 2 "csr without a sub-command" csr
run 2 "show without FILE" csr show
run 2 "show with two files" csr show "$tmp/p256.pem" "$tmp/p384.pem"
run 2 "unknown option" csr show --frob "$tmp/p256.pem"
run 2 "unknown sub-command" csr sign "$tmp/p256.pem"
has "$tmp/err" '^usage: custos csr show FILE \[--json\]' "usage line"
run 0 "help" csr show --help
has "$tmp/out" '^usage: custos csr show' "help text"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
