"""Certificates of good standing (constancias de vigencia): drawn on demand, sealed like every
document of the register, stored with their hash, and each verifiable later by its own code.

A company gets at most one a day for the same facts (``GoodStandingCertificate``'s constraint):
whoever asks again that day, the public or the founders, receives the same sealed file, so the
register keeps a bounded number of files however often a page is asked, and an auditor finds
every constancia ever handed out. When what it would state changes (the standing, the name, the
RFC) the next request issues a new one at once. Drawing and sealing take a fraction of a second
(one page; with a TSA, one more request), so they run in the request, outside any transaction;
the row is recorded with the company locked, so two requests at once keep one.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from companies.audit import canonical_json
from companies.documents import codes, rendering, seal
from companies.models import REFERENCE_ALPHABET, Company, GoodStandingCertificate, Standing
from companies.standing import standing

logger = logging.getLogger(__name__)

TEMPLATE = "companies/documents/good_standing.html"


def stated_facts(company: Company) -> dict[str, Any]:
    """Everything a constancia issued now states about the company."""
    form = company.legal_form
    return {
        "name": company.name,
        "registration_number": company.registration_number,
        "legal_form": f"{form.name} ({form.abbreviation})",
        "rfc": company.rfc,
        "status": company.status,
        "standing": standing(company).value,
    }


def issued_today(company: Company) -> GoodStandingCertificate | None:
    """Today's constancia stating the company's current facts, if one was issued."""
    return _issued(company, timezone.localdate(), _digest(stated_facts(company)))


def issue(company: Company) -> GoodStandingCertificate:
    """Today's constancia of the company as it stands: the one already issued today for these
    facts, or a new one drawn and sealed now. ``seal.SealUnavailable`` when the seal cannot be
    made (its key, the TSA): nothing is recorded then."""
    facts = stated_facts(company)
    digest = _digest(facts)
    today = timezone.localdate()
    existing = _issued(company, today, digest)
    if existing is not None:
        return existing
    code = new_code()
    issued_at = timezone.now()
    pdf = seal.seal_pdf(render(facts, code=code, issued_at=issued_at))
    with transaction.atomic():
        Company.objects.select_for_update().only("pk").get(pk=company.pk)
        existing = _issued(company, today, digest)
        if existing is not None:
            return existing  # another request issued it meanwhile; this drawing is dropped
        certificate = GoodStandingCertificate(
            company=company,
            code=code,
            standing=facts["standing"],
            facts=facts,
            facts_sha256=digest,
            issued_on=today,
            issued_at=issued_at,
            size=len(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
        )
        certificate.file.save("constancia.pdf", ContentFile(pdf), save=False)
        certificate.save()
    logger.info("Issued certificate of good standing %s", certificate)
    return certificate


def new_code() -> str:
    """A random verification code in the certificates' format, used by no company and no other
    constancia (80 bits: a clash is a theoretical case, checked all the same)."""
    while True:
        characters = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(codes.CODE_LENGTH))
        code = codes.normalise(characters)
        assert code is not None
        taken = (
            Company.objects.filter(verification_code=code).exists()
            or GoodStandingCertificate.objects.filter(code=code).exists()
        )
        if not taken:
            return code


def render(facts: dict[str, Any], *, code: str, issued_at: datetime) -> bytes:
    """The constancia as tagged PDF/A-3u in Spanish, drawn from the facts it records."""
    url = rendering.verification_url(code)
    with translation.override(rendering.LANGUAGE):
        language, _sep, region = rendering.LANGUAGE.partition("-")
        context = {
            "company": {
                "name": facts["name"],
                "registration_number": facts["registration_number"],
            },
            "facts": facts,
            "standing_label": Standing(facts["standing"]).label,
            "in_good_standing": facts["standing"] == Standing.GOOD,
            "title": _("Certificate of good standing"),
            "authority": seal.REGISTRY_NAME,
            "language_tag": f"{language}-{region.upper()}",
            "issued_at": issued_at,
            "verification_code": code,
            "verification_url": url,
            "qr_svg": rendering.qr_svg(url, title=_("Verification code")),
        }
        html = render_to_string(TEMPLATE, context)
    return rendering.write_pdf(html)


def for_code(text: str) -> GoodStandingCertificate | None:
    code = codes.normalise(text)
    if code is None:
        return None
    return (
        GoodStandingCertificate.objects.select_related("company", "company__legal_form")
        .filter(code=code)
        .first()
    )


def changed_since(certificate: GoodStandingCertificate) -> list[str]:
    """What the constancia stated that is no longer so, by fact name (``standing`` first)."""
    now = stated_facts(certificate.company)
    order = ["standing", *(name for name in now if name != "standing")]
    return [name for name in order if certificate.facts.get(name) != now[name]]


def read(certificate: GoodStandingCertificate) -> bytes:
    with certificate.file.open("rb") as stored:
        content: bytes = stored.read()
    return content


def _issued(company: Company, day: Any, digest: str) -> GoodStandingCertificate | None:
    return GoodStandingCertificate.objects.filter(
        company=company, issued_on=day, facts_sha256=digest
    ).first()


def _digest(facts: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(facts).encode()).hexdigest()
