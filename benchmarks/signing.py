"""A founder's e.firma signature on the articles PDF: the portal's two steps (``prepare``, then
``finish``: the checks, SAT's OCSP answer and the embedding) against pyHanko's own one-call
``sign_pdf`` with the key in the process, on the same PDF.

SAT's OCSP is answered in-process by a sandbox authority after a 200 ms sleep (the X-Road round
trip the issue asks for); the figure without that sleep is printed too. The signer's own work
(the browser's RSA signature) is counted in neither.

    python benchmarks/signing.py [--repeat 5]

Uses DATABASE_URL when set; otherwise SQLite in a temporary folder.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import time
from collections.abc import Callable
from io import BytesIO

from _django import setup

LATENCY_SECONDS = 0.2


def median_ms(work: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    workdir = setup()
    from asn1crypto import keys as asn1_keys  # type: ignore[import-untyped]
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from django.conf import settings
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from companies import registries, workflow
    from companies.documents import founder_signing
    from companies.models import Signature, SigningDocument, SigningSession
    from sandbox import efirma
    from tests.efirma import ANA, der, responder, sign, valid
    from tests.factories import EntrepreneurFactory, complete_application, founder_user

    now = datetime.datetime.now(datetime.UTC)
    authority = efirma.new_authority(now=now)
    roots = workdir / "sat.pem"
    roots.write_bytes(authority.ca_pem)
    settings.ESIGN_TRUST_ROOTS = str(roots)
    answer = responder(authority)
    latency = {"seconds": LATENCY_SECONDS}

    def slow_answer(request: bytes, *, application: object = None) -> registries.Answer:
        time.sleep(latency["seconds"])
        return answer(request)

    registries.certificate_status = slow_answer  # type: ignore[assignment]

    filer = EntrepreneurFactory(curp=ANA.curp)
    application = workflow.send_for_signatures(complete_application(filer), actor=filer)
    document = founder_signing.draw(application.pk)
    assert document is not None
    original = bytes(document.pdf)
    version = application.versions.get()
    founder = application.founders.get(curp=ANA.curp)
    user = founder_user(founder)
    certificate, key = efirma.issue_to(authority, ANA, valid())

    def portal() -> None:
        SigningDocument.objects.filter(pk=document.pk).update(
            pdf=original, sha256=document.sha256, signatures=0
        )
        Signature.objects.all().delete()
        SigningSession.objects.all().delete()
        to_sign = founder_signing.prepare(
            version, founder, der(certificate), "browser", user=user, authenticated_at=now
        )
        value = sign(key, to_sign.signed_attributes)  # the browser's part, timed out below
        finished = founder_signing.finish(to_sign.session, value)
        assert finished.signature is not None

    key_der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pyhanko_signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(der(certificate)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(der(c)) for c in (authority.ac, authority.root)]
        ),
    )

    def pyhanko_alone() -> None:
        writer = IncrementalPdfFileWriter(BytesIO(original), strict=False)
        metadata = signers.PdfSignatureMetadata(
            field_name="Fundador1", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
        )
        signers.sign_pdf(writer, metadata, signer=pyhanko_signer)

    def browser_part() -> None:
        sign(key, b"x" * 200)

    portal()  # warm up: the first pyHanko call loads its modules
    pyhanko_alone()
    baseline = median_ms(pyhanko_alone, args.repeat)
    with_latency = median_ms(portal, args.repeat) - median_ms(browser_part, args.repeat)
    latency["seconds"] = 0.0
    without_latency = median_ms(portal, args.repeat) - median_ms(browser_part, args.repeat)

    print(f"PDF of {len(original) / 1000:.0f} kB, median of {args.repeat} runs (shared machine)")
    print(f"  pyHanko sign_pdf, key in process            {baseline:8.1f} ms")
    print(f"  portal prepare+finish, OCSP at 200 ms       {with_latency:8.1f} ms")
    print(f"  portal prepare+finish, OCSP at 0 ms         {without_latency:8.1f} ms")
    print(
        f"HEADLINE signing_vs_pyhanko {with_latency / baseline:.2f} "
        "x pyHanko's own sign call: one founder's signature verified (chain, OCSP at 200 ms) "
        "and embedded, less is better"
    )
    print(
        f"HEADLINE signing_overhead {without_latency / baseline:.2f} "
        "x pyHanko's own sign call, with SAT answering at once, less is better"
    )


if __name__ == "__main__":
    main()
