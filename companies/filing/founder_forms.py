"""The founders step's form, and the checks of the identifiers people type (CURP, RFC) that the
other steps reuse."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.mx import curp as curp_number
from stdnum.mx import rfc as rfc_number

from companies.models import Application, Founder

# Every free-text field has a length limit and says it in its own words, with the count of what
# was typed ("%(limit_value)d", "%(show_value)d": Django's MaxLengthValidator fills them in).
# They are far below DATA_UPLOAD_MAX_MEMORY_SIZE, so even a pasted book gets this message back
# with its text kept, instead of the portal's page for requests too large to read.
CURP_LENGTH = _("A CURP has 18 letters and digits; you wrote %(show_value)d. Check what you typed.")
RFC_LENGTH = _(
    "An RFC has 12 or 13 letters and digits; you wrote %(show_value)d. Check what you typed."
)


def clean_curp(value: str) -> str:
    try:
        return str(curp_number.validate(value))
    except stdnum_errors.InvalidChecksum:
        raise forms.ValidationError(
            _(
                "The last digit of this CURP does not match the rest. Copy it again from the person's CURP."
            )
        ) from None
    except stdnum_errors.ValidationError:
        raise forms.ValidationError(
            _("A CURP has 18 letters and digits, e.g. RAOA900514MQTMLN01. Check what you typed.")
        ) from None


RFC_OF_A_COMPANY = 12


def clean_rfc(value: str) -> str:
    """A natural person's RFC (13 characters), or "" when they have none."""
    if not value.strip():
        return ""
    rfc = _checked_rfc(value)
    if len(rfc) == RFC_OF_A_COMPANY:
        raise forms.ValidationError(
            _(
                "RFC %(rfc)s has 12 characters: it belongs to a company. A person's RFC has 13 characters, e.g. RAOA9005149F8. Leave it empty if they have none."
            )
            % {"rfc": rfc}
        )
    return rfc


def clean_company_rfc(value: str) -> str:
    """A legal person's RFC: required, 12 characters."""
    example = _("Write the company's RFC: 12 letters and digits, like IBA990101AB0.")
    if not value.strip():
        raise forms.ValidationError(example)
    try:
        rfc = _checked_rfc(value)
    except forms.ValidationError as error:
        if error.code == "checksum":
            raise
        raise forms.ValidationError(example) from None
    if len(rfc) != RFC_OF_A_COMPANY:
        raise forms.ValidationError(
            _(
                "RFC %(rfc)s belongs to a person, not to a company. Write the company's RFC: 12 letters and digits, like IBA990101AB0."
            )
            % {"rfc": rfc}
        )
    return rfc


def _checked_rfc(value: str) -> str:
    try:
        return str(rfc_number.validate(value, validate_check_digits=True))
    except stdnum_errors.InvalidChecksum:
        raise forms.ValidationError(
            _(
                "The last character of this RFC does not match the rest. Copy it again from the tax certificate."
            ),
            code="checksum",
        ) from None
    except stdnum_errors.ValidationError:
        raise forms.ValidationError(
            _(
                "A person's RFC has 13 characters, e.g. RAOA9005149F8. Leave it empty if they have none."
            )
        ) from None


