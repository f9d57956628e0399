#!/usr/bin/env python3
"""Open a custos vault without custos.

Written from docs/vault-format.md and the SLIP-0039 specification alone (not from
custos' sources): Python 3 standard library, the system libsodium through ctypes
(XChaCha20-Poly1305, Argon2id) and the openssl command.

usage: open_vault.py HOME SHARE_FILE... [NAME=PASS | --passphrase NAME=PASS]...
                     [--passphrases-from FILE] [--out KEY.der] [--quiet]
       open_vault.py --verify-only HOME
       open_vault.py --unmask HOME SHARE_FILE [NAME=PASS | --passphrases-from FILE]
       open_vault.py --combine MNEMONIC_FILE... [--slip39-passphrase P]
       open_vault.py --selftest [VECTORS.json]
       (all: [--wordlist FILE], default shares/wordlist.txt of this tree)

HOME is a CA home directory (vault, root.pem); each SHARE_FILE holds one mnemonic;
FILE has lines NAME=PASS (a custodian's passphrase, exactly the bytes after '=').

Opening: verify the vault's signature with openssl exactly as the document shows,
check the header, decode every share and check it against its custodian's commitment
(unmasking passphrase-protected shares), combine a quorum with this file's own SLIP-0039
code, derive the vault key, decrypt the body, and check with `openssl pkey` that the
private key's public key is root.pem's.  --out also writes the PKCS#8 DER (mode 0600,
never over an existing file).
--verify-only checks the signature and header without any share.
--unmask prints the standard SLIP-0039 mnemonic of a passphrase-protected share (the
document's recipe for using it with other SLIP-0039 tools).
--combine is plain SLIP-0039 (standard checksums only, so a masked share is refused):
it prints the master secret in hex.
--selftest checks the SLIP-0039 code against the official vectors (passphrase TREZOR).

Exit status: 0 success; 1 any refusal or mismatch (the reason on stderr); 2 usage.
Python cannot promise to wipe secrets from memory: run this only where the key may be.
"""

import ctypes
import ctypes.util
import base64
import hashlib
import hmac
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_WORDLIST = os.path.join(HERE, "..", "..", "shares", "wordlist.txt")
DEFAULT_VECTORS = os.path.join(HERE, "..", "vectors", "slip39.json")


class Refused(Exception):
    """Anything that must stop the program with exit status 1."""


# --------------------------------------------------------------------------------------
# libsodium through ctypes

_sodium = None


def sodium():
    global _sodium
    if _sodium is not None:
        return _sodium
    lib = None
    for name in ("libsodium.so.23", ctypes.util.find_library("sodium")):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError:
            pass
    if lib is None:
        raise Refused("cannot load libsodium (libsodium.so.23)")
    if lib.sodium_init() < 0:
        raise Refused("sodium_init failed")
    u8p = ctypes.c_char_p
    ull = ctypes.c_ulonglong
    lib.crypto_aead_xchacha20poly1305_ietf_decrypt.argtypes = [
        ctypes.c_void_p, ctypes.POINTER(ull), ctypes.c_void_p,
        u8p, ull, u8p, ull, u8p, u8p]
    lib.crypto_aead_xchacha20poly1305_ietf_decrypt.restype = ctypes.c_int
    lib.crypto_aead_xchacha20poly1305_ietf_npubbytes.restype = ctypes.c_size_t
    lib.crypto_aead_xchacha20poly1305_ietf_keybytes.restype = ctypes.c_size_t
    lib.crypto_aead_xchacha20poly1305_ietf_abytes.restype = ctypes.c_size_t
    lib.crypto_pwhash.argtypes = [ctypes.c_void_p, ull, u8p, ull, u8p, ull,
                                  ctypes.c_size_t, ctypes.c_int]
    lib.crypto_pwhash.restype = ctypes.c_int
    lib.crypto_pwhash_alg_argon2id13.restype = ctypes.c_int
    lib.crypto_pwhash_saltbytes.restype = ctypes.c_size_t
    assert lib.crypto_aead_xchacha20poly1305_ietf_npubbytes() == 24
    assert lib.crypto_aead_xchacha20poly1305_ietf_keybytes() == 32
    assert lib.crypto_aead_xchacha20poly1305_ietf_abytes() == 16
    assert lib.crypto_pwhash_saltbytes() == 16
    _sodium = lib
    return lib


def xchacha20poly1305_ietf_decrypt(key, nonce, ciphertext, ad):
    lib = sodium()
    if len(ciphertext) < 16:
        raise Refused("the vault body is shorter than a tag")
    out = ctypes.create_string_buffer(len(ciphertext))
    outlen = ctypes.c_ulonglong(0)
    rc = lib.crypto_aead_xchacha20poly1305_ietf_decrypt(
        out, ctypes.byref(outlen), None, ciphertext, len(ciphertext), ad, len(ad),
        nonce, bytes(key))
    if rc != 0:
        ctypes.memset(out, 0, len(ciphertext))
        return None
    plain = bytearray(out.raw[:outlen.value])
    ctypes.memset(out, 0, len(ciphertext))
    return plain


