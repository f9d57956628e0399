#!/usr/bin/env bash
# Across the air gap from the application: the CSR chosen from a list
# (HOME/exports/; removable media cannot be mounted in a test) or typed, the
# review showing the file's SHA-256; the root certificate exported to a
# directory (SHA256SUMS checks with sha256sum -c, openssl reads the PEM); a
# CRL issued from the command line shown as paged QR codes, every page
# captured, turned back into an image, decoded by zbarimg and imported with
# `custos import-qr`: the same DER byte for byte.  The exports are in the
# audit log.
. "$(dirname "$0")/lib.bash"
command -v openssl >/dev/null || { echo "SKIP: openssl missing"; exit 77; }
command -v zbarimg >/dev/null || { echo "SKIP: zbarimg missing"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }

HOME_DIR=$WORK/ca
mkdir "$WORK/cards"
"$CUSTOS" init --home "$HOME_DIR" --subject "/C=US/O=Example/CN=Export Root" --key ec-p256 \
	--threshold 2 --custodian alice --custodian bob --custodian carol --shares-out "$WORK/cards" \
	--operator Olivia >/dev/null
"$CUSTOS" key activate --home "$HOME_DIR" --share-file "$WORK/cards/alice.share" \
	--share-file "$WORK/cards/bob.share" --operator Olivia >/dev/null 2>&1
"$CUSTOS" crl --home "$HOME_DIR" --confirm-time "$(date -u +%Y-%m-%dT%H:%MZ)" --allow-network \
	--out "$WORK/crl.pem" --share-file "$WORK/cards/alice.share" \
	--share-file "$WORK/cards/carol.share" --operator Olivia >/dev/null 2>&1
openssl crl -in "$WORK/crl.pem" -outform DER -out "$WORK/crl.der"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/sub.key" \
	-subj "/C=US/O=Example/CN=Example Issuing CA 1" -out "$WORK/sub.csr" 2>/dev/null
mkdir -p "$HOME_DIR/exports"
cp "$WORK/sub.csr" "$HOME_DIR/exports/issuing-ca.csr"
file_sha=$(sha256sum "$WORK/sub.csr" | cut -c1-64)

