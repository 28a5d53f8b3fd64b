"""The words for what a registry check found: the codes stay in the data and the API, people
read these labels (``RegistryCheck.outcome_label``, the review page).

Every code ``processing`` can store is a member here (a test walks the registries' statuses);
a code from an older row that is not falls back to itself rather than failing.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CheckOutcome(models.TextChoices):
    # The population and tax registries' answers about a person or a taxpayer.
    ACTIVE = "active", _("Active")
    NOT_FOUND = "not_found", _("Not found")
    DECEASED = "deceased", _("Deceased")
    WITHDRAWN = "withdrawn", _("CURP withdrawn")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")
    NEGATIVE_OPINION = "negative_opinion", _("Negative compliance opinion")
    UNAVAILABLE = "unavailable", _("The registry did not answer")
    # The notaries' registry: the notary's licence, then the deed.
    NOTARY_NOT_FOUND = "notary_not_found", _("Notary not found")
    NOTARY_SUSPENDED = "notary_suspended", _("Notary's licence suspended")
    NOTARY_CANCELLED = "notary_cancelled", _("Notary's licence revoked")
    DEED_MATCHES = "deed_matches", _("Deed of this company's incorporation")
    DEED_DIFFERS = "deed_differs", _("Deed differs from the application")
    # Older rows, from before the deed was compared with the application.
    DEED_FOUND = "deed_found", _("Deed found, with the same date")
    DEED_DATE_DIFFERS = "deed_date_differs", _("Deed found, with another date")
    DEED_NOT_FOUND = "deed_not_found", _("Deed not found")
    # The registration fee.
    NO_FEE = "no_fee", _("No fee for this legal form")
    UNPAID = "unpaid", _("No payment reference")
    PENDING = "pending", _("Not paid yet")
    PAID = "paid", _("Paid")
    EXPIRED = "expired", _("Payment reference expired")
    # The name's verdict.
    CLEAR = "clear", _("Name available")
    REVIEW = "review", _("Name resembles others")
    TAKEN = "taken", _("Name already registered or reserved")
    REFUSED = "refused", _("Name not allowed")
    UNKNOWN = "unknown", _("Name not checked")
    # Our own register: an S.A.S. founder's control of other companies.
    CONTROLS_OTHER = "controls_other", _("Controls a company of another legal form")
    CONTROLS_NONE = "controls_none", _("Controls no company of another legal form")


class WordProblemKind(models.TextChoices):
    """Why a word of a name cannot be used (``names.WordProblem.kind``)."""

    RESTRICTED = "restricted", _("Reserved for regulated companies")
    OFFICIAL = "official", _("Suggests a public body")
    PROTECTED = "protected", _("Protected name or brand")


def label(choices: type[models.TextChoices], code: str) -> str:
    """The label of ``code``, or the code itself when it is not one of ``choices``."""
    try:
        return str(choices(code).label)
    except ValueError:
        return code
