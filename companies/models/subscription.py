"""Agencies told of the register's changes as they happen (push), and the people named in a
filing told that their CURP is in it (identity-use alerts)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from companies.models.filing import Application
from companies.models.register import RegisterChange


class AgencySubscription(models.Model):
    """An allowlisted agency's subscription: the changes of these kinds, of companies in these
    municipalities, are sent to its X-Road service in the order of the change log.

    ``cursor`` is the last change of the log this subscription is done with (delivered, or not
    one it subscribed to); the next one is sent only once it is. A replay moves the cursor back
    and starts a new ``round``: the idempotency keys of a round are new, so the agency takes
    the changes again; within a round a change keeps its key however often it is sent."""

    client = models.CharField(
        _("X-Road client"),
        max_length=255,
        help_text=_(
            "The agency's subsystem as INSTANCE/CLASS/MEMBER/SUBSYSTEM; it must be allowed the "
            "change feed."
        ),
    )
    service = models.CharField(
        _("X-Road service"),
        max_length=255,
        help_text=_(
            "The agency's service that receives the changes, as "
            "INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE."
        ),
    )
    path = models.CharField(_("path"), max_length=200, blank=True, default="/v1/cambios")
    kinds = models.JSONField(
        _("kinds of change"), default=list, blank=True, help_text=_("None chosen: every kind.")
    )
    municipalities = models.JSONField(
        _("municipalities"), default=list, blank=True, help_text=_("None chosen: all of them.")
    )
    active = models.BooleanField(_("active"), default=True)
    cursor = models.PositiveBigIntegerField(_("cursor"), default=0)
    round = models.PositiveIntegerField(default=1, editable=False)
    failures = models.PositiveIntegerField(default=0, editable=False)
    last_error = models.CharField(max_length=500, blank=True, editable=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_delivered_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["client", "service"]
        verbose_name = _("agency subscription")
        verbose_name_plural = _("agency subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "service", "path"], name="one_subscription_per_endpoint"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client} ← {self.service}{self.path}"

    def wants(self, *, kind: str, municipality: str) -> bool:
        """Whether a change of ``kind`` to a company of ``municipality`` is for this agency."""
        if self.kinds and kind not in self.kinds:
            return False
        return not self.municipalities or municipality in self.municipalities


class SubscriptionDelivery(models.Model):
    """One change sent (or being sent) to one subscription in one round, under its key."""

    subscription = models.ForeignKey(
        AgencySubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    change = models.ForeignKey(RegisterChange, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveIntegerField()
    key = models.CharField(max_length=80, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    first_attempt_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    x_road_id = models.CharField(max_length=100, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["subscription", "-change"]
        verbose_name = _("subscription delivery")
        verbose_name_plural = _("subscription deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "round", "change"], name="one_delivery_per_round"
            )
        ]

    def __str__(self) -> str:
        return self.key


class IdentityAlert(models.Model):
    """A person named in an application (founder, administrator, representative) told that
    their CURP appears in it, with a single-use link to say "this is not me".

    ``reported_at`` set and ``released_at`` not: the application is held for a clerk, who
    may not approve it until they release the hold."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="identity_alerts"
    )
    curp = models.CharField(max_length=18)
    name = models.CharField(max_length=200)
    email = models.EmailField()
    roles = models.JSONField(default=list)
    nonce = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    reported_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["application", "pk"]
        verbose_name = _("identity alert")
        verbose_name_plural = _("identity alerts")
        constraints = [
            models.UniqueConstraint(fields=["application", "curp"], name="one_alert_per_person")
        ]
        indexes = [
            models.Index(
                fields=["application"],
                name="identity_hold",
                condition=models.Q(reported_at__isnull=False, released_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.curp} in {self.application_id}"

    @property
    def holds(self) -> bool:
        return self.reported_at is not None and self.released_at is None
