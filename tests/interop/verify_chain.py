#!/usr/bin/env python3
"""Checks custos certificates and CRLs with Python's `cryptography`, independently of custos.

usage: verify_chain.py --root ROOT.pem [--sub SUB.pem[:SUBKEY.pem]]... [--crl CRL]...
                       [--dns NAME] [--revoked SERIALHEX]... [--expect-fail]

Which path runs depends on the installed cryptography (printed first, as `path: ...`):
- cryptography >= 42 ("policybuilder"): x509.verification.PolicyBuilder builds and checks
  the chain.  An issuing CA is a CA, and the web-PKI verifier wants an end-entity leaf:
  * with a SUBKEY (the issuing CA's private key), a TLS server leaf for --dns NAME
    (default www.example.com) is made and signed by the issuing CA, and
    build_server_verifier(DNSName(NAME)).verify(leaf, [sub]) must give leaf -> sub -> root:
    the issuing CA is checked as an intermediate under the CA/B Forum CA policy
    (basicConstraints, keyUsage, EKU, name constraints, AKI/SKI, algorithms);
  * with cryptography >= 45 the issuing CA is also verified as the leaf itself, with the
    web-PKI CA policy on the root and ExtensionPolicy.permit_all() for the leaf (the
    end-entity policy refuses cA=TRUE); before 45 this half is skipped and said so.
- older cryptography ("fallback"): the signature of each certificate and CRL with the
  root's public key, only.
In both paths: the issuer of every certificate and CRL is byte-identical to the root's
subject (raw DER from the TBS, not a re-encoding), the root is self-issued the same way,
serials are positive, 1 to 20 bytes (certificates 16 to 20), CRLs verify with the root's
key, and each --revoked serial is on the last CRL given (and no other issued one is).
--expect-fail inverts the exit status of the chain checks (for negative controls) and
prints which checks refused.

Output: one line per check, `ok: ...` or `FAIL: ...`; exit 0 when every check passed.
"""
import datetime
import sys

import cryptography
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

VERSION = tuple(int(x) for x in cryptography.__version__.split(".")[:2])
failures = 0
refusals = []


def ok(msg):
    print("ok: " + msg)


def bad(msg):
    global failures
    failures += 1
    print("FAIL: " + msg)


def der_tlv(buf, pos):
    """Returns (tag, start_of_value, end_of_tlv) of the DER element at pos."""
    tag = buf[pos]
    n = buf[pos + 1]
    p = pos + 2
    if n & 0x80:
        k = n & 0x7F
        if k == 0 or k > 4:
            raise ValueError("bad DER length")
        n = int.from_bytes(buf[p:p + k], "big")
        p += k
    if p + n > len(buf):
        raise ValueError("DER element runs past the end")
    return tag, p, p + n


def tbs_names(tbs):
    """Raw DER (tag, length, value) of the issuer and subject of a TBSCertificate."""
    tag, p, end = der_tlv(tbs, 0)
    assert tag == 0x30, "TBS is not a SEQUENCE"
    fields = []
    while p < end:
        t, v, e = der_tlv(tbs, p)
        fields.append((t, tbs[p:e]))
        p = e
    if fields[0][0] == 0xA0:  # [0] version
        fields = fields[1:]
    # serialNumber, signature, issuer, validity, subject, ...
    return fields[2][1], fields[4][1]


def crl_issuer(tbs):
    """Raw DER of the issuer of a TBSCertList."""
    tag, p, end = der_tlv(tbs, 0)
    fields = []
    while p < end:
        t, v, e = der_tlv(tbs, p)
        fields.append((t, tbs[p:e]))
        p = e
    if fields[0][0] == 0x02:  # version INTEGER (v2)
        fields = fields[1:]
    return fields[1][1]  # signature, issuer