def argon2id13(password, salt, opslimit, memlimit, outlen=32):
    lib = sodium()
    out = ctypes.create_string_buffer(outlen)
    rc = lib.crypto_pwhash(out, outlen, password, len(password), salt, opslimit, memlimit,
                           lib.crypto_pwhash_alg_argon2id13())
    if rc != 0:
        raise Refused("crypto_pwhash (Argon2id) failed: out of memory, or limits out of range")
    res = bytearray(out.raw)
    ctypes.memset(out, 0, outlen)
    return res


def blake2b_256(key, msg):
    return hashlib.blake2b(bytes(msg), digest_size=32, key=bytes(key)).digest()


# --------------------------------------------------------------------------------------
# GF(256), Rijndael polynomial x^8 + x^4 + x^3 + x + 1

def gf_mul(a, b):
    # Shift-and-add with masks instead of branches on the (secret) operands.
    r = 0
    for _ in range(8):
        r ^= -(b & 1) & a
        a = ((a << 1) ^ (-(a >> 7) & 0x11B)) & 0xFF
        b >>= 1
    return r & 0xFF


def gf_inv(a):
    if a == 0:
        raise ValueError("0 has no inverse")
    # a^254 = a^-1 in GF(256)
    r, p, e = 1, a, 254
    while e:
        if e & 1:
            r = gf_mul(r, p)
        p = gf_mul(p, p)
        e >>= 1
    return r


def interpolate(x, points):
    """Lagrange interpolation at x of [(x_i, y_i bytes)], all y_i of one length."""
    xs = [p[0] for p in points]
    if len(set(xs)) != len(xs):
        raise Refused("share indices are not distinct")
    n = len(points[0][1])
    if any(len(p[1]) != n for p in points):
        raise Refused("share values differ in length")
    out = bytearray(n)
    for i, (xi, yi) in enumerate(points):
        num, den = 1, 1
        for j, (xj, _) in enumerate(points):
            if j != i:
                num = gf_mul(num, x ^ xj)       # subtraction is XOR
                den = gf_mul(den, xi ^ xj)
        basis = gf_mul(num, gf_inv(den))
        for k in range(n):
            out[k] ^= gf_mul(yi[k], basis)
    return out


def recover_secret(threshold, points):
    """RecoverSecret(T, [(x, y)...]) of SLIP-0039, with the digest check."""
    if threshold == 1:
        return bytearray(points[0][1])
    secret = interpolate(255, points)
    digest = interpolate(254, points)
    r = bytes(digest[4:])
    if not hmac.compare_digest(hmac.new(r, bytes(secret), hashlib.sha256).digest()[:4],
                               bytes(digest[:4])):
        raise Refused("the SLIP-0039 digest does not match: the shares do not belong together")
    return secret


# --------------------------------------------------------------------------------------
# SLIP-0039 mnemonics

CS_STANDARD = {0: "shamir", 1: "shamir_extendable"}
CS_MASKED = "custos_masked_extendable"


def rs1024_polymod(values):
    gen = (0xE0E040, 0x1C1C080, 0x3838100, 0x7070200, 0xE0E0009,
           0x1C0C2412, 0x38086C24, 0x3090FC48, 0x21B1F890, 0x3F3F120)
    chk = 1
    for v in values:
        b = chk >> 20
        chk = ((chk & 0xFFFFF) << 10) ^ v
        for i in range(10):
            chk ^= gen[i] & -((b >> i) & 1)
    return chk


def rs1024_ok(cs, words):
    return rs1024_polymod([ord(c) for c in cs] + list(words)) == 1


def rs1024_checksum(cs, data):
    pm = rs1024_polymod([ord(c) for c in cs] + list(data) + [0, 0, 0]) ^ 1
    return [(pm >> (10 * (2 - i))) & 1023 for i in range(3)]


def load_wordlist(path):
    with open(path, encoding="ascii") as f:
        words = [w.strip() for w in f if w.strip()]
    if len(words) != 1024 or words != sorted(words) or len(set(w[:4] for w in words)) != 1024:
        raise Refused(f"{path} is not the SLIP-0039 word list")
    return words


class Share:
    __slots__ = ("identifier", "ext", "exponent", "group_index", "group_threshold",
                 "group_count", "member_index", "member_threshold", "value", "masked",
                 "source")


