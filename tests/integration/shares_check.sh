#!/usr/bin/env bash
# `custos shares check`: the custodian's card check, run as a real process.
. "$(dirname "$0")/lib.bash"

vec() { python3 -c "import json,sys; v=json.load(open('$VECTORS/slip39.json')); print(v[$1][1][$2])"; }

vec 22 0 >"$WORK/good.txt"        # 256-bit, 2-of-3, member 3
expect_rc 0 "good card from a file" -- "$CUSTOS" shares check "$WORK/good.txt"
expect_in "$WORK/out" '^valid share \(SLIP-0039, 33 words\)' "good card summary"
expect_in "$WORK/out" '^member: +3 \(2 shares of this group needed\)' "member and threshold"
expect_in "$WORK/out" '^set identifier: +14279' "identifier"

expect_rc 0 "good card on stdin" -- "$CUSTOS" shares check - <"$WORK/good.txt"
expect_rc 0 "json form" -- "$CUSTOS" shares check --json "$WORK/good.txt"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["member_index"]==3 and d["member_threshold"]==2 and d["words"]==33' "$WORK/out" && pass || fail "json fields"

# Typed by four-letter prefixes, in capitals.
tr ' ' '\n' <"$WORK/good.txt" | cut -c1-4 | tr 'a-z' 'A-Z' | paste -sd' ' >"$WORK/prefix.txt"
expect_rc 0 "four-letter prefixes" -- "$CUSTOS" shares check "$WORK/prefix.txt"

vec 20 0 >"$WORK/badsum.txt"      # official: invalid checksum
expect_rc 1 "invalid checksum" -- "$CUSTOS" shares check "$WORK/badsum.txt"
expect_in "$WORK/err" 'checksum does not match' "checksum message"

vec 21 0 >"$WORK/badpad.txt"      # official: invalid padding
expect_rc 1 "invalid padding" -- "$CUSTOS" shares check "$WORK/badpad.txt"
expect_in "$WORK/err" 'padding' "padding message"

awk '{ $5 = "qqqq"; print }' "$WORK/good.txt" >"$WORK/unknown.txt"
expect_rc 1 "unknown word" -- "$CUSTOS" shares check "$WORK/unknown.txt"
expect_in "$WORK/err" 'word 5 is not in the SLIP-0039 word list' "unknown word position"
if grep -q qqqq "$WORK/err"; then fail "the error echoes the typed word"; else pass; fi

# One word swapped for another valid word: the checksum catches it.
awk '{ $10 = ($10 == "academic") ? "acid" : "academic"; print }' "$WORK/good.txt" >"$WORK/typo.txt"
expect_rc 1 "one wrong word" -- "$CUSTOS" shares check "$WORK/typo.txt"
expect_in "$WORK/err" 'checksum' "typo message"

cut -d' ' -f1-19 "$WORK/good.txt" >"$WORK/short.txt"
expect_rc 1 "too short" -- "$CUSTOS" shares check "$WORK/short.txt"
expect_in "$WORK/err" 'at least 20 words' "length message"

: >"$WORK/empty.txt"
expect_rc 1 "empty file" -- "$CUSTOS" shares check "$WORK/empty.txt"
expect_rc 1 "missing file" -- "$CUSTOS" shares check "$WORK/nope.txt"
expect_in "$WORK/err" 'nope.txt' "missing file named"
expect_rc 1 "empty stdin" -- "$CUSTOS" shares check </dev/null
expect_rc 2 "two files" -- "$CUSTOS" shares check a b
expect_rc 2 "bad option" -- "$CUSTOS" shares check --frobnicate
expect_rc 2 "no sub-command" -- "$CUSTOS" shares
expect_rc 2 "unknown verb" -- "$CUSTOS" frobnicate
expect_rc 0 "help" -- "$CUSTOS" shares check --help
finish
