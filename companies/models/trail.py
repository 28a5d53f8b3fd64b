"""What happened to an application, as rows: its events (append-only), the registry checks and
exchanges, the outbox of tasks and the notifications sent."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from companies.models import outcomes
from companies.models.filing import Application, ApplicationStatus


class RegistryExchange(models.Model):
    """One X-Road call the portal made, success or fault: the trail a registry check rests on."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    operation = models.CharField(max_length=40)
    service = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    attempt = models.PositiveSmallIntegerField(default=1)
    x_road_id = models.CharField(max_length=100, db_index=True)
    request_id = models.CharField(max_length=100, blank=True)
    request_hash = models.CharField(max_length=200, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    fault_code = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.FloatField()
    application = models.ForeignKey(
        Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="exchanges"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.service} {self.x_road_id} {self.http_status or self.fault_code}"


class CertificateStatus(models.Model):
    """SAT's answer (OCSP, RFC 6960) on the status of one e.firma certificate, kept whole: the
    evidence a signature rests on, embedded later in the signed PDF (PAdES B-LT). Linked to its
    ``RegistryExchange`` by the X-Road id."""

    class Status(models.TextChoices):
        GOOD = "good", _("Valid")
        REVOKED = "revoked", _("Revoked")
        UNKNOWN = "unknown", _("Unknown to SAT")

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    application = models.ForeignKey(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certificate_statuses",
    )
    serial_number = models.CharField(max_length=64, help_text="as SAT writes it (20 digits)")
    issuer = models.CharField(max_length=255)
    curp = models.CharField(max_length=18, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices)
    revoked_at = models.DateTimeField(null=True, blank=True)
    produced_at = models.DateTimeField(help_text="when the responder signed the answer")
    response = models.BinaryField(help_text="the OCSPResponse, DER, as it came")
    x_road_id = models.CharField(max_length=100, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.serial_number} {self.status} {self.produced_at:%Y-%m-%d %H:%M}"


class AppendOnlyQuerySet(models.QuerySet["ApplicationEvent"]):
    def update(self, **kwargs: object) -> int:
        raise PermissionError("Application events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Application events are append-only.")


class ApplicationEvent(models.Model):
    """Append-only history: every transition and staff action, chained by hashes.

    Each event carries the hash of the event before it (across all applications), so that a
    changed or deleted row breaks the chain (``manage.py verify_audit``)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="events")
    verb = models.CharField(max_length=40)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        indexes = [
            # The figures of a period: registrations per day, approvals, each clerk's decisions
            # (one verb, a range of days) without reading the rest of the log.
            models.Index(
                fields=["verb", "created_at"], include=["actor"], name="event_verb_created"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.reference} {self.verb} {self.from_status}->{self.to_status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Application events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Application events are append-only.")

    @property
    def to_status_display(self) -> str:
        return str(ApplicationStatus(self.to_status).label) if self.to_status else ""


class Notification(models.Model):
    """An e-mail the portal sent, keyed so that a redelivered task never sends it twice."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    recipient = models.EmailField()
    key = models.CharField(max_length=200, unique=True)
    language = models.CharField(max_length=8)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} -> {self.recipient}"


class RegistryCheck(models.Model):
    """One automatic check of a submitted application against a registry, with its evidence."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Population registry")
        TAXPAYER = "taxpayer", _("Tax registry")
        NOTARY = "notary", _("Notary licence")
        DEED = "deed", _("Notarial deed")
        PAYMENT = "payment", _("Registration fee")
        NAME = "name", _("Company name")
        CONTROL = "control", _("Control of other companies")

    class Result(models.TextChoices):
        CLEAN = "clean", _("Clean")
        NEGATIVE = "negative", _("Negative")
        UNAVAILABLE = "unavailable", _("Registry unavailable")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="checks")
    round = models.DateTimeField(help_text="the submission this check belongs to")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    subject = models.CharField(max_length=60)
    result = models.CharField(max_length=12, choices=Result.choices)
    outcome = models.CharField(max_length=20)
    detail = models.JSONField(default=dict, blank=True)
    x_road_id = models.CharField(max_length=100, blank=True)
    checked_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "round", "kind", "subject"], name="one_check_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject}: {self.result}"

    @property
    def outcome_label(self) -> str:
        return outcomes.label(outcomes.CheckOutcome, self.outcome)


class OutboxMessage(models.Model):
    """A task to send, written in the transaction that decided it: if the broker is down at
    commit time the message waits here and a periodic relay sends it later."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.task}{self.args} {'sent' if self.sent_at else 'waiting'}"