def decode_mnemonic(text, wordlist, source="share", allow_masked=True):
    """Parse one mnemonic into a Share; the checksum may use the standard customization
    string for its ext bit, or (if allow_masked) custos' masked one."""
    index = {w: i for i, w in enumerate(wordlist)}
    words = text.lower().split()
    idx = []
    for pos, w in enumerate(words, 1):
        if w not in index:
            raise Refused(f"{source}: word {pos} ({w!r}) is not in the SLIP-0039 word list")
        idx.append(index[w])
    if len(words) < 20:
        raise Refused(f"{source}: {len(words)} words; a SLIP-0039 share has at least 20")
    # 40 bits of fields = 4 words, then the padded share value, then 3 checksum words.
    head = (idx[0] << 30) | (idx[1] << 20) | (idx[2] << 10) | idx[3]
    ext = (head >> 24) & 1
    if rs1024_ok(CS_STANDARD[ext], idx):
        masked = False
    elif allow_masked and ext == 1 and rs1024_ok(CS_MASKED, idx):
        masked = True
    else:
        raise Refused(f"{source}: the checksum does not match (a mistyped word?)")
    s = Share()
    s.source = source
    s.masked = masked
    s.identifier = head >> 25
    s.ext = ext
    s.exponent = (head >> 20) & 0xF
    s.group_index = (head >> 16) & 0xF
    s.group_threshold = ((head >> 12) & 0xF) + 1
    s.group_count = ((head >> 8) & 0xF) + 1
    s.member_index = (head >> 4) & 0xF
    s.member_threshold = (head & 0xF) + 1
    ps_words = idx[4:-3]
    ps_bits = 10 * len(ps_words)
    pad = ps_bits % 16
    if pad > 8:
        raise Refused(f"{source}: invalid padding length")
    ps = 0
    for w in ps_words:
        ps = (ps << 10) | w
    nbytes = (ps_bits - pad) // 8
    if ps >> (8 * nbytes):
        raise Refused(f"{source}: padding bits are not zero")
    if nbytes < 16:
        raise Refused(f"{source}: the share value is shorter than 128 bits")
    s.value = bytearray(ps.to_bytes(nbytes, "big"))
    if s.group_count < s.group_threshold:
        raise Refused(f"{source}: group threshold exceeds group count")
    return s


def encode_mnemonic(s, wordlist, cs):
    """The inverse of decode_mnemonic (used to re-encode an unmasked share)."""
    head = ((s.identifier << 25) | (s.ext << 24) | (s.exponent << 20) | (s.group_index << 16)
            | ((s.group_threshold - 1) << 12) | ((s.group_count - 1) << 8)
            | (s.member_index << 4) | (s.member_threshold - 1))
    n = len(s.value)
    nwords = (8 * n + 9) // 10
    ps = int.from_bytes(bytes(s.value), "big")
    data = [(head >> (10 * (3 - i))) & 1023 for i in range(4)]
    data += [(ps >> (10 * (nwords - 1 - i))) & 1023 for i in range(nwords)]
    data += rs1024_checksum(cs, data)
    return " ".join(wordlist[i] for i in data)


def feistel_decrypt(ems, passphrase, exponent, identifier, ext):
    if len(ems) % 2:
        raise Refused("the encrypted master secret has an odd length")
    half = len(ems) // 2
    left, right = bytes(ems[:half]), bytes(ems[half:])
    salt_prefix = b"" if ext else b"shamir" + identifier.to_bytes(2, "big")
    for i in (3, 2, 1, 0):
        f = hashlib.pbkdf2_hmac("sha256", bytes([i]) + passphrase, salt_prefix + right,
                                2500 << exponent, half)
        left, right = right, bytes(a ^ b for a, b in zip(left, f))
    return bytearray(right + left)


def combine(shares, passphrase=b""):
    """SLIP-0039 'Combining the shares' over exactly a quorum (the caller chooses it)."""
    if not shares:
        raise Refused("no shares")
    first = shares[0]
    for s in shares:
        for attr in ("identifier", "ext", "exponent", "group_threshold", "group_count"):
            if getattr(s, attr) != getattr(first, attr):
                raise Refused(f"{s.source}: {attr.replace('_', ' ')} differs from {first.source}'s")
        if len(s.value) != len(first.value):
            raise Refused(f"{s.source}: share length differs from {first.source}'s")
    groups = {}
    for s in shares:
        groups.setdefault(s.group_index, []).append(s)
    if len(groups) != first.group_threshold:
        raise Refused(f"{len(groups)} groups given, {first.group_threshold} needed")
    group_points = []
    for gi, members in sorted(groups.items()):
        t = members[0].member_threshold
        if any(m.member_threshold != t for m in members):
            raise Refused(f"group {gi}: member thresholds differ")
        if len(set(m.member_index for m in members)) != len(members):
            raise Refused(f"group {gi}: the same member index twice")
        if len(members) != t:
            raise Refused(f"group {gi}: {len(members)} shares given, {t} needed")
        group_points.append((gi, recover_secret(t, [(m.member_index, m.value) for m in members])))
    ems = recover_secret(first.group_threshold, group_points)
    return feistel_decrypt(ems, passphrase, first.exponent, first.identifier, first.ext)


