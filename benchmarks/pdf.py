"""The registry's PDFs: certificate and articles render time with our cached fonts and
stylesheet, against plain WeasyPrint drawing the same HTML with a fresh FontConfiguration (and
stylesheet) each time; the peak Python memory of one render of each (tracemalloc: Pango's and
HarfBuzz's own memory is not counted); and the seal's cost, without a timestamp (B-B) and with
one from the sandbox Time-Stamping Authority served on loopback (B-T).

    python benchmarks/pdf.py [--repeat 20]

Uses DATABASE_URL when set; otherwise SQLite in a temporary folder.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
from collections.abc import Callable
from io import StringIO

from _django import setup


def median_ms(work: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def peak_mb(work: Callable[[], object]) -> float:
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / 1_000_000
    finally:
        tracemalloc.stop()


def row(label: str, ms: float, peak: float | None = None) -> None:
    memory = f"   peak {peak:5.1f} MB" if peak is not None else ""
    print(f"  {label:<44}{ms:8.1f} ms{memory}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    workdir = setup()
    from django.conf import settings
    from django.core.management import call_command
    from weasyprint import CSS, HTML  # type: ignore[import-untyped]
    from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]
    from weasyprint.urls import path2url  # type: ignore[import-untyped]

    from companies.documents import rendering, seal
    from tests.factories import EntrepreneurFactory, complete_application, registered_company

    settings.SEAL_KEY_PATH = workdir / "seal" / "seal-key.pem"
    settings.SEAL_CERT_PATH = workdir / "seal" / "seal-cert.pem"
    settings.SEAL_TSA_URL = ""
    call_command("make_seal_key", stdout=StringIO())

    application = complete_application(EntrepreneurFactory())
    company = registered_company(application, number=123, rfc="TES261126AB1")

    def plain_weasyprint(html: str) -> bytes:
        font_config = FontConfiguration()
        stylesheet = CSS(filename=str(rendering.STYLESHEET), font_config=font_config)
        pdf: bytes = HTML(string=html, base_url=path2url(str(rendering.STATIC_DIR))).write_pdf(
            stylesheets=[stylesheet], font_config=font_config, **rendering.PDF_OPTIONS
        )
        return pdf

    def first_render(html: str) -> float:
        rendering.resources.cache_clear()
        started = time.perf_counter()
        rendering.write_pdf(html)
        return (time.perf_counter() - started) * 1000

    print(f"WeasyPrint, {args.repeat} renders each, median; peak = tracemalloc, one render")
    cases = [
        ("certificate", rendering.CERTIFICATE, rendering.certificate_context),
        ("articles", rendering.ARTICLES, rendering.articles_context),
    ]
    shares = {}
    for name, template, context in cases:
        html = rendering.document_html(template, context, company)
        cold = first_render(html)
        cached = median_ms(lambda html=html: rendering.write_pdf(html), args.repeat)
        plain = median_ms(lambda html=html: plain_weasyprint(html), args.repeat)
        whole = median_ms(
            lambda template=template, context=context: rendering.write_pdf(
                rendering.document_html(template, context, company)
            ),
            args.repeat,
        )
        cached_peak = peak_mb(lambda html=html: rendering.write_pdf(html))
        plain_peak = peak_mb(lambda html=html: plain_weasyprint(html))
        size = len(rendering.write_pdf(html)) / 1000
        print(f"\n{name} ({size:.1f} kB)")
        row("cached fonts + stylesheet, HTML -> PDF", cached, cached_peak)
        row("plain WeasyPrint, fresh fonts + CSS", plain, plain_peak)
        row("first render after a cache clear (cold)", cold)
        row(f"data + template + PDF (render_{name})", whole)
        print(f"  cached takes {cached / plain:.0%} of plain's time")
        shares[name] = cached / plain

    pdf = rendering.render_certificate(company)
    sealed = seal.seal_pdf(pdf)
    print("\nseal (certificate)")
    row("seal_pdf (B-B)", median_ms(lambda: seal.seal_pdf(pdf), args.repeat))
    row("validate_seal (B-B)", median_ms(lambda: seal.validate_seal(sealed), args.repeat))

    from sandbox.tsa import create_tsa_app, generate_authority
    from xroad_client.emulator import serve_in_thread

    authority = generate_authority()
    (workdir / "tsa-ca.pem").write_bytes(authority.ca_pem)
    settings.SEAL_TSA_CA_PATH = str(workdir / "tsa-ca.pem")
    with serve_in_thread(create_tsa_app(authority)) as url:
        settings.SEAL_TSA_URL = f"{url}/"
        stamped = seal.seal_pdf(pdf)
        assert seal.validate_seal(stamped).timestamped_at is not None
        row("seal_pdf (B-T, sandbox TSA)", median_ms(lambda: seal.seal_pdf(pdf), args.repeat))
    row("validate_seal (B-T)", median_ms(lambda: seal.validate_seal(stamped), args.repeat))
    for name, share in shares.items():
        print(f"HEADLINE pdf_{name} {share:.2f} x plain WeasyPrint's render time (less is better)")


if __name__ == "__main__":
    main()
