"""Forms of the filing wizard. They parse and check what a person typed; the rules of the legal
form are applied by ``companies.rules`` and the writes happen in ``companies.services``."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.mx import curp as curp_number
from stdnum.mx import rfc as rfc_number

from companies import deeds, scian
from companies.models import Application, Founder, LegalForm, Municipality

QUERETARO_POSTAL_CODE = re.compile(r"^76\d{3}$")
# Every free-text field has a length limit and says it in its own words, with the count of what
# was typed ("%(limit_value)d", "%(show_value)d": Django's MaxLengthValidator fills them in).
# They are far below DATA_UPLOAD_MAX_MEMORY_SIZE, so even a pasted book gets this message back
# with its text kept, instead of the portal's page for requests too large to read.
CURP_LENGTH = _("A CURP has 18 letters and digits; you wrote %(show_value)d. Check what you typed.")
RFC_LENGTH = _(
    "An RFC has 12 or 13 letters and digits; you wrote %(show_value)d. Check what you typed."
)


class LegalFormForm(forms.Form):
    legal_form = forms.ModelChoiceField(
        queryset=LegalForm.objects.all(),
        widget=forms.RadioSelect,
        empty_label=None,
        label=_("Legal form"),
        error_messages={"required": _("Choose the kind of company you want to open.")},
    )


class NameForm(forms.Form):
    name = forms.CharField(
        label=_("Company name"),
        max_length=150,
        help_text=_("Without the legal form: we add “S.A.S.” or “S.A. de C.V.” for you."),
        error_messages={
            "required": _("Write the name you want for your company."),
            "max_length": _(
                "Write the company name in at most %(limit_value)d characters; "
                "you wrote %(show_value)d."
            ),
        },
    )


class OfficeForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = [
            "municipality",
            "street",
            "exterior_number",
            "interior_number",
            "neighbourhood",
            "postal_code",
        ]
        labels = {"municipality": _("Municipality")}
        error_messages = {
            "municipality": {
                "required": _("Choose the municipality of Querétaro where the office is.")
            },
            "street": {
                "required": _("Write the street of the registered office."),
                "max_length": _(
                    "Write the street in at most %(limit_value)d characters; "
                    "you wrote %(show_value)d."
                ),
            },
            "exterior_number": {
                "required": _("Write the street number; use “S/N” if it has none."),
                "max_length": _(
                    "Write the street number in at most %(limit_value)d characters; "
                    "you wrote %(show_value)d."
                ),
            },
            "interior_number": {
                "max_length": _(
                    "Write the interior number in at most %(limit_value)d characters; "
                    "you wrote %(show_value)d."
                ),
            },
            "neighbourhood": {
                "required": _("Write the neighbourhood (colonia)."),
                "max_length": _(
                    "Write the neighbourhood in at most %(limit_value)d characters; "
                    "you wrote %(show_value)d."
                ),
            },
            "postal_code": {
                "required": _("Write the five-digit postal code."),
                "max_length": _("Write the postal code in five digits; you wrote %(show_value)d."),
            },
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("municipality", "street", "exterior_number", "neighbourhood", "postal_code"):
            self.fields[name].required = True
        municipality = self.fields["municipality"]
        assert isinstance(municipality, forms.ChoiceField)
        municipality.choices = [("", _("Choose a municipality")), *Municipality.choices]

    def clean_postal_code(self) -> str:
        code: str = self.cleaned_data["postal_code"].strip()
        if not QUERETARO_POSTAL_CODE.match(code):
            raise forms.ValidationError(
                _("Querétaro's postal codes have five digits and start with 76, e.g. 76000.")
            )
        return code


PURPOSE_LENGTH = 4000  # the longest free text of the portal (the clerks' notes have as much)


class PurposeForm(forms.Form):
    purpose = forms.CharField(
        label=_("What will the company do?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        min_length=20,
        max_length=PURPOSE_LENGTH,
        error_messages={
            "required": _("Describe in your own words what the company will do."),
            "min_length": _("Describe the activity in at least 20 characters."),
            "max_length": _(
                "Write the corporate purpose in at most %(limit_value)d characters; "
                "you wrote %(show_value)d."
            ),
        },
    )
    activity_codes = forms.CharField(
        label=_("SCIAN activity codes"),
        max_length=200,  # 25 codes: a company has a few main activities
        help_text=_("Six-digit codes separated by commas, e.g. 722514, 541510."),
        error_messages={
            "required": _("Add at least one SCIAN activity code."),
            "max_length": _(
                "Write the SCIAN codes in at most %(limit_value)d characters; you wrote "
                "%(show_value)d. Keep the codes of the company's main activities."
            ),
        },
    )

    def clean_activity_codes(self) -> list[str]:
        codes = [
            c.strip() for c in re.split(r"[,\s]+", self.cleaned_data["activity_codes"]) if c.strip()
        ]
        wrong = [c for c in codes if not re.fullmatch(r"\d{6}", c)]
        if wrong:
            raise forms.ValidationError(
                _("These are not six-digit SCIAN codes: %(codes)s.") % {"codes": ", ".join(wrong)}
            )
        catalogue = scian.load_catalogue()
        unknown = [c for c in codes if catalogue.get(c) is None]
        if unknown:
            raise forms.ValidationError(
                _("These codes are not in SCIAN 2023: %(codes)s. Search the catalogue below.")
                % {"codes": ", ".join(unknown)}
            )
        return list(dict.fromkeys(codes))


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


class CapitalForm(forms.Form):
    capital = forms.DecimalField(
        label=_("Share capital (MXN)"),
        max_digits=16,
        decimal_places=2,
        min_value=0,
        error_messages={
            "required": _("Write the company's share capital in pesos."),
            "invalid": _("Write the capital as a number of pesos, e.g. 10000."),
            "min_value": _("The share capital cannot be negative: write it in pesos, e.g. 10000."),
            "max_digits": _("The share capital can have at most 14 digits before the point."),
            "max_whole_digits": _("The share capital can have at most 14 digits before the point."),
            "max_decimal_places": _(
                "Write the share capital with at most two decimals (centavos), e.g. 10000.50."
            ),
        },
    )
    share_value = forms.DecimalField(
        label=_("Value of each share (MXN)"),
        help_text=_(
            "Each founder's contribution must be a whole number of shares. MXN 1.00 is usual for "
            "an S.A.S.; MXN 100.00 or MXN 1,000.00 for an S.A. de C.V."
        ),
        max_digits=14,
        decimal_places=2,
        required=False,  # left empty, the value already saved (MXN 1 at first) stays
        error_messages={
            "invalid": _("Write the value of each share as a number of pesos, e.g. 1000."),
            "max_digits": _("The value of each share can have at most 12 digits before the point."),
            "max_whole_digits": _(
                "The value of each share can have at most 12 digits before the point."
            ),
            "max_decimal_places": _(
                "Write the value of each share with at most two decimals (centavos), e.g. 1000.00."
            ),
        },
    )

    def __init__(self, *args: Any, legal_form: LegalForm | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if legal_form is not None and legal_form.capital_unit != LegalForm.CapitalUnit.SHARES:
            del self.fields["share_value"]  # partnership parts: one per partner, no fixed value

    def clean_share_value(self) -> Decimal | None:
        value: Decimal | None = self.cleaned_data["share_value"]
        if value is not None and value <= 0:
            raise forms.ValidationError(_("The value of each share must be more than zero pesos."))
        return value


class AdministrationForm(forms.Form):
    administrators = forms.ModelMultipleChoiceField(
        queryset=Founder.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Who will administer the company?"),
        error_messages={"required": _("Choose who will administer the company.")},
    )
    comisario_name = forms.CharField(
        label=_("Comisario's full name"),
        max_length=200,
        required=False,
        error_messages={
            "max_length": _(
                "Write the comisario's full name in at most %(limit_value)d characters; "
                "you wrote %(show_value)d."
            )
        },
    )
    comisario_curp = forms.CharField(
        label=_("Comisario's CURP"),
        max_length=18,
        required=False,
        error_messages={"max_length": CURP_LENGTH},
    )

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.application = application
        administrators = self.fields["administrators"]
        assert isinstance(administrators, forms.ModelMultipleChoiceField)
        administrators.queryset = application.founders.all()
        self.needs_comisario = bool(
            application.legal_form and application.legal_form.requires_comisario
        )
        if not self.needs_comisario:
            del self.fields["comisario_name"], self.fields["comisario_curp"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.needs_comisario:
            return data
        if not data.get("comisario_name"):
            self.add_error(
                "comisario_name", _("An S.A. de C.V. needs a comisario: write their full name.")
            )
        curp = data.get("comisario_curp", "")
        if not curp:
            self.add_error("comisario_curp", _("Write the comisario's CURP."))
            return data
        try:
            data["comisario_curp"] = clean_curp(curp)
        except forms.ValidationError as error:
            self.add_error("comisario_curp", error)
            return data
        administrators = data.get("administrators") or []
        if any(f.curp == data["comisario_curp"] for f in administrators):
            self.add_error(
                "comisario_curp",
                _("The comisario cannot also administer the company. Choose another person."),
            )
        return data


class ArticlesForm(forms.Form):
    DURATION = [("indefinite", _("Indefinite")), ("fixed", _("A fixed number of years"))]
    FOREIGNERS = [
        ("admission", _("Admit foreign shareholders (cláusula de admisión de extranjeros)")),
        ("exclusion", _("Exclude foreign shareholders (cláusula de exclusión de extranjeros)")),
    ]
    TRANSFER = [
        ("free", _("Shares can be transferred freely")),
        ("preference", _("Other shareholders have the first right to buy")),
        ("consent", _("Transfers need the shareholders' meeting's consent")),
    ]
    duration = forms.ChoiceField(
        label=_("Duration"), choices=DURATION, widget=forms.RadioSelect, initial="indefinite"
    )
    YEARS = _("Write for how many years the company will exist (1 to 99).")
    duration_years = forms.IntegerField(
        label=_("Years"),
        min_value=1,
        max_value=99,
        required=False,
        error_messages={"invalid": YEARS, "min_value": YEARS, "max_value": YEARS},
    )
    foreigners = forms.ChoiceField(
        label=_("Foreign shareholders"),
        choices=FOREIGNERS,
        widget=forms.RadioSelect,
        initial="admission",
    )
    share_transfer = forms.ChoiceField(
        label=_("Transfer of shares"),
        choices=TRANSFER,
        widget=forms.RadioSelect,
        initial="preference",
    )
    fiscal_year = forms.ChoiceField(
        label=_("Fiscal year"),
        choices=[("calendar", _("January to December (the law's fiscal year)"))],
        initial="calendar",
        widget=forms.RadioSelect,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("duration") == "fixed"
            and not data.get("duration_years")
            and "duration_years" not in self.errors  # already told what is wrong with it
        ):
            self.add_error("duration_years", self.YEARS)
        if data.get("duration") == "indefinite":
            data["duration_years"] = None
        return data


class NotaryForm(forms.Form):
    notary_number = forms.IntegerField(
        label=_("Notary number"),
        min_value=1,
        max_value=999,
        error_messages={
            "required": _("Write the number of the notary's office (notaría) in Querétaro."),
            **dict.fromkeys(
                ("invalid", "min_value", "max_value"),
                _("The notary's number is a whole number from 1 to 999, as on the deed."),
            ),
        },
    )
    deed_number = forms.IntegerField(
        label=_("Deed number"),
        min_value=1,
        error_messages={
            "required": _("Write the number of the deed (escritura) the notary gave you."),
            **dict.fromkeys(
                ("invalid", "min_value"),
                _("The deed number is a whole number, 1 or more: copy it from the deed."),
            ),
        },
    )
    deed_date = forms.DateField(
        label=_("Deed date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Write the date the deed was signed."),
            "invalid": _("Write the date as year-month-day, e.g. 2026-11-20."),
        },
    )

    def __init__(
        self, *args: Any, today: date, name_reserved_on: date | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today, self.name_reserved_on = today, name_reserved_on
        self.fields["deed_date"].widget.attrs["max"] = today.isoformat()

    def clean_deed_date(self) -> date:
        """What can be told without the notary registry: the deed is signed after the name was
        reserved and not after today. The rest is checked with the registry once submitted."""
        day: date = self.cleaned_data["deed_date"]
        found = deeds.date_mismatches(day, today=self.today, name_reserved_on=self.name_reserved_on)
        if deeds.Mismatch.IN_FUTURE in found:
            raise forms.ValidationError(
                _("The deed cannot be dated after today (%(today)s). Write the date on the deed.")
                % {"today": formats.date_format(self.today, "SHORT_DATE_FORMAT")}
            )
        if deeds.Mismatch.BEFORE_RESERVATION in found and self.name_reserved_on:
            raise forms.ValidationError(
                _(
                    "You reserved the name on %(reserved)s, and a notary signs the deed only after that. Check the date on the deed; if it really is earlier, ask the notary."
                )
                % {"reserved": formats.date_format(self.name_reserved_on, "SHORT_DATE_FORMAT")}
            )
        return day


class RequestChangesForm(forms.Form):
    message = forms.CharField(
        label=_("What must the applicant change?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=PURPOSE_LENGTH,
        error_messages={
            "required": _("Write what the applicant must change, in plain words."),
            "max_length": _(
                "Write what must change in at most %(limit_value)d characters; "
                "you wrote %(show_value)d."
            ),
        },
    )
    sections = forms.MultipleChoiceField(
        label=_("Steps concerned"),
        widget=forms.CheckboxSelectMultiple,
        choices=[],
        error_messages={"required": _("Choose at least one step the applicant must correct.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from companies.wizard import STEPS

        sections = self.fields["sections"]
        assert isinstance(sections, forms.MultipleChoiceField)
        sections.choices = [(s.slug, s.title) for s in STEPS if s.slug != "revision"]


class RejectForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Legal reason"),
        choices=[],
        error_messages={"required": _("Choose the legal reason for the rejection.")},
    )
    explanation = forms.CharField(
        label=_("Explanation for the applicant"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=PURPOSE_LENGTH,
        error_messages={
            "required": _("Explain the rejection to the applicant."),
            "max_length": _(
                "Write the explanation in at most %(limit_value)d characters; "
                "you wrote %(show_value)d."
            ),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from companies.review import REJECTION_REASONS

        reason = self.fields["reason"]
        assert isinstance(reason, forms.ChoiceField)
        reasons = [(code, _(msgid)) for code, msgid in REJECTION_REASONS.items()]
        reason.choices = [("", _("Choose a reason")), *reasons]


class VerifyFileForm(forms.Form):
    """A PDF to check against the register: size-limited here, read only as a PDF later."""

    file = forms.FileField(
        label=_("PDF file"),
        help_text=_("The certificate, articles or register, as you received it. At most 5 MB."),
        error_messages={
            "required": _("Choose the PDF file you want to check."),
            "empty": _("The file you chose is empty. Choose the PDF you received."),
        },
    )

    def clean_file(self) -> Any:
        from companies.verification import MAX_UPLOAD_BYTES

        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(self.too_large_message())
        return upload

    @staticmethod
    def too_large_message() -> str:
        return str(
            _(
                "The file is larger than 5 MB. Documents of the register are much smaller: "
                "upload the PDF as you received it."
            )
        )


class VerificationCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        help_text=_("16 letters and digits, printed on the certificate under the QR code."),
        error_messages={
            "required": _("Write the verification code of the certificate."),
            "max_length": _(
                "A verification code has 16 letters and digits; you wrote %(show_value)d "
                "characters. Check it against the certificate."
            ),
        },
    )

    def clean_code(self) -> str:
        from companies import codes

        code = codes.normalise(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _(
                    "A verification code has 16 letters and digits, like 7K3M-9QXA-2BCD-EF45. "
                    "Check it against the certificate."
                )
            )
        return code