# --------------------------------------------------------------------------------------
# --selftest: the official SLIP-0039 vectors (passphrase "TREZOR")

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58check(payload):
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def bip32_xprv(seed):
    i = hmac.new(b"Bitcoin seed", bytes(seed), hashlib.sha512).digest()
    payload = bytes.fromhex("0488ade4") + b"\0" * 9 + i[32:] + b"\0" + i[:32]
    return base58check(payload)


def selftest(vectors_path, wordlist):
    with open(vectors_path, encoding="utf-8") as f:
        vectors = json.load(f)
    failures = 0
    for desc, mnemonics, secret_hex, xprv in vectors:
        try:
            shares = [decode_mnemonic(m, wordlist, f"mnemonic {i + 1}", allow_masked=False)
                      for i, m in enumerate(mnemonics)]
            ms = combine(shares, b"TREZOR")
            got = bytes(ms).hex()
            ok = (got == secret_hex and bip32_xprv(ms) == xprv)
            why = "" if ok else f"got {got}"
            # A decoded share must re-encode to the same words.
            for m, s in zip(mnemonics, shares):
                if encode_mnemonic(s, wordlist, CS_STANDARD[s.ext]) != " ".join(m.split()):
                    ok, why = False, "re-encoding differs"
        except Refused as e:
            ok, why = (secret_hex == ""), str(e)
        if not ok:
            failures += 1
            print(f"FAIL {desc}: {why}")
    # The masked customization string must not verify as a standard one, and vice versa.
    data = [1, 2, 3, 4] + [5] * 26
    good = data + rs1024_checksum(CS_MASKED, data)
    if rs1024_ok("shamir_extendable", good) or not rs1024_ok(CS_MASKED, good):
        failures += 1
        print("FAIL RS1024 customization strings")
    # GF(256): the AES example {57}*{83} = {c1}, and inverses.
    if gf_mul(0x57, 0x83) != 0xC1 or any(gf_mul(a, gf_inv(a)) != 1 for a in range(1, 256)):
        failures += 1
        print("FAIL GF(256) arithmetic")
    total = len(vectors) + 2
    print(f"selftest: {total - failures} of {total} passed "
          f"({len(vectors)} SLIP-0039 vectors from {os.path.basename(vectors_path)})")
    return failures == 0


# --------------------------------------------------------------------------------------
# The vault

MAGIC = b"CUSTOSVT"
DIGEST = {"ec-p256": "sha256", "ec-p384": "sha384", "ec-p521": "sha512",
          "rsa-3072": "sha256", "rsa-4096": "sha384"}
HEADER_MEMBERS = {"format", "version", "vault_id", "subject", "key_algorithm", "backend",
                  "spki_sha256", "created", "key_state", "key_state_changed", "kdf", "aead",
                  "shares"}
SHARES_MEMBERS = {"scheme", "identifier", "extendable", "iteration_exponent",
                  "group_threshold", "groups", "custodians", "passphrase_kdf", "retired"}
KDF_TEXT = 'blake2b-256(key=master_secret, msg="custos/vault-key/v1" || vault_id)'
KEY_STATES = {"pre-active", "active", "deactivated", "compromised", "destroyed"}


def no_duplicates(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise Refused(f"vault header: member {k!r} appears twice")
        obj[k] = v
    return obj


def bad_constant(name):
    raise Refused(f"vault header: {name} is not JSON")


def need(cond, what):
    if not cond:
        raise Refused(f"vault header: {what}")


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_hex(v, nbytes):
    return (isinstance(v, str) and len(v) == 2 * nbytes
            and all(c in "0123456789abcdefABCDEF" for c in v))


def is_utc(v):
    return isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", v) is not None


def exact(obj, members, where):
    need(isinstance(obj, dict), f"{where} is not an object")
    need(set(obj) == set(members),
         f"{where}: members {sorted(obj)} are not exactly {sorted(members)}")


def parse_vault(data):
    """The layout; returns a dict of the parts, the header still unparsed."""
    if len(data) < 14:
        raise Refused("vault: truncated (shorter than magic, version and header length)")
    if data[:8] != MAGIC:
        raise Refused("vault: bad magic (not a custos vault)")
    version = struct.unpack(">H", data[8:10])[0]
    if version != 1:
        raise Refused(f"vault: format version {version} is not known (1 is)")
    hlen = struct.unpack(">I", data[10:14])[0]
    if hlen > 65536:
        raise Refused(f"vault: header length {hlen} exceeds 65536")
    if len(data) < 18 + hlen:
        raise Refused("vault: truncated in the header")
    header_bytes = data[:14 + hlen]
    blen = struct.unpack(">I", data[14 + hlen:18 + hlen])[0]
    if len(data) < 20 + hlen + blen:
        raise Refused("vault: truncated in the body")
    body = data[18 + hlen:18 + hlen + blen]
    slen = struct.unpack(">H", data[18 + hlen + blen:20 + hlen + blen])[0]
    if not 1 <= slen <= 1024:
        raise Refused(f"vault: signature length {slen} is not 1 to 1024")
    end = 20 + hlen + blen + slen
    if len(data) < end:
        raise Refused("vault: truncated in the signature")
    if len(data) > end:
        raise Refused(f"vault: {len(data) - end} trailing bytes after the signature")
    return {"header_bytes": header_bytes, "json": data[14:14 + hlen], "body": body,
            "signed": data[:18 + hlen + blen], "signature": data[20 + hlen + blen:end]}


def parse_header(raw):
    try:
        return json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates,
                          parse_constant=bad_constant)
    except (UnicodeDecodeError, ValueError) as e:
        raise Refused(f"vault header: not UTF-8 JSON ({e})")


