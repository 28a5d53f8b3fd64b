"""The public register: companies, their documents, the registration counter and the log of
changes agencies read."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from companies.models.filing import Application, LegalForm


class Company(models.Model):
    """An entry of the business register. Written once, at registration."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DISSOLVED = "dissolved", _("Dissolved")

    registration_number = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    normalised_name = models.CharField(max_length=150, db_index=True)
    legal_form = models.ForeignKey(LegalForm, on_delete=models.PROTECT)
    rfc = models.CharField(max_length=12, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="company"
    )
    registered_at = models.DateTimeField()
    # Printed on the certificate and encoded in its QR: /verificar/<code>. Stored, because it is
    # derived with a secret that may rotate while printed certificates stay in circulation.
    verification_code = models.CharField(max_length=19, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["registration_number"]
        verbose_name_plural = _("companies")
        indexes = [
            # The companies registered in a period (the statistics' durations), from the index
            # alone: the planner would rather read the whole register than visit its rows.
            models.Index(
                fields=["registered_at"], include=["application"], name="company_registered_at"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration_number} {self.name}"


class NameWord(models.Model):
    """A word of registered companies' normalised names, once (``normalise_name``), and how many
    companies' names have it. A name search looks its words up, typos forgiven, in these few
    tens of thousands of rows (a trigram index on PostgreSQL) before it reads any company, and
    starts from the rarest (``register.search``)."""

    word = models.CharField(max_length=150, unique=True)
    companies = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.word


class NameWordCompany(models.Model):
    """A company whose normalised name has the word: the name search's way from words to
    companies, written by ``register.search.index_company_name`` whenever the name is. The name
    and its length are kept beside it so that PostgreSQL finds and ranks a word's companies
    from one index (word, length, company, name included: migration 0018) without reading them."""

    word = models.ForeignKey(NameWord, on_delete=models.PROTECT, db_index=False, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="name_words")
    name = models.CharField(max_length=150)
    name_length = models.PositiveSmallIntegerField()

    def __str__(self) -> str:
        return f"{self.name}: {self.word_id}"


def document_path(document: Document, filename: str) -> str:
    number = document.company.registration_number
    return f"documentos/{number}/{document.kind}-v{document.version}.pdf"


class Document(models.Model):
    """A document the register issued for a company, as stored, with the SHA-256 of its bytes.

    A stored document is never rewritten: when what it says changes (the RFC arrives), the
    register issues a new version and the earlier one stays verifiable."""

    class Kind(models.TextChoices):
        CERTIFICATE = "certificate", _("Certificate of incorporation")
        ARTICLES = "articles", _("Articles of association")
        REGISTER = "register", _("Register of shareholders or partners")

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=120)
    file = models.FileField(upload_to=document_path, max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    sealed = models.BooleanField(default=False)
    facts = models.JSONField(
        default=dict, blank=True, help_text="what the document states that may later change"
    )
    # Why a version was issued again when its facts did not move (a registered filing changed
    # what it says): the caller's key, so that the same reason issues one version, never two.
    reason = models.CharField(max_length=80, blank=True)
    issued_at = models.DateTimeField()

    class Meta:
        ordering = ["company", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "kind", "version"], name="one_document_version"
            ),
            models.UniqueConstraint(
                fields=["company", "kind", "reason"],
                condition=~models.Q(reason=""),
                name="one_document_per_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company.registration_number} {self.kind} v{self.version}"

    @property
    def filename(self) -> str:
        return f"{self.company.registration_number}-{self.kind}-v{self.version}.pdf"

    @property
    def label(self) -> str:
        """What the document is, in the reader's language: a register of shares or of partners."""
        return document_title(self.kind, self.company.legal_form)


def document_title(kind: str, legal_form: LegalForm) -> str:
    """A document's title in the active language: the one place the titles are written (the
    PDF, its stored title, the pages and the API all read it)."""
    if kind == Document.Kind.REGISTER:
        parts = legal_form.capital_unit == LegalForm.CapitalUnit.PARTS
        return str(_("Register of partners") if parts else _("Register of shares"))
    return str(Document.Kind(kind).label)


class Standing(models.TextChoices):
    """What a certificate of good standing says of a company (``companies.standing``)."""

    GOOD = "good", _("In good standing")
    NOT_GOOD = "not_good", _("Not in good standing")
    IN_DISSOLUTION = "in_dissolution", _("In dissolution")
    DISSOLVED = "dissolved", _("Dissolved")


class GoodStandingQuerySet(models.QuerySet["GoodStandingCertificate"]):
    def update(self, **kwargs: object) -> int:
        raise PermissionError("Issued certificates of good standing are never changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Issued certificates of good standing are never deleted.")


def good_standing_path(certificate: GoodStandingCertificate, filename: str) -> str:
    number = certificate.company.registration_number
    return f"constancias/{number}/{certificate.issued_on:%Y-%m-%d}-{certificate.code}.pdf"


class GoodStandingCertificate(models.Model):
    """A certificate of good standing (constancia de vigencia) the register issued, as stored:
    what it stated (``facts``), when, its own verification code and the SHA-256 of its bytes.

    Drawn on demand and kept, append-only, so that any one ever handed out can be verified
    later. A company gets at most one a day for the same facts: asking again that day hands out
    the same file, and a change of what it would state (its standing, its name) issues a new
    one."""

    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="good_standing_certificates"
    )
    code = models.CharField(max_length=19, unique=True)
    standing = models.CharField(max_length=16, choices=Standing.choices)
    facts = models.JSONField(help_text="everything the certificate states about the company")
    facts_sha256 = models.CharField(max_length=64)
    issued_on = models.DateField(help_text="the day of issue in Querétaro")
    issued_at = models.DateTimeField()
    file = models.FileField(upload_to=good_standing_path, max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)

    objects = GoodStandingQuerySet.as_manager()

    class Meta:
        ordering = ["company", "-issued_at"]
        verbose_name = _("certificate of good standing")
        verbose_name_plural = _("certificates of good standing")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "issued_on", "facts_sha256"],
                name="one_good_standing_a_day_per_facts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.company.registration_number} {self.code} {self.issued_on}"

    @property
    def filename(self) -> str:
        return f"{self.company.registration_number}-constancia-{self.issued_on:%Y-%m-%d}.pdf"


class RegistrationCounter(models.Model):
    """The last registration number given in a year: numbers are sequential and gapless."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class RegisterChange(models.Model):
    """One change to the register, in the order agencies replay it: the id is the feed's cursor."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        UPDATED = "updated", _("Updated")
        DISSOLVED = "dissolved", _("Dissolved")

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("register change")
        verbose_name_plural = _("register changes")

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.data.get('numero', self.company_id)}"
