"""An application as it is filed: its legal form, founders, name reservation, frozen versions,
signatures and payment."""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read over the phone


def new_reference() -> str:
    return "E24-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


class Municipality(models.TextChoices):
    """Querétaro's 18 municipalities, by INEGI code."""

    AMEALCO = "001", "Amealco de Bonfil"
    PINAL_DE_AMOLES = "002", "Pinal de Amoles"
    ARROYO_SECO = "003", "Arroyo Seco"
    CADEREYTA = "004", "Cadereyta de Montes"
    COLON = "005", "Colón"
    CORREGIDORA = "006", "Corregidora"
    EZEQUIEL_MONTES = "007", "Ezequiel Montes"
    HUIMILPAN = "008", "Huimilpan"
    JALPAN = "009", "Jalpan de Serra"
    LANDA = "010", "Landa de Matamoros"
    EL_MARQUES = "011", "El Marqués"
    PEDRO_ESCOBEDO = "012", "Pedro Escobedo"
    PENAMILLER = "013", "Peñamiller"
    QUERETARO = "014", "Querétaro"
    SAN_JOAQUIN = "015", "San Joaquín"
    SAN_JUAN_DEL_RIO = "016", "San Juan del Río"
    TEQUISQUIAPAN = "017", "Tequisquiapan"
    TOLIMAN = "018", "Tolimán"


class LegalForm(models.Model):
    """A legal form and its rules, as data a lawyer can correct in the admin."""

    class CapitalUnit(models.TextChoices):
        SHARES = "shares", _("shares")
        PARTS = "parts", _("partnership parts")

    code = models.SlugField(unique=True)
    abbreviation = models.CharField(max_length=30)
    name = models.CharField(max_length=120)
    min_founders = models.PositiveSmallIntegerField()
    max_founders = models.PositiveSmallIntegerField(null=True, blank=True)
    natural_persons_only = models.BooleanField()
    notary_required = models.BooleanField()
    administrator_must_be_founder = models.BooleanField()
    board_allowed = models.BooleanField()
    requires_comisario = models.BooleanField()
    capital_unit = models.CharField(max_length=10, choices=CapitalUnit.choices)
    minimum_capital = models.DecimalField(max_digits=14, decimal_places=2)
    fee = models.DecimalField(_("registration fee"), max_digits=12, decimal_places=2)
    expected_hours = models.PositiveSmallIntegerField()
    revenue_cap = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    source = models.CharField(_("legal source"), max_length=200, blank=True)

    class Meta:
        ordering = ["order"]
        verbose_name = _("legal form")
        verbose_name_plural = _("legal forms")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_founders__isnull=True)
                | Q(max_founders__gte=models.F("min_founders")),
                name="legal_form_founder_range",
            ),
            models.CheckConstraint(condition=Q(fee__gte=0), name="legal_form_fee_not_negative"),
        ]

    def __str__(self) -> str:
        return self.abbreviation


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_SIGNATURES = "awaiting_signatures", _("Awaiting signatures")
    SUBMITTED = "submitted", _("Submitted")
    CHECKING = "checking", _("Checking with the registries")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    REGISTERED = "registered", _("Registered")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Where an application's life ends: nothing leaves these (``companies.workflow``).
FINAL_STATUSES = (
    ApplicationStatus.REGISTERED,
    ApplicationStatus.REJECTED,
    ApplicationStatus.WITHDRAWN,
)
# What the clerks' queue lists (``review.worklist``), and the partial indexes that serve it.
QUEUE_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.CHECKING,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.CHANGES_REQUESTED,
)


