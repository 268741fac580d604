#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Re-issue a credential's certificate as an expired one (ref_start.sh, the reference target).

  ref_expired_cert.py CERT.pem CA.pem CA-KEY.pem OUT.pem

The same subject, public key and extensions, issued by the same (test) CA, valid from
2020-01-01 to 2021-01-01: the certificate the expired-certificate vector needs. The SAM
imports it (`qscd admin cert.import`: the key must match, the chain is checked without the
time) and must then refuse to authorise signatures with it.
"""
import datetime
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization


def main():
    cert_p, ca_p, key_p, out_p = sys.argv[1:5]
    cert = x509.load_pem_x509_certificate(open(cert_p, "rb").read())
    ca = x509.load_pem_x509_certificate(open(ca_p, "rb").read())
    key = serialization.load_pem_private_key(open(key_p, "rb").read(), password=None)
    b = (x509.CertificateBuilder().subject_name(cert.subject).issuer_name(ca.subject)
         .public_key(cert.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(datetime.datetime(2020, 1, 1))
         .not_valid_after(datetime.datetime(2021, 1, 1)))
    for ext in cert.extensions:
        b = b.add_extension(ext.value, ext.critical)
    out = b.sign(key, hashes.SHA256())
    with open(out_p, "wb") as f:
        f.write(out.public_bytes(serialization.Encoding.PEM))


if __name__ == "__main__":
    main()