class FounderForm(forms.ModelForm):
    """A founder: a person, or a company with the person who signs on its behalf. Which fields
    apply depends on ``kind``, checked here on the server (the page hides the company's fields
    with CSS only, so it works the same without JavaScript)."""

    KINDS = [
        (Founder.Kind.NATURAL, _("A person")),
        (Founder.Kind.LEGAL, _("A company (persona moral)")),
    ]
    kind = forms.ChoiceField(
        label=_("Who is the founder?"),
        choices=KINDS,
        widget=forms.RadioSelect,
        initial=Founder.Kind.NATURAL,
        required=False,
    )
    company_rfc = forms.CharField(
        label=_("Company's RFC"),
        max_length=13,
        required=False,
        help_text=_("12 letters and digits, as on its tax certificate."),
        error_messages={"max_length": RFC_LENGTH},
    )
    # Not the model's field: ``rfc`` is the person's or the company's, set in ``clean``.
    rfc = forms.CharField(
        label=_("Person's RFC (optional)"),
        max_length=13,
        required=False,
        error_messages={"max_length": RFC_LENGTH},
    )

    class Meta:
        model = Founder
        fields = ["kind", "legal_name", "curp", "nationality", "email", "contribution"]
        labels = {
            "legal_name": _("Company's name"),
            "nationality": _("Nationality (three-letter code)"),
        }
        help_texts = {
            "legal_name": _(
                "As in its deed, with its legal form, e.g. Inversiones del Bajío, S.A. de C.V."
            ),
            "curp": _("For a company: the CURP of the person who signs on its behalf."),
            "email": _("For a company: the email of the person who signs on its behalf."),
        }
        error_messages = {
            "legal_name": {
                "max_length": _(
                    "Write the company's name in at most %(limit_value)d characters; "
                    "you wrote %(show_value)d."
                )
            },
            "curp": {"required": _("Write the founder's CURP."), "max_length": CURP_LENGTH},
            "nationality": {"max_length": _("Use the three-letter country code, e.g. MEX or USA.")},
            "email": {
                "required": _(
                    "Write the founder's email: we send them the invitation to sign there."
                ),
                "invalid": _("Write an email address like nombre@ejemplo.mx."),
                "max_length": _(
                    "Write the email in at most %(limit_value)d characters; "
                    "you wrote %(show_value)d."
                ),
            },
            "contribution": {
                "required": _("Write how much this founder contributes, in pesos."),
                "invalid": _("Write the contribution as a number of pesos, e.g. 5000."),
                "max_digits": _("The contribution can have at most 14 digits before the point."),
                "max_whole_digits": _(
                    "The contribution can have at most 14 digits before the point."
                ),
                "max_decimal_places": _(
                    "Write the contribution with at most two decimals (centavos), e.g. 5000.50."
                ),
            },
        }

    field_order = [
        "kind",
        "legal_name",
        "company_rfc",
        "curp",
        "rfc",
        "nationality",
        "email",
        "contribution",
    ]
    # The model's field a registry's refusal names, and the form's field that shows it.
    REFUSAL_FIELDS = {Founder.Kind.LEGAL: {"rfc": "company_rfc"}}

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.application = application
        self.companies_allowed = not (
            application.legal_form and application.legal_form.natural_persons_only
        )
        if self.data.get(self.add_prefix("kind")) == Founder.Kind.LEGAL:
            self.fields["curp"].error_messages["required"] = _(
                "Write the CURP of the person who signs on the company's behalf."
            )
            self.fields["email"].error_messages["required"] = _(
                "Write the email of the person who signs on the company's behalf: we send them the invitation to sign there."
            )

    @property
    def is_company(self) -> bool:
        return self.cleaned_data.get("kind") == Founder.Kind.LEGAL

    def clean_kind(self) -> str:
        kind: str = self.cleaned_data.get("kind") or Founder.Kind.NATURAL
        return kind

    def clean_curp(self) -> str:
        return clean_curp(self.cleaned_data["curp"])

    def clean_rfc(self) -> str:
        if self.cleaned_data.get("kind") == Founder.Kind.LEGAL:
            return ""  # a company founder: the person who signs needs no RFC here
        return clean_rfc(self.cleaned_data.get("rfc", ""))

    def clean_contribution(self) -> Decimal:
        amount: Decimal = self.cleaned_data["contribution"]
        if amount <= 0:
            raise forms.ValidationError(_("The contribution must be more than zero pesos."))
        return amount

    def clean_nationality(self) -> str:
        value: str = self.cleaned_data["nationality"].strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", value):
            raise forms.ValidationError(_("Use the three-letter country code, e.g. MEX or USA."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "kind" not in data:
            return data  # refused above: the rest depends on the kind
        if self.is_company and not self.companies_allowed:
            # Not the kind field's error: the page offers no choice of kind for this form.
            assert self.application.legal_form is not None
            raise forms.ValidationError(
                _("A %(form)s can only be founded by people, not by companies.")
                % {"form": self.application.legal_form.abbreviation}
            )
        if self.is_company:
            self._clean_company(data)
        else:
            data["legal_name"] = ""
        self.instance.rfc = data.get("rfc", "")
        self._refuse_duplicate(data)
        return data

    def _clean_company(self, data: dict[str, Any]) -> None:
        data["legal_name"] = " ".join(data.get("legal_name", "").split())
        if not data["legal_name"]:
            self.add_error(
                "legal_name",
                _(
                    "Write the company's name as in its deed, e.g. Inversiones del Bajío, S.A. de C.V."
                ),
            )
        try:
            data["rfc"] = clean_company_rfc(data.get("company_rfc", ""))
        except forms.ValidationError as error:
            self.add_error("company_rfc", error)

    def _refuse_duplicate(self, data: dict[str, Any]) -> None:
        others = self.application.founders.exclude(pk=self.instance.pk)
        if self.is_company:
            if data.get("rfc") and others.filter(kind=Founder.Kind.LEGAL, rfc=data["rfc"]).exists():
                self.add_error("company_rfc", _("This company is already one of the founders."))
        elif (
            data.get("curp")
            and others.filter(kind=Founder.Kind.NATURAL, curp=data["curp"]).exists()
        ):
            self.add_error("curp", _("This person is already a founder of this company."))

    def add_refusal(self, field: str, message: str) -> None:
        """A registry's refusal of a model field, shown next to the field that holds it here."""
        kind = self.cleaned_data.get("kind", Founder.Kind.NATURAL)
        self.add_error(self.REFUSAL_FIELDS.get(kind, {}).get(field, field), message)