def check_header(h):
    exact(h, HEADER_MEMBERS, "header")
    need(h["format"] == "custos-vault", "format is not \"custos-vault\"")
    need(is_int(h["version"]) and h["version"] == 1, "version is not 1")
    need(is_hex(h["vault_id"], 32), "vault_id is not 32 bytes of hex")
    need(isinstance(h["subject"], str), "subject is not a string")
    need(h["key_algorithm"] in DIGEST, f"key_algorithm {h['key_algorithm']!r} is not known")
    need(h["backend"] == "software", f"backend {h['backend']!r} is not \"software\"")
    need(is_hex(h["spki_sha256"], 32), "spki_sha256 is not 32 bytes of hex")
    need(is_utc(h["created"]), "created is not YYYY-MM-DDTHH:MM:SSZ")
    need(h["key_state"] in KEY_STATES, f"key_state {h['key_state']!r} is not known")
    need(is_utc(h["key_state_changed"]), "key_state_changed is not YYYY-MM-DDTHH:MM:SSZ")
    need(h["kdf"] == KDF_TEXT, f"kdf {h['kdf']!r} is not the documented one")
    need(h["aead"] == "xchacha20poly1305-ietf", "aead is not xchacha20poly1305-ietf")
    s = h["shares"]
    exact(s, SHARES_MEMBERS, "shares")
    need(s["scheme"] == "slip39", "shares.scheme is not slip39")
    need(is_int(s["identifier"]) and 0 <= s["identifier"] < 1 << 15,
         "shares.identifier is not 15 bits")
    need(isinstance(s["extendable"], bool), "shares.extendable is not a boolean")
    need(is_int(s["iteration_exponent"]) and 0 <= s["iteration_exponent"] < 16,
         "shares.iteration_exponent is not 4 bits")
    groups = s["groups"]
    need(isinstance(groups, list) and 1 <= len(groups) <= 16, "shares.groups: 1 to 16 groups")
    for g in groups:
        exact(g, {"name", "threshold", "count"}, "a group")
        need(isinstance(g["name"], str), "group name is not a string")
        need(is_int(g["count"]) and 1 <= g["count"] <= 16, "group count is not 1 to 16")
        need(is_int(g["threshold"]) and 1 <= g["threshold"] <= g["count"],
             "group threshold is not 1 to its count")
    need(is_int(s["group_threshold"]) and 1 <= s["group_threshold"] <= len(groups),
         "shares.group_threshold is not 1 to the number of groups")
    kdf = s["passphrase_kdf"]
    exact(kdf, {"algorithm", "opslimit", "memlimit"}, "shares.passphrase_kdf")
    need(kdf["algorithm"] == "argon2id13", "passphrase_kdf.algorithm is not argon2id13")
    need(is_int(kdf["opslimit"]) and kdf["opslimit"] > 0, "passphrase_kdf.opslimit")
    need(is_int(kdf["memlimit"]) and kdf["memlimit"] > 0, "passphrase_kdf.memlimit")
    seen = set()
    names = set()
    need(isinstance(s["custodians"], list), "shares.custodians is not an array")
    for c in s["custodians"]:
        exact(c, {"name", "group", "member", "commitment", "passphrase"}, "a custodian")
        need(isinstance(c["name"], str) and c["name"] not in names,
             f"custodian name {c['name']!r} missing or repeated")
        names.add(c["name"])
        need(is_int(c["group"]) and 0 <= c["group"] < len(groups),
             f"custodian {c['name']}: group index out of range")
        need(is_int(c["member"]) and 0 <= c["member"] < groups[c["group"]]["count"],
             f"custodian {c['name']}: member index out of range")
        need((c["group"], c["member"]) not in seen, f"custodian {c['name']}: position repeated")
        seen.add((c["group"], c["member"]))
        need(is_hex(c["commitment"], 32), f"custodian {c['name']}: commitment is not 32 bytes")
        p = c["passphrase"]
        if p is not None:
            exact(p, {"salt"}, f"custodian {c['name']}: passphrase")
            need(is_hex(p["salt"], 16), f"custodian {c['name']}: salt is not 16 bytes of hex")
    need(len(seen) == sum(g["count"] for g in groups), "custodians do not fill the groups")
    need(isinstance(s["retired"], list), "shares.retired is not an array")
    for r in s["retired"]:
        exact(r, {"identifier", "retired"}, "a retired share set")
        need(is_int(r["identifier"]) and 0 <= r["identifier"] < 1 << 15,
             "retired identifier is not 15 bits")
        need(is_utc(r["retired"]), "retired time is not YYYY-MM-DDTHH:MM:SSZ")


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def verify_signature(home, vault, algorithm):
    """Exactly the document's shell recipe: signed.bin, sig.der, root.pub, openssl dgst."""
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "signed.bin"), "wb") as f:
            f.write(vault["signed"])
        with open(os.path.join(d, "sig.der"), "wb") as f:
            f.write(vault["signature"])
        p = run(["openssl", "x509", "-in", os.path.join(home, "root.pem"), "-pubkey", "-noout"])
        if p.returncode != 0:
            raise Refused(f"root.pem: openssl cannot read it: {p.stderr.decode().strip()}")
        with open(os.path.join(d, "root.pub"), "wb") as f:
            f.write(p.stdout)
        p = run(["openssl", "dgst", "-" + DIGEST[algorithm], "-verify", "root.pub",
                 "-signature", "sig.der", "signed.bin"], cwd=d)
        if p.returncode != 0 or b"Verified OK" not in p.stdout:
            raise Refused("the vault signature does not verify with root.pem's key "
                          f"({DIGEST[algorithm]}): {(p.stdout + p.stderr).decode().strip()}")


