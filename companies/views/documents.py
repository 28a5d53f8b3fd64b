"""The register's documents for people: download, and verification by code or by file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from companies import access
from companies.documents import codes, verification
from companies.documents.forms import VerificationCodeForm, VerifyFileForm
from companies.models import Company, Document
from companies.signatures import report
from portal.requests import PortalRequest
from portal.security import client_address, count_in_window

# A request body this much larger than the limit is refused before Django parses the upload.
_MULTIPART_ALLOWANCE = 64 * 1024
# Reading a PDF's signature costs CPU: one address may check this many files per window.
FILE_CHECKS_ALLOWED = 60
FILE_CHECK_WINDOW_SECONDS = 600


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
        form = VerificationCodeForm(initial={"code": code})
        return _page(request, code_form=form, unknown_code=code[:40], status=404)
    normalised = codes.normalise(code)
    if normalised != code:
        return HttpResponseRedirect(reverse("companies:verify_code", args=[normalised]))
    return _page(request, company=company)


def _page(
    request: PortalRequest,
    *,
    company: Company | None = None,
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
        "company": company,
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
