#!/usr/bin/env bash
# A failing start-up self-test refuses every operation.  A preloaded shim
# makes libsodium's BLAKE2b give a wrong answer; custos must notice it in its
# known-answer test and refuse to do anything, even a card check.
. "$(dirname "$0")/lib.bash"
command -v cc >/dev/null || { echo "cc is needed to build the shim"; exit 1; }

cat >"$WORK/shim.c" <<'C'
#include <string.h>
int crypto_generichash(unsigned char *out, size_t outlen, const unsigned char *in,
                       unsigned long long inlen, const unsigned char *key, size_t keylen)
{
	(void)in; (void)inlen; (void)key; (void)keylen;
	memset(out, 0x5a, outlen);
	return 0;
}
C
cc -shared -fPIC -o "$WORK/shim.so" "$WORK/shim.c"
python3 -c "import json; print(json.load(open('$VECTORS/slip39.json'))[0][1][0])" >"$WORK/card"

expect_rc 0 "a card check runs normally" -- "$CUSTOS" shares check "$WORK/card"
for verb in "shares check $WORK/card" "status --home $WORK/none" "init --home $WORK/ca --subject /CN=X --threshold 2 --custodian a --custodian b --shares-out $WORK"; do
	# shellcheck disable=SC2086
	expect_rc 1 "$verb with a broken BLAKE2b" -- env LD_PRELOAD="$WORK/shim.so" ASAN_OPTIONS="verify_asan_link_order=0:${ASAN_OPTIONS:-}" "$CUSTOS" $verb
	expect_in "$WORK/err" 'refusing to run: self-test failed: BLAKE2b known answer' "$verb: refusal names the test"
done
[ ! -e "$WORK/ca" ] && pass || fail "a CA was created despite the failed self-test"
finish