def root_key_algorithm(home):
    """ec-p256 ... rsa-4096 from root.pem's public key, as openssl describes it."""
    p = run(["openssl", "x509", "-in", os.path.join(home, "root.pem"), "-noout", "-pubkey"])
    if p.returncode != 0:
        raise Refused(f"root.pem: openssl cannot read it: {p.stderr.decode().strip()}")
    q = run(["openssl", "pkey", "-pubin", "-noout", "-text_pub"], input=p.stdout)
    text = q.stdout.decode("ascii", "replace")
    curves = {"prime256v1": "ec-p256", "secp384r1": "ec-p384", "secp521r1": "ec-p521"}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("ASN1 OID:") and line.split()[-1] in curves:
            return curves[line.split()[-1]]
    if "Modulus:" in text:
        for bits, alg in (("3072", "rsa-3072"), ("4096", "rsa-4096")):
            if text.startswith(f"Public-Key: ({bits} bit)"):
                return alg
    raise Refused("root.pem's key is none of ec-p256, ec-p384, ec-p521, rsa-3072, rsa-4096")


def pem_to_der(pem):
    lines = [l for l in pem.decode("ascii").splitlines() if l and not l.startswith("-----")]
    return base64.b64decode("".join(lines))


def root_public_key(home):
    p = run(["openssl", "x509", "-in", os.path.join(home, "root.pem"), "-pubkey", "-noout"])
    if p.returncode != 0:
        raise Refused("root.pem: openssl cannot read it")
    return pem_to_der(p.stdout)


def der_length_ok(der):
    """A single DER SEQUENCE filling exactly the buffer, starting with INTEGER 0 (v1) or 1."""
    if len(der) < 2 or der[0] != 0x30:
        return False
    n, i = der[1], 2
    if n & 0x80:
        k = n & 0x7F
        if k == 0 or k > 4 or len(der) < 2 + k:
            return False
        n, i = int.from_bytes(der[2:2 + k], "big"), 2 + k
    return i + n == len(der) and der[i:i + 2] == b"\x02\x01" and der[i + 2] in (0, 1)


def read_passphrases(args_pairs, files):
    out = {}
    lines = list(args_pairs)
    for path in files:
        with open(path, encoding="utf-8") as f:
            lines += [l.rstrip("\r\n") for l in f if l.strip()]
    for l in lines:
        if "=" not in l:
            raise Refused(f"passphrase {l!r} is not NAME=PASS")
        name, pw = l.split("=", 1)
        out[name] = pw.encode("utf-8")
    return out


def read_vault(home, say):
    """The vault file: its signature verified against root.pem (the digest chosen by
    root.pem's key, not by the header it protects), then its header parsed and checked."""
    with open(os.path.join(home, "vault"), "rb") as f:
        data = f.read()
    vault = parse_vault(data)
    alg = root_key_algorithm(home)
    verify_signature(home, vault, alg)
    say(f"vault signature: verified with root.pem ({alg}, {DIGEST[alg]})")
    h = vault["header"] = parse_header(vault["json"])
    check_header(h)
    if h["key_algorithm"] != alg:
        raise Refused(f"the header says {h['key_algorithm']}, root.pem's key is {alg}")
    vault["spki"] = root_public_key(home)
    if hashlib.sha256(vault["spki"]).hexdigest() != h["spki_sha256"].lower():
        raise Refused("spki_sha256 in the header is not the SHA-256 of root.pem's public key")
    return vault


