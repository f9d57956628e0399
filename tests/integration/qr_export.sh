#!/usr/bin/env bash
# QR codes and UR parts across the air gap, through the real binary, checked with
# zbarimg: PEM QR codes decode to exactly the artifact; UR parts of a CRL too large for
# one code decode one by one and reassemble; the terminal rendering, turned back into an
# image here, decodes; a 10,000-entry CRL exported as UR parts, shuffled, partly
# duplicated and with parts missing, is reassembled byte-exactly by import-qr; parts of
# another message, corrupted parts, impossible sequence headers and too few parts are
# refused.
. "$(dirname "$0")/lib.bash"

# Signing verbs need a named operator and, where the tree has them, the time confirmation
# and --allow-network (the test machine is not air-gapped).
export CUSTOS_OPERATOR=Olivia
signing=()
if "$CUSTOS" sign --help 2>&1 | grep -q -- --confirm-time; then
	signing=(--confirm-time "$(date -u +%Y-%m-%dT%H:%MZ)" --allow-network)
fi

command -v zbarimg >/dev/null || { echo "SKIP: zbarimg (zbar-tools) is not installed"; exit 0; }

H=$WORK/ca
S=$WORK/shares
U=$WORK/usb
mkdir "$S" "$U"
q=(--share-file "$S/alice.share" --share-file "$S/bob.share")
"$CUSTOS" init --home "$H" --subject "/C=US/O=Example/CN=Example Root CA" --key ec-p384 \
	--threshold 2 --custodian alice --custodian bob --custodian carol --shares-out "$S" >/dev/null
"$CUSTOS" key activate --home "$H" "${q[@]}" >/dev/null 2>&1
openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/sub.key" 2>/dev/null
openssl req -new -key "$WORK/sub.key" -subj "/C=US/O=Example/CN=Issuing CA 1" -out "$WORK/sub.csr"
"$CUSTOS" sign --home "$H" --csr "$WORK/sub.csr" --out "$WORK/sub.pem" "${q[@]}" "${signing[@]}" >"$WORK/out" 2>/dev/null
serial=$(awk '/^serial:/ {print $2}' "$WORK/out")
[ -n "$serial" ] && pass || fail "custos sign gave no serial"

# zbarimg prints the payload and one newline.
decode() { zbarimg --raw -q "$1" 2>/dev/null; }

# 1. One QR code of the PEM text: root, certificate, chain.
expect_rc 0 "qr-png root, cert, chain" -- "$CUSTOS" export --home "$H" --to "$U" --format qr-png,pem \
	root cert "$serial" chain "$serial"
for base in root "cert-$serial" "chain-$serial"; do
	decode "$U/$base.png" | head -c -1 | cmp -s - "$U/$base.pem" && pass || fail "$base.png does not decode to $base.pem"
done
expect_in "$WORK/out" 'root.png .*QR code of the PEM text' "single QR code reported"

# 2. A CRL as UR parts in PNG files (version 10 holds too little for its PEM).
"$CUSTOS" crl --home "$H" --out "$WORK/crl1.pem" "${q[@]}" "${signing[@]}" >/dev/null 2>&1
expect_rc 0 "qr-png of a CRL, one QR per UR part" -- "$CUSTOS" export --home "$H" --to "$U" \
	--format qr-png,der --max-version 10 --ec M crl
n=$(ls "$U"/crl-1-ur-*-of-*.png | wc -l)
[ "$n" -ge 2 ] && pass || fail "expected several UR PNGs for the CRL, got $n"
for f in "$U"/crl-1-ur-*.png; do decode "$f"; done >"$WORK/crl1.parts"
grep -c '^UR:BYTES/' "$WORK/crl1.parts" | grep -qx "$n" && pass || fail "not every CRL PNG decoded to a UR part"
expect_rc 0 "import-qr of the decoded PNGs" -- "$CUSTOS" import-qr "$WORK/crl1.parts" --out "$WORK/crl1.der"
cmp -s "$WORK/crl1.der" "$U/crl-1.der" && pass || fail "CRL from the PNG parts differs"
expect_in "$WORK/out" 'X.509 CRL' "import-qr says what it got"
( cd "$U" && sha256sum -c --quiet SHA256SUMS ) && pass || fail "SHA256SUMS does not check"