class Application(models.Model):
    """One company being filed. Its status changes only through ``companies.workflow``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=12, unique=True, default=new_reference, editable=False)
    filer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="filed_applications"
    )
    legal_form = models.ForeignKey(LegalForm, on_delete=models.PROTECT, null=True, blank=True)
    status = models.CharField(
        max_length=24, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    proposed_name = models.CharField(_("company name"), max_length=150, blank=True)
    normalised_name = models.CharField(max_length=150, blank=True)
    name_verdict = models.JSONField(default=dict, blank=True)
    municipality = models.CharField(max_length=3, choices=Municipality.choices, blank=True)
    street = models.CharField(_("street"), max_length=120, blank=True)
    exterior_number = models.CharField(_("number"), max_length=20, blank=True)
    interior_number = models.CharField(_("interior"), max_length=20, blank=True)
    neighbourhood = models.CharField(_("neighbourhood"), max_length=120, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    purpose = models.TextField(_("corporate purpose"), blank=True)
    activity_codes = models.JSONField(default=list, blank=True)
    hires_employees = models.BooleanField(
        _("hires employees"), null=True, blank=True, help_text="unknown until the filer says"
    )
    capital = models.DecimalField(
        _("share capital"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    # The nominal value of one share (S.A.S., S.A. de C.V.): each contribution is a whole number
    # of shares. Partnership parts (S. de R.L.) have no fixed value: one part per partner.
    share_value = models.DecimalField(
        _("value of each share"), max_digits=14, decimal_places=2, default=Decimal("1.00")
    )
    articles = models.JSONField(default=dict, blank=True)
    comisario_name = models.CharField(_("comisario's full name"), max_length=200, blank=True)
    comisario_curp = models.CharField(_("comisario's CURP"), max_length=18, blank=True)
    notary_state = models.CharField(_("notary's state"), max_length=2, blank=True, default="22")
    notary_number = models.PositiveIntegerField(_("notary number"), null=True, blank=True)
    deed_number = models.PositiveIntegerField(_("deed number"), null=True, blank=True)
    deed_date = models.DateField(_("deed date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    needs_attention = models.BooleanField(
        default=False, help_text="a registry stayed unavailable: a person should look"
    )
    review_reasons = models.JSONField(default=list, blank=True)
    changes_message = models.TextField(blank=True)
    changes_sections = models.JSONField(default=list, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_applications",
        help_text="the clerk working this application; one at a time",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    # The 24-hour clock, kept by companies.workflow at every transition; companies/sla.py says
    # what they mean and reads them. Time on the clock when it last paused or stopped (None
    # before the first submission); while it runs, the moment it would have started had it
    # never paused (None otherwise).
    clock_used = models.DurationField(null=True, blank=True, editable=False)
    clock_origin = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            # The clerks' queue, oldest first, a page at a time; the dashboard's "submitted that
            # long ago" (the only ones whose clock can have run that long).
            models.Index(fields=["first_submitted_at", "id"], name="application_first_submitted"),
            # The queue's order without stepping over the registered and rejected history.
            models.Index(
                fields=["first_submitted_at", "id"],
                name="application_queue_order",
                condition=models.Q(status__in=QUEUE_STATUSES),
            ),
            # The queue's lines on the dashboard (per status: unclaimed, at risk, overdue) read
            # from the index alone on PostgreSQL.
            models.Index(
                fields=["status"],
                include=["assigned_to", "clock_origin", "clock_used"],
                name="application_queue_clock",
                condition=models.Q(status__in=QUEUE_STATUSES),
            ),
            # The 24-hour clock (``sla.at_least``): running clocks by the moment they would
            # have started, the others by the time they used; "over 24 hours" is a range of
            # each.
            # Each covers the status: the hour at the tallies' boundary (``counters``) is
            # counted per status from the index alone.
            models.Index(
                fields=["clock_origin"],
                include=["status"],
                name="application_clock_running",
                condition=models.Q(clock_origin__isnull=False),
            ),
            models.Index(
                fields=["clock_used"],
                include=["status"],
                name="application_clock_paused",
                condition=models.Q(clock_origin__isnull=True, clock_used__isnull=False)
                & ~models.Q(status__in=FINAL_STATUSES),
            ),
            # The work clerks hold, oldest first (the dashboard's "reassign work"), without
            # stepping over the registered history (whose clerk stays on record).
            models.Index(
                fields=["first_submitted_at", "id"],
                include=["status"],
                name="application_claimed",
                condition=models.Q(assigned_to__isnull=False)
                & ~models.Q(status__in=FINAL_STATUSES),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.proposed_name}".strip()

    @property
    def is_editable(self) -> bool:
        return self.status in {ApplicationStatus.DRAFT, ApplicationStatus.CHANGES_REQUESTED}

    @property
    def full_name(self) -> str:
        suffix = self.legal_form.abbreviation if self.legal_form else ""
        return (
            f"{self.proposed_name}, {suffix}"
            if self.proposed_name and suffix
            else self.proposed_name
        )


class PersonStatus(models.TextChoices):
    UNCHECKED = "unchecked", _("Not checked yet")
    ACTIVE = "active", _("Verified")
    NOT_FOUND = "not_found", _("Not found in the population registry")
    DECEASED = "deceased", _("Deceased")
    WITHDRAWN = "withdrawn", _("CURP withdrawn")
    UNAVAILABLE = "unavailable", _("Could not be checked yet")


class Founder(models.Model):
    """A founder: a natural person, identified by their CURP, or a legal person (a company),
    identified by its RFC and represented by the natural person whose CURP is ``curp``: the
    population registry's names (``given_names`` ...) are always that person's, who signs."""

    class Kind(models.TextChoices):
        NATURAL = "natural", _("Natural person")
        LEGAL = "legal", _("Legal person (company)")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="founders")
    kind = models.CharField(
        _("kind of founder"), max_length=7, choices=Kind.choices, default=Kind.NATURAL
    )
    legal_name = models.CharField(_("company's name"), max_length=200, blank=True)
    curp = models.CharField(_("CURP"), max_length=18)
    rfc = models.CharField(_("RFC"), max_length=13, blank=True)
    given_names = models.CharField(max_length=120, blank=True)
    first_surname = models.CharField(max_length=80, blank=True)
    second_surname = models.CharField(max_length=80, blank=True)
    nationality = models.CharField(_("nationality"), max_length=3, default="MEX")
    email = models.EmailField(_("email"))
    contribution = models.DecimalField(_("contribution"), max_digits=16, decimal_places=2)
    is_administrator = models.BooleanField(default=False)
    person_status = models.CharField(
        max_length=12, choices=PersonStatus.choices, default=PersonStatus.UNCHECKED
    )
    tax_status = models.CharField(max_length=20, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            # A person may found in their own name and also sign for a company that founds.
            models.UniqueConstraint(
                fields=["application", "curp"],
                condition=Q(kind="natural"),
                name="one_founder_per_curp",
            ),
            models.UniqueConstraint(
                fields=["application", "rfc"],
                condition=Q(kind="legal"),
                name="one_legal_founder_per_rfc",
            ),
            models.CheckConstraint(
                condition=Q(kind="natural") | (Q(kind="legal") & ~Q(rfc="") & ~Q(legal_name="")),
                name="legal_founder_has_rfc_and_name",
            ),
            models.CheckConstraint(
                condition=Q(contribution__gte=0), name="contribution_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name if self.is_company else self.person_name

    @property
    def is_company(self) -> bool:
        return self.kind == self.Kind.LEGAL

    @property
    def person_name(self) -> str:
        """The natural person's name: the founder's own, or the representative's for a company."""
        return (
            " ".join(p for p in (self.given_names, self.first_surname, self.second_surname) if p)
            or self.curp
        )


