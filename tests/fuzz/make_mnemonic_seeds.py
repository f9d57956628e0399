#!/usr/bin/env python3
"""Writes the hand-made seeds of tests/fuzz/corpus/mnemonic/ (fuzz_mnemonic).

  tests/fuzz/make_mnemonic_seeds.py [OUTDIR]

Seeds: every mnemonic of tests/vectors/slip39.json (valid and invalid), typing
variants of one (prefixes, case, separators), broken ones (length, unknown or
over-long words, bytes that are not letters), and shares built here with a
correct checksum that the vectors lack (masked customization, 512-bit value,
largest indices).  Files the fuzzer found interesting are kept beside them by
name (sha1, as libFuzzer writes them); this script does not touch those.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WORDS = open(os.path.join(ROOT, "shares", "wordlist.txt")).read().split()
GEN = [0xE0E040, 0x1C1C080, 0x3838100, 0x7070200, 0xE0E0009,
       0x1C0C2412, 0x38086C24, 0x3090FC48, 0x21B1F890, 0x3F3F120]


def polymod(values):
    chk = 1
    for v in values:
        b = chk >> 20
        chk = (chk & 0xFFFFF) << 10 ^ v
        for i in range(10):
            chk ^= GEN[i] if (b >> i) & 1 else 0
    return chk


def share(ident, ext, e, gi, gt, g, mi, mt, value, cs=None):
    """A mnemonic with a correct RS1024 checksum under cs (SLIP-0039's by default)."""
    nbits = len(value) * 8
    vwords = (nbits + 9) // 10
    bits = (((ident << 1 | ext) << 4 | e) << 4 | gi) << 4 | (gt - 1)
    bits = ((bits << 4 | (g - 1)) << 4 | mi) << 4 | (mt - 1)
    bits = bits << (vwords * 10) | int.from_bytes(value, "big")
    n = 4 + vwords
    data = [(bits >> (10 * (n - 1 - i))) & 1023 for i in range(n)]
    cs = cs or ("shamir_extendable" if ext else "shamir")
    pm = polymod([ord(c) for c in cs] + data + [0, 0, 0]) ^ 1
    data += [(pm >> (10 * (2 - i))) & 1023 for i in range(3)]
    return " ".join(WORDS[i] for i in data)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus", "mnemonic")
    os.makedirs(out, exist_ok=True)
    seeds = {}
    vectors = json.load(open(os.path.join(ROOT, "tests", "vectors", "slip39.json")))
    seen = set()
    for number, (_, mnemonics, _, _) in enumerate(vectors, 1):
        for k, m in enumerate(mnemonics, 1):
            if m not in seen:
                seen.add(m)
                seeds["vector-%02d-%d" % (number, k)] = m
    one = vectors[0][1][0]
    words = one.split()
    seeds.update({
        "typed-prefixes": " ".join(w[:4] for w in words),
        "typed-upper": one.upper(),
        "typed-separators": "\t" + ",".join(words[:10]) + "\r\n" + "\n".join(words[10:]) + "\n\n",
        "typed-five-letters": " ".join(w[:5] for w in words),
        "broken-19-words": " ".join(words[:19]),
        "broken-21-words": one + " academic",
        "broken-unknown-word": one.replace(words[5], "qwerty"),
        "broken-3-letters": one.replace(words[5], words[5][:3]),
        "broken-long-word": one.replace(words[5], words[5] + "ss"),
        "broken-60-words": " ".join([words[0]] * 60),
        "broken-empty": "",
        "broken-separators-only": " ,\t\r\n ,",
        "broken-high-bytes": one.replace(words[7], "caf\xc3\xa9s"),
        "broken-nul": one[:40] + "\0" + one[40:],
        "crafted-masked": share(777, 0, 0, 0, 1, 1, 0, 1, bytes(range(16)), "custos_masked"),
        "crafted-masked-ext": share(777, 1, 2, 1, 2, 3, 4, 3, bytes(range(32)),
                                    "custos_masked_extendable"),
        "crafted-512-bit": share(0x7FFF, 1, 15, 15, 16, 16, 15, 16, bytes(range(64))),
        "crafted-256-bit-ext": share(31415, 1, 1, 2, 3, 5, 9, 10, bytes(255 - i for i in range(32))),
        "crafted-wrong-customization": share(4242, 0, 0, 0, 1, 1, 0, 1, bytes(16), "shamir_extendable"),
        "crafted-17-byte-value": share(4242, 0, 0, 0, 1, 1, 0, 1, bytes(17)),
        "crafted-15-byte-value": share(4242, 0, 0, 0, 1, 1, 0, 1, bytes(15)),
    })
    for name, text in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(text.encode("latin-1") if "\xc3" in text else text.encode())
    print("%d seeds in %s" % (len(seeds), out))


if __name__ == "__main__":
    main()
