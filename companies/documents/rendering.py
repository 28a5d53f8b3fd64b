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
from typing import Any, cast
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
    ApplicationVersion,
    Company,
    CompanyState,
    Document,
    Founder,
    LegalForm,
    Municipality,
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


def register_data(company: Company) -> dict[str, Any] | None:
    """The company's register data today, as registered filings left it (None for a company
    with no state yet). The query of ``companies.register.states.current``: that room sits above
    this one, so it is asked here directly."""
    state = (
        CompanyState.objects.filter(company_id=company.pk, valid_from__lte=timezone.localdate())
        .order_by("-valid_from", "-pk")
        .first()
    )
    return None if state is None else state.data


def office_of(application: Application, data: dict[str, Any] | None) -> dict[str, str]:
    """The registered office as the register states it now, the application's when it has no
    state; with the municipality's name."""
    office = (data or {}).get("office") or {
        "street": application.street,
        "exterior_number": application.exterior_number,
        "interior_number": application.interior_number,
        "neighbourhood": application.neighbourhood,
        "postal_code": application.postal_code,
        "municipality": application.municipality,
    }
    municipality = office.get("municipality") or ""
    return {
        **office,
        "municipality_display": str(dict(Municipality.choices).get(municipality, municipality)),
    }


def administrator_names(application: Application, data: dict[str, Any] | None) -> list[str]:
    """The administrators as the register states them now: a founder still in office under
    the same name is named as the application names them (a company by its legal name)."""
    founders = list(application.founders.all())
    if data is None or "administrators" not in data:
        return [str(f) for f in founders if f.is_administrator]
    by_curp = {f.curp: f for f in founders if f.is_administrator}
    names = []
    for person in data["administrators"]:
        founder = by_curp.get(person["curp"])
        same = founder is not None and founder.person_name == person["name"]
        names.append(str(founder) if same and founder is not None else person["name"])
    return names


def certificate_context(company: Company) -> dict[str, Any]:
    application = _application(company)
    data = register_data(company)
    code = codes.code_of(company)
    url = verification_url(code)
    return {
        **_common(company, application, document_title(Kind.CERTIFICATE, company.legal_form)),
        "office": office_of(application, data),
        "administrators": administrator_names(application, data),
        "verification_code": code,
        "verification_url": url,
        "qr_svg": qr_svg(url, title=_("Verification code")),
    }


def articles_context(company: Company) -> dict[str, Any]:
    application = _application(company)
    data = register_data(company)
    chosen: list[Clause] = clauses(
        application,
        application.articles,
        municipality=office_of(application, data)["municipality_display"],
        administrators=administrator_names(application, data),
    )
    return {
        **_common(company, application, document_title(Kind.ARTICLES, company.legal_form)),
        "clauses": chosen,
        "activities": activities(application.activity_codes),
        "signatures": signature_lines(application, list(application.founders.all())),
    }


# -- The articles of a frozen version, before registration ----------------------------------


@dataclass(frozen=True)
class FrozenFounder:
    """A founder as the version froze them (``versions.snapshot``): what the founders' table
    and the clauses read of a ``Founder``."""

    name: str
    curp: str
    rfc: str
    kind: str
    representative: str
    nationality: str
    contribution: Decimal
    is_administrator: bool

    def __str__(self) -> str:
        return self.name

    @property
    def is_company(self) -> bool:
        return self.kind == Founder.Kind.LEGAL

    @property
    def person_name(self) -> str:
        return self.representative or self.name


class _FrozenFounders:
    def __init__(self, founders: list[FrozenFounder]) -> None:
        self._founders = founders

    def all(self) -> list[FrozenFounder]:
        return list(self._founders)


@dataclass(frozen=True)
class FrozenApplication:
    """The application as a version froze it: what the clauses read of an ``Application``."""

    legal_form: LegalForm | None
    proposed_name: str
    municipality: str
    purpose: str
    capital: Decimal | None
    share_value: Decimal
    comisario_name: str
    activity_codes: list[str]
    articles: dict[str, Any]
    founders: _FrozenFounders

    def get_municipality_display(self) -> str:
        return str(Municipality(self.municipality).label) if self.municipality else ""


@dataclass(frozen=True)
class Unregistered:
    """What the documents' heading and footer say of a company not in the register yet: its
    name and, where the registration number goes, the application's reference and version."""

    name: str
    registration_number: str


def frozen_application(version: ApplicationVersion) -> FrozenApplication:
    content = version.content
    code = content.get("legal_form")
    founders = [
        FrozenFounder(
            name=f["name"],
            curp=f["curp"],
            rfc=f.get("rfc", ""),
            kind=f.get("kind", Founder.Kind.NATURAL),
            representative=f.get("representative", ""),
            nationality=f.get("nationality", "MEX"),
            contribution=Decimal(f["contribution"]),
            is_administrator=bool(f.get("administrator")),
        )
        for f in content["founders"]
    ]
    return FrozenApplication(
        legal_form=LegalForm.objects.filter(code=code).first() if code else None,
        proposed_name=content.get("name") or "",
        municipality=(content.get("office") or {}).get("municipality") or "",
        purpose=content.get("purpose") or "",
        capital=Decimal(content["capital"]) if content.get("capital") is not None else None,
        share_value=Decimal(content.get("share_value") or "0"),
        comisario_name=(content.get("comisario") or {}).get("name") or "",
        activity_codes=list(content.get("activity_codes") or []),
        articles=dict(content.get("articles") or {}),
        founders=_FrozenFounders(founders),
    )


def version_articles_context(version: ApplicationVersion) -> dict[str, Any]:
    """The articles as the founders sign them: the same template as the registered company's,
    from the version's frozen content; its signatures are the founders' e.firma, embedded."""
    filed = frozen_application(version)
    # The clauses read only the attributes FrozenApplication has (see filing.articles).
    application = cast(Application, filed)
    founders = cast(list[Founder], filed.founders.all())
    form = filed.legal_form
    if form is None:
        raise DocumentError(f"{version} has no legal form: its articles cannot be drawn.")
    share_value = filed.share_value if form.capital_unit == LegalForm.CapitalUnit.SHARES else None
    lines = holders(founders, share_value=share_value)
    name = f"{filed.proposed_name}, {form.abbreviation}" if filed.proposed_name else ""
    reference = version.application.reference
    language, _sep, region = LANGUAGE.partition("-")
    return {
        "company": Unregistered(name=name, registration_number=f"{reference} · v{version.number}"),
        "application": application,
        "version": version,
        "title": document_title(Kind.ARTICLES, form),
        "authority": REGISTRY_NAME,
        "language_tag": f"{language}-{region.upper()}",
        "issued_at": version.created_at,
        "holders": lines,
        "share_value": share_value,
        "total_shares": sum(h.shares or 0 for h in lines),
        "has_company_founders": any(f.is_company for f in founders),
        "total": sum((f.contribution for f in founders), Decimal(0)),
        "clauses": clauses(application, filed.articles),
        "activities": activities(filed.activity_codes),
        "signed_with_efirma": True,
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


def render_version_articles(version: ApplicationVersion) -> bytes:
    """The articles PDF of a frozen version, which every founder signs with their e.firma."""
    with translation.override(LANGUAGE):
        html = render_to_string(ARTICLES, version_articles_context(version))
    return write_pdf(html)


def render_register(company: Company) -> bytes:
    return write_pdf(document_html(REGISTER, register_context, company))
