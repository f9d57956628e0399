#!/usr/bin/env python3
"""A negative control for the verifiers: re-issues a certificate with the same root key
but with its issuer name encoded differently from the root's subject (every attribute
but C as PrintableString instead of UTF8String: the same name to X509_NAME_cmp, other
bytes).  A verifier that compares names byte for byte (RFC 5280 7.1 leaves it open;
GnuTLS and cryptography's PolicyBuilder do) must refuse the result.

usage: forge_issuer.py ROOT.pem ROOTKEY.der CERT.pem OUT.pem
ROOTKEY.der is the root's PKCS#8 (tests/interop/open_vault.py --out writes it).
"""
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.name import _ASN1Type


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    root = x509.load_pem_x509_certificate(open(argv[0], "rb").read())
    key = serialization.load_der_private_key(open(argv[1], "rb").read(), None)
    cert = x509.load_pem_x509_certificate(open(argv[2], "rb").read())
    attrs = []
    for rdn in root.subject.rdns:
        for a in rdn:
            attrs.append(x509.NameAttribute(a.oid, a.value, _ASN1Type.PrintableString))
    issuer = x509.Name(attrs)
    if issuer.public_bytes() == root.subject.public_bytes():
        print("forge_issuer: the re-encoded issuer is byte-identical; nothing to test",
              file=sys.stderr)
        return 1
    b = (x509.CertificateBuilder().subject_name(cert.subject).issuer_name(issuer)
         .public_key(cert.public_key()).serial_number(cert.serial_number)
         .not_valid_before(cert.not_valid_before_utc if hasattr(cert, "not_valid_before_utc")
                           else cert.not_valid_before)
         .not_valid_after(cert.not_valid_after_utc if hasattr(cert, "not_valid_after_utc")
                          else cert.not_valid_after))
    for ext in cert.extensions:
        b = b.add_extension(ext.value, critical=ext.critical)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        h = {256: hashes.SHA256(), 384: hashes.SHA384(), 521: hashes.SHA512()}[key.curve.key_size]
    else:
        h = hashes.SHA256()
    forged = b.sign(key, h)
    open(argv[3], "wb").write(forged.public_bytes(serialization.Encoding.PEM))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
