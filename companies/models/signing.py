"""What the founders sign with their e.firma: the articles PDF of a frozen version, and each
founder's signing session between the bytes handed out and the signature coming back."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from companies.models.filing import ApplicationVersion, Founder, Signature


class SigningDocument(models.Model):
    """The articles PDF of one frozen version, as it stands: drawn once when the version is sent
    for signatures, then one incremental update per founder's signature.

    The bytes live in the row, not in a file: ``documents.founder_signing`` locks this row to
    add a signature, and the lock, the check that nobody signed in between and the new bytes are
    then one transaction (a file written beside it could outlive a rolled-back signature). The
    original drawing is a prefix of every later state (incremental updates only append), so
    ``original_size`` and ``original_sha256`` identify it for good."""

    version = models.OneToOneField(
        ApplicationVersion, on_delete=models.CASCADE, related_name="signing_document"
    )
    pdf = models.BinaryField(help_text="the PDF as it stands, every signature so far embedded")
    sha256 = models.CharField(max_length=64, help_text="of pdf, as it stands")
    original_size = models.PositiveIntegerField()
    original_sha256 = models.CharField(max_length=64)
    signatures = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.version} ({self.signatures} signatures)"


class SigningSession(models.Model):
    """One founder's e.firma signature in the making: the update prepared on a state of the
    document, what the signer must sign, and, once it came back, the signature value (kept
    while SAT cannot be asked, so that nothing is lost)."""

    class Method(models.TextChoices):
        BROWSER = Signature.Method.BROWSER.value, Signature.Method.BROWSER.label
        REMOTE = Signature.Method.REMOTE.value, Signature.Method.REMOTE.label

    class Status(models.TextChoices):
        PREPARED = "prepared", _("Waiting for the signature")
        WAITING = "waiting", _("Waiting for SAT")
        SIGNED = "signed", _("Signed")
        REFUSED = "refused", _("Refused")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.ForeignKey(
        ApplicationVersion, on_delete=models.CASCADE, related_name="signing_sessions"
    )
    founder = models.ForeignKey(Founder, on_delete=models.CASCADE, related_name="signing_sessions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    authenticated_at = models.DateTimeField(help_text="the sign-in that gave access")
    method = models.CharField(max_length=8, choices=Method.choices)
    certificate = models.BinaryField(help_text="DER")
    base_sha256 = models.CharField(max_length=64, help_text="the document state prepared on")
    prepared_pdf = models.BinaryField()
    reserved_start = models.PositiveIntegerField()
    reserved_end = models.PositiveIntegerField()
    document_digest = models.BinaryField(help_text="SHA-256 of the byte range")
    signed_attributes = models.BinaryField(help_text="DER of the CMS signed attributes")
    signed_at = models.DateTimeField(help_text="the /M of the signature dictionary")
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREPARED)
    signature_value = models.BinaryField(null=True, blank=True)
    refusal = models.CharField(max_length=40, blank=True, help_text="the refusal's kind")
    message = models.TextField(blank=True, help_text="what the founder was told, last")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="times SAT was asked")
    signature = models.OneToOneField(
        Signature, on_delete=models.SET_NULL, null=True, blank=True, related_name="session"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.founder} {self.method} {self.status} {self.version}"
