"""A registered company's life after its incorporation: the filings on it (an office moved, an
administrator appointed, ...), what happened to each, the signatures they carry, and the
register's dated states that the registered ones produced."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from companies.models.filing import ApplicationStatus
from companies.models.register import Company


class FilingType(models.TextChoices):
    """The kinds of filing; what each needs (schema, signers, fee, who may file it) is data
    (``companies/data/filing_rules.json``, ``companies/data/filings/<type>.v<n>.json``)."""

    OFFICE_CHANGE = "office_change", _("Change of registered office")
    ADMINISTRATORS = "administrators", _("Change of administrators")


# A filing in these is still open: the company has "a filing pending" (one at a time).
PENDING_FILING_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.AWAITING_SIGNATURES,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.CHECKING,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.CHANGES_REQUESTED,
    ApplicationStatus.APPROVED,
)


class CompanyFiling(models.Model):
    """One filing on a registered company. Its payload is validated by the JSON Schema of its
    type and version; its status changes only through ``companies.lifecycle.workflow`` (the
    same life as an application's)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="filings")
    type = models.CharField(max_length=32, choices=FilingType.choices)
    schema_version = models.PositiveSmallIntegerField(default=1)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=24, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    filer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="company_filings"
    )
    effective_on = models.DateField(help_text="the day it takes effect: today or later")
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        help_text="the registered filing this one corrects",
    )
    fee = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    review_reasons = models.JSONField(default=list, blank=True)
    changes = models.JSONField(
        default=dict, blank=True, help_text="what it changed: {field: [before, after]}"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # "A filing already pending" is a blocker (filing_rules.json); the database holds it
            # too, so two tabs cannot open two at once.
            models.UniqueConstraint(
                fields=["company"],
                condition=Q(status__in=PENDING_FILING_STATUSES),
                name="one_pending_filing_per_company",
            ),
        ]
        indexes = [
            # The worker's "approved and due" (effective-dated filings).
            models.Index(
                fields=["effective_on"],
                name="filing_due",
                condition=Q(status=ApplicationStatus.APPROVED),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company.registration_number} {self.type} {self.status}"

    @property
    def type_label(self) -> str:
        return str(FilingType(self.type).label)


class FilingEventQuerySet(models.QuerySet["FilingEvent"]):
    def update(self, **kwargs: object) -> int:
        raise PermissionError("Filing events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Filing events are append-only.")


class FilingEvent(models.Model):
    """Append-only: every move of a filing, as ``ApplicationEvent`` is for an application."""

    filing = models.ForeignKey(CompanyFiling, on_delete=models.PROTECT, related_name="events")
    verb = models.CharField(max_length=40)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FilingEventQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.filing_id} {self.verb} {self.from_status}->{self.to_status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Filing events are append-only.")
        super().save(*args, **kwargs)


class FilingSignature(models.Model):
    """A required signer's approval of a filing's payload (its SHA-256).

    In this slice a signature is a confirmation after a fresh e-identity sign-in; it moves to the
    e.firma (a PAdES signature verified against SAT, as at formation) with the rest of issue 14."""

    filing = models.ForeignKey(CompanyFiling, on_delete=models.CASCADE, related_name="signatures")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    curp = models.CharField(max_length=18)
    payload_sha256 = models.CharField(max_length=64)
    authenticated_at = models.DateTimeField()
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["filing", "curp", "payload_sha256"], name="one_filing_signature"
            )
        ]

    def __str__(self) -> str:
        return f"{self.filing_id} {self.curp}"


class CompanyState(models.Model):
    """The register's data of a company from ``valid_from`` on, until the next state: the
    initial one written at registration (or backfilled), then one per registered filing.

    The state "as of" a day is the last one that day or before (``register.states``), one query
    on ``(company, valid_from, id)``."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="states")
    valid_from = models.DateField()
    data = models.JSONField()
    filing = models.OneToOneField(
        CompanyFiling,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="state",
        help_text="the filing that produced it; none for the state at registration",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company", "valid_from", "pk"]
        indexes = [
            models.Index(fields=["company", "-valid_from", "-id"], name="company_state_as_of"),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} from {self.valid_from}"
