"""The registry's documents for a registered company, as tagged PDF/A-3u in Spanish: the
certificate of incorporation, the articles of association and the register of shares (or of
partners, for an S. de R.L.).

Three layers, kept apart: the ``*_context`` functions gather the structured data, the templates
in ``companies/templates/companies/documents/`` lay it out, and ``write_pdf`` turns the HTML into
a PDF with WeasyPrint. The fonts and the print stylesheet are parsed once per process
(``resources``), and a document may load nothing but our own static files (``StaticFilesOnly``):
no network, no other file on the disk.
"""

from __future__ import annotations

import functools
import mimetypes
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML  # type: ignore[import-untyped]
from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]
from weasyprint.urls import (  # type: ignore[import-untyped]
    FatalURLFetchingError,
    URLFetcher,
    URLFetcherResponse,
    path2url,
)

from companies.documents import codes
from companies.documents.seal import REGISTRY_NAME
from companies.filing import scian
from companies.filing.articles import Clause, clauses
from companies.models import (
    Application,
    Company,
    Document,
    Founder,
    LegalForm,
    Signature,
    document_title,
)

Kind = Document.Kind
LANGUAGE = "es-mx"
STATIC_DIR = Path(settings.BASE_DIR) / "static"
STYLESHEET = STATIC_DIR / "css" / "print.css"
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/a-3u", "pdf_tags": True}

CERTIFICATE = "companies/documents/certificate.html"
ARTICLES = "companies/documents/articles.html"
REGISTER = "companies/documents/register.html"


class DocumentError(Exception):
    """A document cannot be drawn; the message says why."""


class ResourceRefused(DocumentError, ValueError):
    """A document asked for something that is not one of our static files."""


# -- The verification code and its QR --------------------------------------------------------


def verification_url(code: str) -> str:
    return f"{settings.PORTAL_BASE_URL}/verificar/{code}"


def qr_code(url: str) -> segno.QRCode:
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str, *, title: str) -> SafeString:
    """The QR code as inline SVG, sized by the stylesheet (no width or height of its own)."""
    svg = qr_code(url).svg_inline(scale=1, border=4, omitsize=True, title=title, dark="#000")
    return mark_safe(svg)  # noqa: S308 - segno's own markup; it escapes the title it is given


# -- Small pieces of data ----------------------------------------------------------------


def mask_curp(curp: str) -> str:
    """``RAOA900514MQTMLN01`` -> ``RAOA************01``: enough to tell people apart on paper,
    not enough to reuse someone's CURP."""
    return _mask(curp)


def mask_rfc(rfc: str) -> str:
    """A company's RFC as CURPs are masked: ``CJU150610I85`` -> ``CJU1******85``."""
    return _mask(rfc)


def _mask(identifier: str) -> str:
    if len(identifier) <= 6:
        return "*" * len(identifier)
    return identifier[:4] + "*" * (len(identifier) - 6) + identifier[-2:]


@dataclass(frozen=True, kw_only=True)
class Identity:
    """Who a founder is, as both the founders' table and the signatures say it. A company is
    named with its masked RFC and the person who signs on its behalf (``representative``)."""

    name: str
    masked_curp: str
    is_company: bool = False
    masked_rfc: str = ""
    representative: str = ""


@dataclass(frozen=True, kw_only=True)
class Holder(Identity):
    """A line of the founders' table and of the register."""

    nationality: str
    contribution: Decimal
    percentage: Decimal
    is_administrator: bool
    shares: int | None = None  # how many shares (None for partnership parts: one each)
    first_share: int | None = None  # the shares are numbered in the order of the founders
    last_share: int | None = None


@dataclass(frozen=True, kw_only=True)
class SignatureLine(Identity):
    signed_at: datetime | None
    version_number: int | None
    sha256: str


def _identity(founder: Founder) -> dict[str, Any]:
    """The ``Identity`` fields of a founder's lines."""
    return {
        "name": str(founder),
        "masked_curp": mask_curp(founder.curp),
        "is_company": founder.is_company,
        "masked_rfc": mask_rfc(founder.rfc) if founder.is_company else "",
        "representative": founder.person_name if founder.is_company else "",
    }


