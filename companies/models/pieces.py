"""The pieces after registration: each procedure another agency runs for a new company (the
federal commercial register's folio, IMSS's registro patronal, a municipality's licence), one
row per company and connector (``companies/data/connectors.json`` describes the connectors)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from companies.models.register import Company


class Piece(models.Model):
    """One procedure filed over X-Road for a registered company, under its own ``request_id``
    (made with the row, before the first call, and sent with every attempt: the agency files it
    once however often it is asked)."""

    class State(models.TextChoices):
        FILED = "filed", _("Filed, waiting for the agency")
        ANSWERED = "answered", _("Answered")
        REFUSED = "refused", _("Refused by the agency")
        NEEDS_FOUNDER = "needs_founder", _("Needs you")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="pieces")
    connector = models.CharField(max_length=40)
    request_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(max_length=16, choices=State.choices, default=State.FILED)
    number = models.CharField(max_length=64, blank=True, help_text="the agency's number")
    reason = models.TextField(blank=True, help_text="the agency's reason, in its words")
    answer = models.JSONField(default=dict, blank=True, help_text="the agency's answer, whole")
    attempts = models.PositiveSmallIntegerField(default=0)
    x_road_id = models.CharField(max_length=100, blank=True, db_index=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    first_sent_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["company", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["company", "connector"], name="piece_once_per_company")
        ]
        indexes = [models.Index(fields=["connector", "answered_at"], name="piece_answered")]

    def __str__(self) -> str:
        return f"{self.company.registration_number} {self.connector} {self.state}"

    @property
    def is_final(self) -> bool:
        return self.state != self.State.FILED