def check_signature(issuer_cert, sig, data, sig_hash, sig_oid_name):
    pub = issuer_cert.public_key()
    if isinstance(pub, rsa.RSAPublicKey):
        pub.verify(sig, data, padding.PKCS1v15(), sig_hash)
    elif isinstance(pub, ec.EllipticCurvePublicKey):
        pub.verify(sig, data, ec.ECDSA(sig_hash))
    else:
        raise ValueError("unexpected key type for " + sig_oid_name)


def load_cert(path):
    data = open(path, "rb").read()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def load_crl(path):
    data = open(path, "rb").read()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_crl(data)
    return x509.load_der_x509_crl(data)


def hash_for(key):
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return {256: hashes.SHA256(), 384: hashes.SHA384(), 521: hashes.SHA512()}[key.curve.key_size]
    return hashes.SHA256()


def make_leaf(sub, sub_key, dns, now):
    """A TLS server certificate for dns, issued by the issuing CA sub (key sub_key)."""
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    try:
        aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
            sub.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value)
    except x509.ExtensionNotFound:
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(sub_key.public_key())
    b = (x509.CertificateBuilder()
         .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, dns)]))
         .issuer_name(sub.subject)
         .public_key(leaf_key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(hours=1))
         .not_valid_after(now + datetime.timedelta(days=30))
         .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
         .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False),
                        critical=True)
         .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
         .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns)]), critical=False)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()),
                        critical=False)
         .add_extension(aki, critical=False))
    # the issuer must be the issuing CA's subject bytes as they are: cryptography
    # re-encodes a Name, so check that it round-trips before trusting the leaf
    leaf = b.sign(sub_key, hash_for(sub_key))
    if tbs_names(leaf.tbs_certificate_bytes)[0] != tbs_names(sub.tbs_certificate_bytes)[1]:
        raise ValueError("cryptography re-encoded the issuing CA's subject differently")
    return leaf