def read_share(path, h, passphrases, wordlist):
    """Decode one share file and check it against the header: share set, parameters, its
    custodian's commitment (after unmasking).  Returns (custodian, Share)."""
    sh = h["shares"]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    s = decode_mnemonic(text, wordlist, os.path.basename(path))
    if s.identifier != sh["identifier"]:
        if s.identifier in {r["identifier"] for r in sh["retired"]}:
            raise Refused(f"{s.source}: share set {s.identifier} was retired; "
                          "it no longer opens this vault")
        raise Refused(f"{s.source}: share set {s.identifier} is not this vault's "
                      f"({sh['identifier']})")
    if (s.ext == 1) != sh["extendable"] or s.exponent != sh["iteration_exponent"]:
        raise Refused(f"{s.source}: extendable flag or iteration exponent differs from the header")
    if s.group_threshold != sh["group_threshold"] or s.group_count != len(sh["groups"]):
        raise Refused(f"{s.source}: group threshold or count differs from the header")
    if s.group_index >= len(sh["groups"]):
        raise Refused(f"{s.source}: group index {s.group_index} is not in the header")
    if s.member_threshold != sh["groups"][s.group_index]["threshold"]:
        raise Refused(f"{s.source}: member threshold differs from the header's group")
    c = next((c for c in sh["custodians"]
              if (c["group"], c["member"]) == (s.group_index, s.member_index)), None)
    if c is None:
        raise Refused(f"{s.source}: no custodian holds group {s.group_index} member "
                      f"{s.member_index}")
    name = c["name"]
    if s.masked != (c["passphrase"] is not None):
        raise Refused(f"{s.source}: {name}'s share is "
                      f"{'masked' if s.masked else 'not masked'} but the header says "
                      f"{'a passphrase' if c['passphrase'] else 'no passphrase'}")
    if s.masked:
        if name not in passphrases:
            raise Refused(f"{s.source}: {name}'s share needs {name}'s passphrase")
        kdf = sh["passphrase_kdf"]
        mask = argon2id13(passphrases[name], bytes.fromhex(c["passphrase"]["salt"]),
                          kdf["opslimit"], kdf["memlimit"], len(s.value))
        s.value = bytearray(a ^ b for a, b in zip(s.value, mask))
    msg = b"custos/share/v1" + bytes([s.group_index, s.member_index]) + bytes(s.value)
    if not hmac.compare_digest(blake2b_256(bytes.fromhex(h["vault_id"]), msg),
                               bytes.fromhex(c["commitment"])):
        raise Refused(f"{s.source}: not {name}'s share as issued (commitment mismatch"
                      f"{'; wrong passphrase?' if s.masked else ''})")
    return c, s


def open_vault(home, share_files, passphrases, out_path, wordlist, say):
    vault = read_vault(home, say)
    h = vault["header"]
    spki = vault["spki"]
    say(f"subject: {h['subject']}; key state: {h['key_state']}")
    sh = h["shares"]
    vault_id = bytes.fromhex(h["vault_id"])

    accepted = {}   # custodian name -> Share (unmasked)
    for path in share_files:
        c, s = read_share(path, h, passphrases, wordlist)
        name = c["name"]
        if name in accepted:
            raise Refused(f"{s.source}: {name}'s share was given twice")
        accepted[name] = s
        say(f"share {s.source}: {name} (group {s.group_index}, member {s.member_index}"
            f"{', passphrase' if s.masked else ''}): commitment matches")

    # Choose a quorum: the first T_i members of each group that has them, then the first GT
    # such groups.  Every share given was checked above.
    per_group = {}
    for s in accepted.values():
        per_group.setdefault(s.group_index, []).append(s)
    complete = sorted(gi for gi, m in per_group.items()
                      if len(m) >= sh["groups"][gi]["threshold"])
    if len(complete) < sh["group_threshold"]:
        need_more = []
        for gi, g in enumerate(sh["groups"]):
            have = len(per_group.get(gi, []))
            if have < g["threshold"]:
                label = f"group {gi} ({g['name']})" if g["name"] else f"group {gi}"
                need_more.append(f"{label}: {have} of {g['threshold']} shares")
        raise Refused(f"no quorum: {len(complete)} of {sh['group_threshold']} groups complete "
                      f"({'; '.join(need_more)})")
    quorum = []
    for gi in complete[:sh["group_threshold"]]:
        quorum += per_group[gi][:sh["groups"][gi]["threshold"]]
    say(f"quorum: {', '.join(n for n, s in accepted.items() if s in quorum)}")

    master = combine(quorum, b"")
    if len(master) != 32:
        raise Refused(f"the master secret is {len(master)} bytes, not 32")

    if h["key_state"] == "destroyed" or not vault["body"]:
        if h["key_state"] != "destroyed" or vault["body"]:
            raise Refused("an empty body must go with key_state destroyed, and only then")
        raise Refused("the key was destroyed: the body is empty (the shares given are a valid "
                      "quorum, but there is no key to open)")
    key = blake2b_256(master, b"custos/vault-key/v1" + vault_id)
    body = vault["body"]
    if len(body) < 24 + 16:
        raise Refused("the vault body is shorter than nonce and tag")
    der = xchacha20poly1305_ietf_decrypt(key, body[:24], body[24:], vault["header_bytes"])
    if der is None:
        raise Refused("the vault body does not decrypt (wrong master secret, or the header "
                      "or body changed)")
    say(f"body: decrypted, {len(der)} bytes of PKCS#8")
    if not der_length_ok(der):
        raise Refused("the plaintext is not one DER PrivateKeyInfo")
    p = run(["openssl", "pkey", "-inform", "DER", "-pubout", "-outform", "DER"], input=bytes(der))
    if p.returncode != 0:
        raise Refused(f"openssl cannot read the decrypted key: {p.stderr.decode().strip()}")
    if p.stdout != spki:
        raise Refused("the decrypted key's public key is not root.pem's")
    say("private key: its public key is root.pem's public key")
    if out_path:
        fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(der)
        say(f"wrote {out_path} (PKCS#8 DER, mode 0600)")
    for i in range(len(der)):
        der[i] = 0
    for i in range(len(master)):
        master[i] = 0
    return True


