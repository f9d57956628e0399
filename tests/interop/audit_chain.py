#!/usr/bin/env python3
"""An auditor's check of a custos audit log and transcripts, written from
docs/audit-format.md alone (sqlite3, hashlib and cryptography; no custos code).

    audit_chain.py ROOT_PEM CA_DB [TRANSCRIPT ...]

Recomputes every record hash and link, checks every checkpoint's signature
with the root certificate and that it signs the record it names, checks each
transcript's detached signature (TRANSCRIPT.sig), its words, its root and that
the chain head it names is in the log.  Prints "OK records=N signed=M" and
exits 0, or prints the first problem and exits 1.
"""
import hashlib
import sqlite3
import struct
import sys

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

FIELDS = ["time", "actor", "role", "operation", "object", "result", "session", "host", "details"]


def record_hash(seq, fields, prev):
    m = b"custos-audit-v1" + struct.pack(">Q", seq)
    for f in fields:
        m += struct.pack(">I", len(f)) + f
    return hashlib.sha256(m + prev).digest()


def checkpoint_message(seq, h, time, session):
    return (b"custos-audit-checkpoint-v1" + struct.pack(">Q", seq) + h +
            struct.pack(">I", len(time)) + time + struct.pack(">I", len(session)) + session)


def verifier(cert):
    key = cert.public_key()
    if isinstance(key, ec.EllipticCurvePublicKey):
        alg = {256: hashes.SHA256(), 384: hashes.SHA384(), 521: hashes.SHA512()}[key.curve.key_size]
        return lambda sig, msg: key.verify(sig, msg, ec.ECDSA(alg))
    if isinstance(key, rsa.RSAPublicKey):
        alg = hashes.SHA256() if key.key_size <= 3072 else hashes.SHA384()
        return lambda sig, msg: key.verify(sig, msg, padding.PKCS1v15(), alg)
    raise SystemExit("unsupported root key")


def as_bytes(v):
    if v is None:
        return b""
    return v if isinstance(v, bytes) else str(v).encode()


def check_log(db, verify):
    rows = db.execute("SELECT seq, " + ", ".join(FIELDS) + ", prev_hash, hash FROM audit ORDER BY seq").fetchall()
    stored = {}
    prev = bytes(32)
    expected = 1
    for row in rows:
        seq, fields, p, h = row[0], [as_bytes(v) for v in row[1:10]], as_bytes(row[10]), as_bytes(row[11])
        if seq != expected:
            return f"record {expected} is missing", stored
        if record_hash(seq, fields, p) != h:
            return f"record {seq} does not match its hash", stored
        if p != prev:
            return f"record {seq} does not follow record {seq - 1}", stored
        stored[seq] = h
        prev = h
        expected += 1
    signed = 0
    for seq, h, t, s, sig in db.execute("SELECT seq, hash, time, session, signature FROM audit_checkpoints ORDER BY seq"):
        try:
            verify(as_bytes(sig), checkpoint_message(seq, as_bytes(h), as_bytes(t), as_bytes(s)))
        except InvalidSignature:
            return f"checkpoint at record {seq} is forged", stored
        if stored.get(seq) != as_bytes(h):
            return f"checkpoint at record {seq} does not match the chain", stored
        signed = max(signed, seq)
    return ("signed", signed, len(rows)), stored


WORDS = None


def bytewords():
    # The Bytewords list (BCR-2020-012) in byte order, as a 1024-letter string.
    return ("ableacidalsoapexaquaarchatomauntawayaxisbackbaldbarnbeltbetabiasbluebodybragbrewbulbbuzz"
            "calmcashcatschefcityclawcodecolacookcostcruxcurlcuspcyandarkdatadaysdelidicedietdoordown"
            "drawdropdrumdulldutyeacheasyechoedgeepicevenexamexiteyesfactfairfernfigsfilmfishfizzflap"
            "flewfluxfoxyfreefrogfuelfundgalagamegeargemsgiftgirlglowgoodgraygrimgurugushgyrohalfhang"
            "hardhawkheathelphighhillholyhopehornhutsicedideaidleinchinkyintoirisironitemjadejazzjoin"
            "joltjowljudojugsjumpjunkjurykeepkenokeptkeyskickkilnkingkitekiwiknoblamblavalazyleaflegs"
            "liarlimplionlistlogoloudloveluaulucklungmainmanymathmazememomenumeowmildmintmissmonknail"
            "navyneednewsnextnoonnotenumbobeyoboeomitonyxopenovalowlspaidpartpeckplaypluspoempoolpose"
            "puffpumapurrquadquizraceramprealredorichroadrockroofrubyruinrunsrustsafesagascarsetssilk"
            "skewslotsoapsolosongstubsurfswantacotasktaxitenttiedtimetinytoiltombtoystriptunatwinugly"
            "undouniturgeuservastveryvetovialvibeviewvisavoidvowswallwandwarmwaspwavewaxywebswhatwhen"
            "whizwolfworkyankyawnyellyogayurtzapszerozestzinczonezoom")


def words_of(h):
    w = bytewords()
    out = [w[4 * b:4 * b + 4] for b in h]
    return " / ".join(" ".join(out[i:i + 4]) for i in range(0, 32, 4))


def check_transcript(path, verify, root_fp, stored):
    data = open(path, "rb").read()
    sig = open(path + ".sig", "rb").read()
    try:
        verify(sig, data)
    except InvalidSignature:
        return f"{path}: the signature does not verify"
    lines = data.decode("utf-8").split("\n")
    if lines[0] != "custos ceremony transcript v1" or lines[-2] != "end of transcript":
        return f"{path}: not a transcript"
    head = None
    for i, line in enumerate(lines):
        s = line.strip()
        if s.startswith("sha256: "):
            h = bytes.fromhex(s[8:])
            if lines[i + 1].strip() != "words: " + words_of(h):
                return f"{path}: line {i + 2}: the words do not spell the hash"
            if lines[i - 1].startswith("audit chain head: record "):
                head = (int(lines[i - 1][len("audit chain head: record "):]), h)
        if line.startswith("root certificate sha256: ") and bytes.fromhex(line[25:]) != root_fp:
            return f"{path}: another root certificate"
    if head is None or stored.get(head[0]) != head[1]:
        return f"{path}: the audit chain head it names is not in the log"
    return None


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    pem = open(sys.argv[1], "rb").read()
    cert = x509.load_pem_x509_certificate(pem)
    root_fp = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).digest()
    verify = verifier(cert)
    db = sqlite3.connect("file:" + sys.argv[2] + "?mode=ro", uri=True)
    db.text_factory = bytes
    result, stored = check_log(db, verify)
    if isinstance(result, str):
        print(result)
        return 1
    for t in sys.argv[3:]:
        problem = check_transcript(t, verify, root_fp, stored)
        if problem:
            print(problem)
            return 1
    print(f"OK records={result[2]} signed={result[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