# 3. The terminal: frames rendered by the core, turned back into images here.
frames_to_pbm() { # FILE INVERT OUTDIR: one PBM per frame
	python3 - "$@" <<'EOF'
import sys
src, invert, out = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
frames, cur = [], []
for line in open(src, encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith("-- part"):
        frames.append(cur); cur = []
    else:
        cur.append(line)
for k, fr in enumerate(frames):
    side = len(fr[0])
    assert all(len(l) == side for l in fr), "ragged frame"
    assert len(fr) == (side + 1) // 2, "frame height"
    rows = []
    for l in fr:
        up = [c in "\u2580\u2588" for c in l]
        low = [c in "\u2584\u2588" for c in l]
        rows += [up, low]
    rows = rows[:side]
    # shown = light on a light-on-dark terminal; inverted, shown = dark
    dark = [[(s if invert else not s) for s in r] for r in rows]
    q, sc = 4, 4
    n = (side + 2 * q) * sc
    with open(f"{out}/frame{k:04d}.pbm", "w") as f:
        f.write(f"P1\n{n} {n}\n")
        for y in range(n):
            my = y // sc - q
            f.write(" ".join("1" if 0 <= my < side and 0 <= x // sc - q < side and dark[my][x // sc - q] else "0"
                             for x in range(n)) + "\n")
print(len(frames))
EOF
}
for inv in 0 1; do
	args=(--max-version 6); [ "$inv" = 1 ] && args+=(--invert)
	expect_rc 0 "show on the terminal (invert=$inv)" -- "$CUSTOS" export --home "$H" --show "${args[@]}" cert "$serial"
	cp "$WORK/out" "$WORK/frames$inv.txt"
	mkdir -p "$WORK/pbm$inv"
	nf=$(frames_to_pbm "$WORK/frames$inv.txt" "$inv" "$WORK/pbm$inv")
	[ "$nf" -ge 2 ] && pass || fail "expected several frames, got $nf"
	for f in "$WORK/pbm$inv"/*.pbm; do decode "$f"; done >"$WORK/term$inv.parts"
	[ "$(grep -c '^UR:BYTES/' "$WORK/term$inv.parts")" -eq "$nf" ] && pass || fail "a terminal frame did not decode (invert=$inv)"
	expect_rc 0 "import-qr of the terminal frames (invert=$inv)" -- "$CUSTOS" import-qr "$WORK/term$inv.parts" --out "$WORK/term$inv.der"
	openssl x509 -in "$U/cert-$serial.pem" -outform DER | cmp -s - "$WORK/term$inv.der" && pass || fail "certificate from the terminal differs (invert=$inv)"
done
grep -q 'QR version [1-6])' "$WORK/frames0.txt" && pass || fail "--max-version 6 not respected"

# 4. A CRL with 10,000 entries, as UR parts: shuffled, duplicated, some parts missing.
python3 - "$H/ca.db" <<'EOF'
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for i in range(10000):
    b = bytearray(os.urandom(16)); b[0] = (b[0] & 0x3f) | 0x40
    db.execute("INSERT INTO revocations(serial, revoked_at, reason) VALUES (?, ?, 1)", (bytes(4) + bytes(b), 1700000000 + i))
db.commit()
EOF
"$CUSTOS" crl --home "$H" --out "$WORK/crl2.pem" "${q[@]}" "${signing[@]}" >/dev/null 2>&1
expect_rc 0 "export the big CRL as UR" -- "$CUSTOS" export --home "$H" --to "$U" --format ur,der --max-version 25 crl
openssl crl -inform DER -in "$U/crl-2.der" -noout -text | grep -c 'Serial Number:' | grep -qx 10000 && pass || fail "the CRL does not hold 10,000 entries"
lines=$(wc -l <"$U/crl-2.ur")
python3 - "$U/crl-2.ur" "$WORK/shuffled.ur" <<'EOF'
import random, sys
parts = open(sys.argv[1]).read().split()
seq_len = int(parts[0].split("/")[1].split("-")[1])
rng = random.Random(7)
# Drop a tenth of the fragments (the fountain parts make up for them), duplicate a fifth.
keep = [p for i, p in enumerate(parts) if not (i < seq_len and rng.random() < 0.1)]
keep += rng.sample(keep, len(keep) // 5)
rng.shuffle(keep)
open(sys.argv[2], "w").write("\n".join(keep) + "\n")
EOF
expect_rc 0 "import-qr of the shuffled big CRL" -- "$CUSTOS" import-qr "$WORK/shuffled.ur" --out "$WORK/crl2.der"
cmp -s "$WORK/crl2.der" "$U/crl-2.der" && pass || fail "the big CRL was not reassembled byte-exactly"
expect_in "$WORK/out" 'CRC-32 checked' "import-qr checks the CRC"
expect_in "$WORK/err" 'fragments' "import-qr reports progress"
[ "$lines" -gt 100 ] && pass || fail "expected many parts for a 10,000-entry CRL, got $lines"

# 5. Bad input.
"$CUSTOS" export --home "$H" --to "$U" --format ur --max-version 8 root >/dev/null
{ head -n 2 "$U/root.ur"; head -n 1 "$U/crl-2.ur"; tail -n +3 "$U/root.ur"; } >"$WORK/mixed.ur"
expect_rc 1 "parts of another message" -- "$CUSTOS" import-qr "$WORK/mixed.ur" --out "$WORK/mixed.der"
expect_in "$WORK/err" 'line 3 is a part of another message' "mixed parts named"
[ ! -e "$WORK/mixed.der" ] && pass || fail "mixed import wrote a file"

# One letter changed in the first part: refused (checksum), the rest still completes.
awk 'NR == 1 { c = substr($0, 30, 1); $0 = substr($0, 1, 29) (c == "a" ? "e" : "a") substr($0, 31) } { print }' \
	"$U/root.ur" >"$WORK/corrupt.ur"
expect_rc 0 "a corrupted part is skipped" -- "$CUSTOS" import-qr "$WORK/corrupt.ur" --out "$WORK/corrupt.der"
expect_in "$WORK/err" 'line 1 refused' "corrupted part reported"
expect_rc 1 "a corrupted part with --strict" -- "$CUSTOS" import-qr --strict "$WORK/corrupt.ur" --out "$WORK/strict.der"
[ ! -e "$WORK/strict.der" ] && pass || fail "--strict wrote a file"

# Impossible sequence headers.
p1=$(head -n 1 "$U/root.ur")
body=${p1#ur:bytes/*/}
for seq in 0-9 1-0 3-999999; do
	echo "ur:bytes/$seq/$body" >"$WORK/seq.ur"
	expect_rc 1 "sequence $seq" -- "$CUSTOS" import-qr --strict "$WORK/seq.ur" --out "$WORK/seq.der"
	expect_in "$WORK/err" 'refused' "sequence $seq refused"
done

# Too few parts; zbarimg's own output form ("QR-Code:" prefix) is read too.
head -n 2 "$U/root.ur" | sed 's/^/QR-Code:/' >"$WORK/few.ur"
expect_rc 1 "too few parts" -- "$CUSTOS" import-qr "$WORK/few.ur" --out "$WORK/few.der"
expect_in "$WORK/err" 'ended with [0-9]+ of [0-9]+ fragments' "incomplete import says how far"
sed 's/^/QR-Code:/' "$U/root.ur" | tr a-z A-Z >"$WORK/zbar.ur"
expect_rc 0 "zbarimg form, upper case" -- "$CUSTOS" import-qr - --out "$WORK/zbar.der" <"$WORK/zbar.ur"
openssl x509 -in "$H/root.pem" -outform DER | cmp -s - "$WORK/zbar.der" && pass || fail "root from stdin differs"
expect_rc 1 "import-qr never overwrites" -- "$CUSTOS" import-qr "$U/root.ur" --out "$WORK/zbar.der"
expect_rc 2 "import-qr needs --out" -- "$CUSTOS" import-qr "$U/root.ur"
expect_rc 1 "--max-version too small for a UR part" -- "$CUSTOS" export --home "$H" --show --max-version 2 root

finish