def unmask(home, share_file, passphrases, wordlist):
    """The document's recipe for using a masked share elsewhere: the standard mnemonic."""
    vault = read_vault(home, lambda m: None)
    c, s = read_share(share_file, vault["header"], passphrases, wordlist)
    return encode_mnemonic(s, wordlist, CS_STANDARD[s.ext])


def plain_combine(files, passphrase, wordlist):
    """Plain SLIP-0039, as any implementation does it: standard checksums only."""
    shares = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            shares.append(decode_mnemonic(f.read(), wordlist, os.path.basename(path),
                                          allow_masked=False))
    return combine(shares, passphrase)


def usage():
    sys.stderr.write(__doc__.split("\n\n")[2] + "\n")
    return 2


def main(argv):
    wordlist_path = DEFAULT_WORDLIST
    pass_args, pass_files, files = [], [], []
    out_path = None
    slip_pass = b""
    mode = "open"
    quiet = False
    modes = {"--selftest": "selftest", "--verify-only": "verify", "--unmask": "unmask",
             "--combine": "combine"}
    i = 0
    try:
        while i < len(argv):
            a = argv[i]
            if a in ("-h", "--help"):
                print(__doc__)
                return 0
            elif a in modes:
                mode = modes[a]
            elif a == "--quiet":
                quiet = True
            elif a in ("--passphrase", "--passphrases-from", "--out", "--wordlist",
                       "--slip39-passphrase"):
                if i + 1 >= len(argv):
                    return usage()
                v = argv[i + 1]
                i += 1
                if a == "--passphrase":
                    pass_args.append(v)
                elif a == "--passphrases-from":
                    pass_files.append(v)
                elif a == "--out":
                    out_path = v
                elif a == "--slip39-passphrase":
                    slip_pass = v.encode("ascii")
                else:
                    wordlist_path = v
            elif a.startswith("--"):
                return usage()
            elif "=" in a and not os.path.exists(a):
                pass_args.append(a)           # NAME=PASS as a plain argument
            else:
                files.append(a)
            i += 1
        wordlist = load_wordlist(wordlist_path)
        say = (lambda m: None) if quiet else print
        if mode == "selftest":
            if len(files) > 1:
                return usage()
            return 0 if selftest(files[0] if files else DEFAULT_VECTORS, wordlist) else 1
        if mode == "combine":
            if not files:
                return usage()
            print(bytes(plain_combine(files, slip_pass, wordlist)).hex())
            return 0
        if not files:
            return usage()
        home, shares = files[0], files[1:]
        if mode == "verify":
            if shares:
                return usage()
            read_vault(home, say)
            return 0
        if mode == "unmask":
            if len(shares) != 1:
                return usage()
            print(unmask(home, shares[0], read_passphrases(pass_args, pass_files), wordlist))
            return 0
        if not shares:
            return usage()
        open_vault(home, shares, read_passphrases(pass_args, pass_files), out_path, wordlist, say)
        print("OK: the quorum opens the vault and the key is root.pem's")
        return 0
    except Refused as e:
        print(f"REFUSED: {e}", file=sys.stderr)
        return 1
    except (OSError, UnicodeError) as e:
        print(f"REFUSED: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
