"""A founder's e.firma signature on the articles PDF: the portal's two steps (``prepare``, then
``finish``: the checks, SAT's OCSP answer and the embedding) against pyHanko's own one-call
``sign_pdf`` with the key in the process, on the same PDF.

SAT's OCSP is answered in-process by a sandbox authority after a 200 ms sleep (the X-Road round
trip the issue asks for); the figure without that sleep is printed too. With ``--over-xroad``,
SAT is asked as the portal asks it: over real HTTP through the sandbox's X-Road emulator (served
in a thread), the certificates service given 200 ms of latency by the emulator's fault
injection, then none. The signer's own work (the browser's RSA signature) is counted in neither.

    python benchmarks/signing.py [--repeat 5] [--over-xroad]

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
CERTIFICATES = "MX-DEV/GOV/SAT/padron/certificados"


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
    parser.add_argument(
        "--over-xroad",
        action="store_true",
        help="ask SAT's OCSP over HTTP through the sandbox X-Road emulator (200 ms, then 0 ms)",
    )
    args = parser.parse_args()
    workdir = setup()
    from asn1crypto import keys as asn1_keys  # type: ignore[import-untyped]
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from django.conf import settings
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from companies import workflow
    from companies.documents import founder_signing
    from companies.models import Signature, SigningDocument, SigningSession
    from sandbox import efirma
    from tests.efirma import ANA, der, sign
    from tests.factories import EntrepreneurFactory, complete_application, founder_user

    now = datetime.datetime.now(datetime.UTC)
    set_latency, stop = (over_xroad if args.over_xroad else in_process)(workdir, settings)
    authority = efirma.load_or_create(workdir / "efirma")
    settings.ESIGN_TRUST_ROOTS = str(workdir / "efirma" / efirma.CA_FILE)

    filer = EntrepreneurFactory(curp=ANA.curp)
    application = workflow.send_for_signatures(complete_application(filer), actor=filer)
    document = founder_signing.draw(application.pk)
    assert document is not None
    original = bytes(document.pdf)
    version = application.versions.get()
    founder = application.founders.get(curp=ANA.curp)
    user = founder_user(founder)
    cer, key = efirma.person_files(workdir / "efirma", ANA)  # the demo e.firma, as SAT knows it
    certificate = x509.load_der_x509_certificate(cer)

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
    set_latency(LATENCY_SECONDS)
    with_latency = median_ms(portal, args.repeat) - median_ms(browser_part, args.repeat)
    set_latency(0.0)
    without_latency = median_ms(portal, args.repeat) - median_ms(browser_part, args.repeat)
    stop()

    how = "over HTTP through the X-Road emulator" if args.over_xroad else "in-process"
    print(f"PDF of {len(original) / 1000:.0f} kB, median of {args.repeat} runs (shared machine)")
    print(f"  SAT's OCSP asked {how}")
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


def in_process(workdir, settings):
    """SAT answered by the sandbox authority in this process, after a sleep of the latency."""
    from companies import registries
    from sandbox import efirma
    from tests.efirma import responder

    answer = responder(efirma.make_folder(workdir / "efirma"))
    latency = {"seconds": LATENCY_SECONDS}

    def slow_answer(request: bytes, *, application: object = None) -> registries.Answer:
        time.sleep(latency["seconds"])
        return answer(request)

    registries.certificate_status = slow_answer  # type: ignore[assignment]
    return (lambda seconds: latency.update(seconds=seconds)), (lambda: None)


def over_xroad(workdir, settings):
    """The sandbox's registries behind the X-Road emulator, served over HTTP in a thread, with
    the sandbox SAT of ``workdir``; the certificates service's latency set by fault injection."""
    import contextlib
    import os

    from companies import registries
    from sandbox import efirma
    from sandbox.world import build_emulator
    from xroad_client.emulator import FaultSpec, serve_in_thread

    efirma.make_folder(workdir / "efirma")
    os.environ["SANDBOX_EFIRMA_DIR"] = str(workdir / "efirma")  # the emulator's SAT
    emulator = build_emulator()
    stack = contextlib.ExitStack()
    settings.XROAD_SECURITY_SERVER_URL = stack.enter_context(serve_in_thread(emulator))
    registries.client.cache_clear()

    def set_latency(seconds: float) -> None:
        emulator.inject_fault(CERTIFICATES, FaultSpec(latency_ms=seconds * 1000))

    return set_latency, stack.close


if __name__ == "__main__":
    main()