class NameReservation(models.Model):
    """A name held for one applicant for 180 days; the database allows one active holder."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RELEASED = "released", _("Released")
        EXPIRED = "expired", _("Expired")
        USED = "used", _("Used by a registered company")

    name = models.CharField(max_length=150)
    normalised_name = models.CharField(max_length=150)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="name_reservations"
    )
    application = models.ForeignKey(
        Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="reservations"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["normalised_name"],
                condition=Q(status="active"),
                name="one_active_reservation_per_name",
            )
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"


class ApplicationVersion(models.Model):
    """A frozen copy of what the founders sign: canonical JSON and its SHA-256."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.application.reference} v{self.number}"


class Signature(models.Model):
    """A founder's approval (or refusal, with a reason) of exactly one version."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Signed")
        DECLINED = "declined", _("Declined")

    version = models.ForeignKey(
        ApplicationVersion, on_delete=models.CASCADE, related_name="signatures"
    )
    founder = models.ForeignKey(Founder, on_delete=models.CASCADE, related_name="signatures")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)

    class Method(models.TextChoices):
        CLICK = "click", _("Approval after a fresh e-identity sign-in")
        BROWSER = "browser", _("e.firma in the browser")
        REMOTE = "remote", _("Remote signing service")

    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField(blank=True)
    signed_at = models.DateTimeField(default=timezone.now)
    authenticated_at = models.DateTimeField()
    # An e.firma signature (browser or remote) embedded in the version's articles PDF: the
    # certificate it was made with, SAT's answer it rests on, and the digest of what it covers.
    method = models.CharField(max_length=8, choices=Method.choices, default=Method.CLICK)
    certificate = models.BinaryField(null=True, blank=True, help_text="DER")
    serial_number = models.CharField(max_length=64, blank=True, help_text="SAT's 20 digits")
    issuer = models.CharField(max_length=255, blank=True)
    certificate_status = models.ForeignKey(
        "companies.CertificateStatus",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatures",
    )
    signed_range_sha256 = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the PDF byte range the signature covers"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "founder"], name="one_signature_per_founder")
        ]

    def __str__(self) -> str:
        return f"{self.founder} {self.decision} {self.version}"


class Payment(models.Model):
    """The registration fee: a reference from the payments registry, confirmed over X-Road."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for payment")
        PAID = "paid", _("Paid")
        EXPIRED = "expired", _("Expired")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="payments")
    reference = models.CharField(max_length=40, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    expires_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    confirmed_x_road_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} {self.status}"