# decode_page FILE INVERT: the QR code on a captured screen, through an image, to zbarimg.
decode_page() {
	python3 - "$1" "$2" "$WORK/page.pbm" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
invert = sys.argv[2] == "1"
blocks = "\u2588\u2580\u2584"
rows = [l for l in lines if any(c in l for c in blocks)]
x0 = min(min(i for i, c in enumerate(l) if c in blocks) for l in rows)
x1 = max(max(i for i, c in enumerate(l) if c in blocks) for l in rows) + 1
top = {"\u2580": 1, "\u2588": 1}
bottom = {"\u2584": 1, "\u2588": 1}
grid = []
for l in rows:
    l = l.ljust(x1)[x0:x1]
    grid.append([top.get(c, 0) for c in l])
    grid.append([bottom.get(c, 0) for c in l])
if invert:  # blocks are the light modules
    grid = [[1 - v for v in r] for r in grid]
    while grid and all(grid[-1]):
        grid.pop()  # the empty lower half of an odd last line
w = x1 - x0
scale, margin = 4, 6
W, H = (w + 2 * margin) * scale, (len(grid) + 2 * margin) * scale
out = ["P1", "%d %d" % (W, H)]
for y in range(H):
    gy = y // scale - margin
    out.append(" ".join(str(grid[gy][x // scale - margin]) if 0 <= gy < len(grid) and
                        0 <= x // scale - margin < w else "0" for x in range(W)))
open(sys.argv[3], "w").write("\n".join(out) + "\n")
PY
	zbarimg --raw -q "$WORK/page.pbm" 2>/dev/null
}

start_tui 100 30 tui --home "$HOME_DIR"
as_operator
expect_screen "Certificates +0 issued" "the dashboard"
expect_screen "Export an artifact" "the dashboard offers the export"

# The CSR, chosen from the list.
keys s
expect_screen "Sign an issuing-CA CSR: choose the file" "the chooser"
expect_screen "issuing-ca\\.csr +[0-9]+ B .* exports" "the CSR in HOME/exports is listed, with its size"
expect_screen "Type a path" "typing is offered"
keys Enter
expect_screen "Sign an issuing-CA CSR: which one" "the profile screen"
expect_screen "exports/issuing-ca\\.csr" "the path chosen is filled in"
keys Enter
expect_screen "Sign this issuing-CA CSR\\?" "the review"
expect_screen "File SHA-256: +$file_sha" "the review shows the file's SHA-256 (sha256sum's)"
expect_screen "words: +[a-z]{4} [a-z]{4} [a-z]{4} [a-z]{4} / " "and its words"
keys Escape
expect_screen "Certificates +0 issued" "cancelled: back on the dashboard"

# The CSR, typed.
keys s
expect_screen "choose the file" "the chooser again"
keys t
expect_screen "Sign an issuing-CA CSR: which one" "typing a path"
text "$WORK/sub.csr"; keys Tab Enter
expect_screen "Sign this issuing-CA CSR\\?" "the review of the typed path"
expect_screen "File SHA-256: +$file_sha" "the same SHA-256"
keys Escape
expect_screen "Certificates +0 issued" "back on the dashboard"

# The root certificate to a directory.
mkdir "$WORK/stick"
keys e
expect_screen "Export: which artifact" "the export screen"
expect_screen "Root certificate" "the root is offered"
expect_screen "Latest CRL" "the CRL is offered"
keys Enter
expect_screen "Export: where to" "where to"
expect_screen "As QR codes on screen" "QR codes are offered"
keys Down Down Down Down Down Down Down Down Up Enter
expect_screen "Export to a directory" "the directory is typed"
text "$WORK/stick"; keys Enter
expect_screen "Exported" "exported"
root_sha=$(sha256sum "$WORK/stick/root.pem" | cut -c1-64)
expect_screen "SHA-256 $root_sha" "the PEM's SHA-256 is shown"
expect_screen "root\\.der" "and the DER's"
(cd "$WORK/stick" && sha256sum -c SHA256SUMS >/dev/null 2>&1) && pass || fail "sha256sum -c SHA256SUMS"
[ "$(wc -l <"$WORK/stick/SHA256SUMS")" -eq 2 ] && pass || fail "SHA256SUMS lists two files"
openssl x509 -in "$WORK/stick/root.pem" -noout 2>/dev/null && pass || fail "openssl reads the root PEM"
cmp -s <(openssl x509 -in "$WORK/stick/root.pem" -outform DER) \
	<(openssl x509 -in "$HOME_DIR/root.pem" -outform DER) && pass || fail "the root exported is the CA's"
keys Enter
expect_screen "Certificates +0 issued" "back on the dashboard"

# The same again refuses: nothing is overwritten.
keys e
expect_screen "Export: which artifact" "the export screen"
keys Enter
expect_screen "Export: where to" "where to"
keys Down Down Down Down Down Down Down Down Up Enter
text "$WORK/stick"; keys Enter
expect_screen "Nothing was exported" "an existing file is not overwritten"
keys Enter

# The CRL as QR codes, on the smallest terminal: several pages.
tm resize-window -t "$S" -x 80 -y 24
sleep 0.3
keys e
expect_screen "Export: which artifact" "the export screen"
keys Down Enter
expect_screen "Export: where to" "where to"
expect_screen "Artifact: .*CRL" "the CRL"
keys Down Down Down Down Down Down Down Down Enter
expect_screen "crl-1: part 1/[0-9]+ " "the first page"
n=$(screen | grep -oE "part 1/[0-9]+" | cut -d/ -f2)
[ "$n" -ge 2 ] && pass || fail "the CRL needs several pages at 80x24 ($n)"
: >"$WORK/parts"
for ((i = 1; i <= n; i++)); do
	expect_screen "part $i/$n " "page $i of $n"
	screen >"$WORK/page$i.txt"
	decode_page "$WORK/page$i.txt" 0 >>"$WORK/parts" || fail "page $i did not decode"
	echo >>"$WORK/parts"
	keys Right
done
expect_screen "crl-1: fountain part $((n + 1)) " "then fountain parts"
screen >"$WORK/fountain.txt"
f_part=$(decode_page "$WORK/fountain.txt" 0) && pass || fail "the fountain part did not decode"
grep -q "^UR:BYTES/$((n + 1))-$n/" <<<"$f_part" && pass || fail "the fountain part is part $((n + 1)): $f_part"
keys i
sleep 0.3
screen >"$WORK/inverted.txt"
inv_part=$(decode_page "$WORK/inverted.txt" 1) && pass || fail "the inverted page did not decode"
[ "$inv_part" = "$f_part" ] && pass || fail "inverted, the same part"
keys i Left Left
expect_screen "part $((n - 1))/$n " "Left pages back"
[ "$(grep -c '^UR:BYTES/' "$WORK/parts")" -eq "$n" ] && pass || fail "every page decoded: $(cat "$WORK/parts")"
"$CUSTOS" import-qr - --out "$WORK/crl-from-screen.der" <"$WORK/parts" >/dev/null 2>&1 &&
	pass || fail "import-qr of the pages"
cmp -s "$WORK/crl.der" "$WORK/crl-from-screen.der" && pass || fail "the CRL from the screen differs"
# Only the fountain part and the last page: a resize redraws at another size.
tm resize-window -t "$S" -x 100 -y 30
expect_screen "QR version [0-9]+\\)" "redrawn after the resize"
keys Escape
expect_screen "Certificates +0 issued" "back on the dashboard"
keys q
expect_screen "^custos exited 0" "q quits"

"$CUSTOS" audit verify --home "$HOME_DIR" >/dev/null 2>&1 && pass || fail "the audit log verifies"
"$CUSTOS" audit show --home "$HOME_DIR" >"$WORK/audit"
grep -qE "Olivia \\(operator\\) export .*$WORK/stick.*: ok" "$WORK/audit" && pass ||
	fail "the export to the directory is recorded: $(grep export "$WORK/audit")"
grep -qE "Olivia \\(operator\\) export .*terminal.*: ok" "$WORK/audit" && pass ||
	fail "the showing on screen is recorded: $(grep export "$WORK/audit")"
finish
