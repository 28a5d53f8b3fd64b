"""The register's documents for people: download, and verification by code or by file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies import access
from companies.documents import codes, good_standing, seal, verification
from companies.documents.forms import VerificationCodeForm, VerifyFileForm
from companies.models import Company, Document, GoodStandingCertificate, Standing
from companies.signatures import report
from companies.standing import standing
from portal.requests import PortalRequest
from portal.security import client_address, count_in_window

# A request body this much larger than the limit is refused before Django parses the upload.
_MULTIPART_ALLOWANCE = 64 * 1024
# Reading a PDF's signature costs CPU: one address may check this many files per window.
FILE_CHECKS_ALLOWED = 60
FILE_CHECK_WINDOW_SECONDS = 600
# Drawing a certificate of good standing costs CPU too: new ones an address may have drawn per
# window (asking again for one already issued today draws nothing and is not counted).
GOOD_STANDING_ISSUES_ALLOWED = 20
GOOD_STANDING_WINDOW_SECONDS = 600


@require_GET
def download(request: PortalRequest, number: str, kind: str, version: int) -> HttpResponseBase:
    try:
        document = access.document_for(request.user, number=number, kind=kind, version=version)
    except access.SignInFirst:
        return redirect_to_login(request.get_full_path())
    response = FileResponse(
        document.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=document.filename,
    )
    public = document.kind == Document.Kind.CERTIFICATE
    response["Cache-Control"] = f"{'public' if public else 'private'}, max-age=86400, immutable"
    return response


@require_POST
def issue_good_standing(request: PortalRequest, number: str) -> HttpResponse:
    """A certificate of good standing of the company as it stands now, for anyone: today's
    one for these facts if issued, else drawn and sealed now; then its download."""
    company = get_object_or_404(
        Company.objects.select_related("legal_form"), registration_number=number
    )
    certificate = good_standing.issued_today(company)
    if certificate is None:
        address = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
        key = f"good-standing:{address}"
        if count_in_window(key, GOOD_STANDING_WINDOW_SECONDS) > GOOD_STANDING_ISSUES_ALLOWED:
            message = _(
                "You asked for many certificates of good standing in a short time. "
                "Wait a few minutes and try again."
            )
            return _good_standing_refused(request, company, message, status=429)
        try:
            certificate = good_standing.issue(company)
        except seal.SealUnavailable:
            message = _(
                "The certificate cannot be sealed at this moment. Try again in a few minutes."
            )
            return _good_standing_refused(request, company, message, status=503)
    return redirect(good_standing_url(certificate), permanent=False)


def good_standing_url(certificate: GoodStandingCertificate) -> str:
    return reverse(
        "companies:good_standing",
        args=[certificate.company.registration_number, certificate.code],
    )


def _good_standing_refused(
    request: PortalRequest, company: Company, message: str, *, status: int
) -> HttpResponse:
    context = {"company": company, "message": message}
    return render(request, "companies/good_standing_refused.html", context, status=status)


@require_GET
def good_standing_pdf(request: PortalRequest, number: str, code: str) -> FileResponse:
    """An issued certificate of good standing, as stored: public, like the certificate."""
    certificate = get_object_or_404(
        GoodStandingCertificate.objects.select_related("company"),
        company__registration_number=number,
        code=code,
    )
    response = FileResponse(
        certificate.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=certificate.filename,
    )
    response["Cache-Control"] = "public, max-age=86400, immutable"
    return response


@require_http_methods(["GET", "POST"])
def verify(request: PortalRequest) -> HttpResponse:
    """The verification page: a code to look up, or a file to check."""
    code_form = VerificationCodeForm(request.GET or None)
    if code_form.is_valid():
        return redirect("companies:verify_code", code=code_form.cleaned_data["code"])
    return _page(request, code_form=code_form)


@require_http_methods(["GET", "POST"])
def verify_code(request: PortalRequest, code: str) -> HttpResponse:
    company = verification.company_for_code(code)
    if company is None:
        constancia = good_standing.for_code(code)
        if constancia is not None:
            return _constancia_page(request, code, constancia)
        form = VerificationCodeForm(initial={"code": code})
        return _page(request, code_form=form, unknown_code=code[:40], status=404)
    normalised = codes.normalise(code)
    if normalised != code:
        return HttpResponseRedirect(reverse("companies:verify_code", args=[normalised]))
    return _page(request, company=company)


def _constancia_page(
    request: PortalRequest, code: str, constancia: GoodStandingCertificate
) -> HttpResponse:
    if constancia.code != code:
        return HttpResponseRedirect(reverse("companies:verify_code", args=[constancia.code]))
    return _page(request, constancia=constancia)


@dataclass(frozen=True)
class ConstanciaNow:
    """What a verified certificate of good standing stated, beside what holds today."""

    stated: Standing
    now: Standing
    changed: list[str]  # the labels of what it stated that no longer holds

    @property
    def standing_changed(self) -> bool:
        return self.stated != self.now


def constancia_now(constancia: GoodStandingCertificate) -> ConstanciaNow:
    labels = {
        "standing": _("Standing"),
        "name": _("Company name"),
        "registration_number": _("Registration number"),
        "legal_form": _("Legal form"),
        "rfc": "RFC",
        "status": _("Status"),
    }
    return ConstanciaNow(
        Standing(constancia.standing),
        standing(constancia.company),
        [labels[name] for name in good_standing.changed_since(constancia) if name in labels],
    )


def _page(
    request: PortalRequest,
    *,
    company: Company | None = None,
    constancia: GoodStandingCertificate | None = None,
    code_form: VerificationCodeForm | None = None,
    unknown_code: str = "",
    status: int = 200,
) -> HttpResponse:
    check: verification.FileCheck | None = None
    signatures: Signatures | None = None
    file_form = VerifyFileForm()
    if request.method == "POST":
        file_form, check, signatures, status = _check_upload(request)
    context = {
        "constancia": constancia,
        "constancia_now": constancia_now(constancia) if constancia else None,
        "constancia_url": good_standing_url(constancia) if constancia else "",
        "company": company,
        "company_standing": standing(company) if company else None,
        "application": company.application if company else None,
        "documents": verification.document_rows(request.user, company) if company else [],
        "code_form": code_form or VerificationCodeForm(),
        "file_form": file_form,
        "check": check,
        "signatures": signatures,
        "check_is_of_this_company": bool(
            check and check.document and company and check.document.company_id == company.pk
        ),
        "unknown_code": unknown_code,
        "max_megabytes": verification.MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return render(request, "companies/verify.html", context, status=status)


@dataclass(frozen=True)
class Signatures:
    """What the page says of the signatures in an uploaded PDF: each one, or why none is
    listed."""

    found: list[report.SignatureReport]
    problem: str = ""  # the file could not be read for its signatures

    @property
    def all_hold(self) -> bool:
        return bool(self.found) and all(s.holds for s in self.found)


def _check_upload(
    request: PortalRequest,
) -> tuple[VerifyFileForm, verification.FileCheck | None, Signatures | None, int]:
    address = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    if count_in_window(f"verify-file:{address}", FILE_CHECK_WINDOW_SECONDS) > FILE_CHECKS_ALLOWED:
        message = _("You checked many files in a short time. Wait a few minutes and try again.")
        return _refused(message), None, None, 429
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > verification.MAX_UPLOAD_BYTES + _MULTIPART_ALLOWANCE:
        return _refused(VerifyFileForm.too_large_message()), None, None, 413
    form = VerifyFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return form, None, None, 400
    data = form.cleaned_data["file"].read()
    check = verification.check_file(data)
    if not data.startswith(verification.PDF_HEADER):
        return form, check, None, 200  # the check says it is not a PDF: nothing more to say
    try:
        signatures = Signatures(verification.signatures_of(data))
    except report.UnreadablePdf as unreadable:
        signatures = Signatures([], unreadable.message)
    return form, check, signatures, 200


def _refused(message: str) -> VerifyFileForm:
    """The form, unread, with the reason the upload was not checked."""
    form = VerifyFileForm(data={})
    form.errors.clear()  # no "choose a file": the file was never read
    form.add_error(None, message)
    return form