def holders(founders: Sequence[Founder], *, share_value: Decimal | None = None) -> list[Holder]:
    """The founders as holders; with a ``share_value`` (forms with shares), how many shares each
    holds and their numbers, 1 to N in the order of the founders."""
    total = sum((f.contribution for f in founders), Decimal(0))
    lines = []
    next_share = 1
    for f in founders:
        shares = int(f.contribution // share_value) if share_value else None
        lines.append(
            Holder(
                **_identity(f),
                nationality=f.nationality,
                contribution=f.contribution,
                percentage=(f.contribution * 100 / total).quantize(Decimal("0.01"))
                if total
                else Decimal(0),
                is_administrator=f.is_administrator,
                shares=shares,
                first_share=next_share if shares else None,
                last_share=next_share + shares - 1 if shares else None,
            )
        )
        next_share += shares or 0
    return lines


def share_value_of(application: Application) -> Decimal | None:
    form = application.legal_form
    if form is None or form.capital_unit != LegalForm.CapitalUnit.SHARES:
        return None
    return application.share_value


def latest_approvals(application: Application) -> dict[int, Signature]:
    """Each founder's latest approval, by founder id (one query)."""
    latest: dict[int, Signature] = {}
    approvals = (
        Signature.objects.filter(
            founder__application=application, decision=Signature.Decision.APPROVED
        )
        .select_related("version")
        .order_by("founder_id", "-version__number")
    )
    for approval in approvals:
        latest.setdefault(approval.founder_id, approval)
    return latest


def signature_lines(application: Application, founders: Sequence[Founder]) -> list[SignatureLine]:
    """Each founder with their latest approval: when, and the hash of the version approved."""
    latest = latest_approvals(application)
    return [_signature_line(founder, latest.get(founder.pk)) for founder in founders]


def _signature_line(founder: Founder, approval: Signature | None) -> SignatureLine:
    return SignatureLine(
        **_identity(founder),
        signed_at=approval.signed_at if approval else None,
        version_number=approval.version.number if approval else None,
        sha256=approval.version.sha256 if approval else "",
    )


def activities(codes: Sequence[str]) -> list[scian.Activity]:
    catalogue = scian.load_catalogue()
    return [catalogue.get(code) or scian.Activity(code, "", "", "") for code in codes]


# -- Contexts: what each document says -----------------------------------------------------


def _application(company: Company) -> Application:
    if company.application_id is None:
        raise DocumentError(
            f"{company.registration_number} has no application: its documents cannot be drawn."
        )
    return (
        Application.objects.select_related("legal_form")
        .prefetch_related("founders")
        .get(pk=company.application_id)
    )


def _common(company: Company, application: Application, title: str) -> dict[str, Any]:
    language, _sep, region = (translation.get_language() or LANGUAGE).partition("-")
    founders = list(application.founders.all())
    share_value = share_value_of(application)
    lines = holders(founders, share_value=share_value)
    return {
        "company": company,
        "application": application,
        "title": title,
        "authority": REGISTRY_NAME,
        "language_tag": f"{language}-{region.upper()}" if region else language,
        "issued_at": timezone.now(),
        "holders": lines,
        "share_value": share_value,
        "total_shares": sum(h.shares or 0 for h in lines),
        "has_company_founders": any(f.is_company for f in founders),
        "total": sum((f.contribution for f in founders), Decimal(0)),
    }


def certificate_context(company: Company) -> dict[str, Any]:
    application = _application(company)
    code = codes.code_of(company)
    url = verification_url(code)
    return {
        **_common(company, application, document_title(Kind.CERTIFICATE, company.legal_form)),
        "administrators": [str(f) for f in application.founders.all() if f.is_administrator],
        "verification_code": code,
        "verification_url": url,
        "qr_svg": qr_svg(url, title=_("Verification code")),
    }


def articles_context(company: Company) -> dict[str, Any]:
    application = _application(company)
    chosen: list[Clause] = clauses(application, application.articles)
    return {
        **_common(company, application, document_title(Kind.ARTICLES, company.legal_form)),
        "clauses": chosen,
        "activities": activities(application.activity_codes),
        "signatures": signature_lines(application, list(application.founders.all())),
    }


def register_context(company: Company) -> dict[str, Any]:
    application = _application(company)
    return _common(company, application, document_title(Kind.REGISTER, company.legal_form))


# -- Rendering -------------------------------------------------------------------------------


class StaticFilesOnly(URLFetcher):
    """WeasyPrint's URL fetcher, allowed to read files under ``root`` and nothing else: a
    document that asks for anything else (http, data:, another folder) fails to render."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("file",), fail_on_errors=True)
        self.root = root.resolve()

    def path_for(self, url: str) -> Path:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ResourceRefused(f"Documents load only our static files, not {url!r}.")
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise ResourceRefused(f"{url!r} is not one of our static files.")
        return path

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        path = self.path_for(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path2url(str(path)), path.read_bytes(), headers={"Content-Type": content_type}
        )


@dataclass(frozen=True)
class Resources:
    """What every render shares: fonts (with our @font-face files loaded) and the stylesheet."""

    font_config: FontConfiguration
    stylesheets: tuple[CSS, ...]
    url_fetcher: StaticFilesOnly


@functools.cache
def resources() -> Resources:
    url_fetcher = StaticFilesOnly(STATIC_DIR)
    font_config = FontConfiguration()
    stylesheet = CSS(filename=str(STYLESHEET), font_config=font_config, url_fetcher=url_fetcher)
    return Resources(font_config, (stylesheet,), url_fetcher)


# Pango's font map is not made for concurrent use: threads of one process render in turn.
_render_lock = threading.Lock()


def write_pdf(html: str) -> bytes:
    shared = resources()
    document = HTML(string=html, base_url=path2url(str(STATIC_DIR)), url_fetcher=shared.url_fetcher)
    try:
        with _render_lock:
            pdf: bytes = document.write_pdf(
                stylesheets=list(shared.stylesheets), font_config=shared.font_config, **PDF_OPTIONS
            )
    except FatalURLFetchingError as error:
        raise ResourceRefused(str(error)) from error
    return pdf


def document_html(
    template: str, build_context: Callable[[Company], dict[str, Any]], company: Company
) -> str:
    with translation.override(LANGUAGE):
        return render_to_string(template, build_context(company))


def render_certificate(company: Company) -> bytes:
    return write_pdf(document_html(CERTIFICATE, certificate_context, company))


def render_articles(company: Company) -> bytes:
    return write_pdf(document_html(ARTICLES, articles_context, company))


def render_register(company: Company) -> bytes:
    return write_pdf(document_html(REGISTER, register_context, company))