def main(argv):
    root_path, subs, crls, revoked, dns, expect_fail = None, [], [], [], "www.example.com", False
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-h", "--help"):
            print(__doc__)
            return 0
        if a == "--expect-fail":
            expect_fail = True
            i += 1
            continue
        if i + 1 >= len(argv):
            print("usage: see --help", file=sys.stderr)
            return 2
        v = argv[i + 1]
        if a == "--root":
            root_path = v
        elif a == "--sub":
            path, _, key = v.partition(":")
            subs.append((path, key or None))
        elif a == "--crl":
            crls.append(v)
        elif a == "--revoked":
            revoked.append(int(v, 16))
        elif a == "--dns":
            dns = v
        else:
            print("unknown option " + a, file=sys.stderr)
            return 2
        i += 2
    if root_path is None:
        print("usage: --root is required", file=sys.stderr)
        return 2

    policy = VERSION >= (42, 0)
    if policy:
        print("path: policybuilder (cryptography %s: x509.verification.PolicyBuilder)"
              % cryptography.__version__)
    else:
        print("path: fallback (cryptography %s < 42: signature and issuer-bytes checks only)"
              % cryptography.__version__)

    root = load_cert(root_path)
    root_issuer, root_subject = tbs_names(root.tbs_certificate_bytes)
    if root_issuer == root_subject:
        ok("root: issuer bytes == subject bytes")
    else:
        bad("root: issuer bytes differ from its subject bytes")
    try:
        check_signature(root, root.signature, root.tbs_certificate_bytes,
                        root.signature_hash_algorithm, "root")
        ok("root: self-signature verifies")
    except Exception as e:  # noqa: BLE001 - report any refusal
        bad("root: self-signature: %r" % e)

    now = datetime.datetime.now(datetime.timezone.utc)
    issued = []
    for path, key_path in subs:
        name = path.rsplit("/", 1)[-1]
        sub = load_cert(path)
        issued.append(sub.serial_number)
        chain_ok = True
        issuer, _ = tbs_names(sub.tbs_certificate_bytes)
        if issuer == root_subject:
            ok("%s: issuer bytes == root subject bytes" % name)
        else:
            chain_ok = False
            refusals.append("%s: issuer bytes" % name)
            (ok if expect_fail else bad)("%s: issuer bytes differ from the root's subject" % name)
        sn = sub.serial_number
        nbytes = (sn.bit_length() + 8) // 8  # DER content length, with a sign byte if needed
        if sn > 0 and 16 <= nbytes <= 20:
            ok("%s: serial positive, %d bytes" % (name, nbytes))
        else:
            bad("%s: serial %x is not positive or not 16-20 bytes" % (name, sn))
        try:
            check_signature(root, sub.signature, sub.tbs_certificate_bytes,
                            sub.signature_hash_algorithm, name)
            ok("%s: signature verifies with the root's key" % name)
        except Exception as e:  # noqa: BLE001
            chain_ok = False
            refusals.append("%s: signature" % name)
            (ok if expect_fail else bad)("%s: signature: %r" % (name, e))
        if policy:
            from cryptography.x509.verification import PolicyBuilder, Store
            store = Store([root])
            if key_path:
                from cryptography.x509.verification import DNSName
                key = serialization.load_pem_private_key(open(key_path, "rb").read(), None)
                leaf = make_leaf(sub, key, dns, now)
                try:
                    verifier = PolicyBuilder().store(store).time(now).build_server_verifier(
                        DNSName(dns))
                    chain = verifier.verify(leaf, [sub])
                    if len(chain) == 3 and chain[1] == sub and chain[2] == root:
                        ok("%s: PolicyBuilder server verifier: %s leaf -> issuing CA -> root"
                           % (name, dns))
                    else:
                        bad("%s: PolicyBuilder built an unexpected chain of %d" % (name, len(chain)))
                except Exception as e:  # noqa: BLE001
                    chain_ok = False
                    refusals.append("%s: PolicyBuilder (leaf)" % name)
                    (ok if expect_fail else bad)("%s: PolicyBuilder server verifier: %s"
                                                 % (name, e))
            if VERSION >= (45, 0):
                from cryptography.x509.verification import ExtensionPolicy
                try:
                    verifier = (PolicyBuilder().store(store).time(now)
                                .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(),
                                                    ee_policy=ExtensionPolicy.permit_all())
                                .build_client_verifier())
                    verified = verifier.verify(sub, [])
                    if verified.chain[-1] == root and len(verified.chain) == 2:
                        ok("%s: PolicyBuilder client verifier (issuing CA as leaf, permit_all "
                           "end-entity policy): issuing CA -> root" % name)
                    else:
                        bad("%s: PolicyBuilder built an unexpected chain" % name)
                except Exception as e:  # noqa: BLE001
                    chain_ok = False
                    refusals.append("%s: PolicyBuilder (CA as leaf)" % name)
                    (ok if expect_fail else bad)("%s: PolicyBuilder client verifier: %s"
                                                 % (name, e))
            else:
                print("skip: %s: cryptography < 45 has no ExtensionPolicy: the issuing CA is "
                      "not verified as a leaf" % name)
        if expect_fail and chain_ok:
            bad("%s: expected a refusal, every check accepted it" % name)

    last = None
    for path in crls:
        name = path.rsplit("/", 1)[-1]
        crl = load_crl(path)
        last = crl
        if crl_issuer(crl.tbs_certlist_bytes) == root_subject:
            ok("%s: CRL issuer bytes == root subject bytes" % name)
        else:
            bad("%s: CRL issuer bytes differ from the root's subject" % name)
        if crl.is_signature_valid(root.public_key()):
            ok("%s: CRL signature verifies with the root's key" % name)
        else:
            bad("%s: CRL signature does not verify" % name)
    if last is not None:
        on = {r.serial_number for r in last}
        for s in revoked:
            (ok if s in on else bad)("serial %x %s on the last CRL"
                                     % (s, "is" if s in on else "is not"))
        for s in issued:
            if s not in revoked and s in on:
                bad("serial %x is on the CRL but was not revoked" % s)
    if expect_fail:
        print("refused: " + ("; ".join(refusals) if refusals else "nothing"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
