"""The agencies allowed to read the register over the API, and their requests."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AgencyService(models.TextChoices):
    """The agency API's services: each is a path group with its own allowlist entries."""

    COMPANIES = "empresas", _("Companies (by number, search, officers)")
    DOCUMENTS = "documentos", _("Company documents (metadata)")
    CHANGES = "cambios", _("Change feed")


class AgencyAccess(models.Model):
    """An allowlist entry: this X-Road client subsystem may call this service of the agency API."""

    client = models.CharField(
        _("X-Road client"),
        max_length=255,
        help_text=_(
            "The client subsystem as INSTANCE/CLASS/MEMBER/SUBSYSTEM, e.g. MX-DEV/GOV/SAT/padron."
        ),
    )
    service = models.CharField(_("service"), max_length=20, choices=AgencyService.choices)
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["client", "service"]
        verbose_name = _("agency access")
        verbose_name_plural = _("agency access")
        constraints = [
            models.UniqueConstraint(fields=["client", "service"], name="one_access_per_service")
        ]

    def __str__(self) -> str:
        return f"{self.client} → {self.service}"


class AgencyRequest(models.Model):
    """One request to the agency API, served or refused: who asked what, and the answer.

    Written first to a spool file by the process that served it, then ingested in batches
    (``companies.api.spool``): ``entry_id`` is the request's own id, given when it was served,
    so an entry ingested twice is stored once; ``created_at`` is when it was served. Rows from
    before the spool have no ``entry_id``."""

    entry_id = models.UUIDField(unique=True, null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    x_road_id = models.CharField(max_length=100, blank=True)
    client = models.CharField(max_length=255, blank=True)
    service = models.CharField(max_length=20, choices=AgencyService.choices)
    user_id = models.CharField(max_length=100, blank=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField()
    duration_ms = models.FloatField()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("agency request")
        verbose_name_plural = _("agency requests")
        indexes = [
            models.Index(fields=["created_at"], name="agency_request_created"),
            models.Index(fields=["x_road_id"], name="agency_request_x_road_id"),
        ]

    def __str__(self) -> str:
        return f"{self.client or '-'} {self.method} {self.path} {self.status}"
