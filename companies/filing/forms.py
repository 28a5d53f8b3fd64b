"""Forms of the filing wizard. They parse and check what a person typed; the rules of the legal
form are applied by ``companies.filing.rules`` and the writes happen in ``companies.filing.drafts``.
The founders' forms and the identifiers they check (CURP, RFC) are in ``founder_forms``."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from companies.filing import rules, scian
from companies.filing.founder_forms import CURP_LENGTH, clean_curp
from companies.models import Application, Founder, LegalForm, Municipality

QUERETARO_POSTAL_CODE = re.compile(r"^76\d{3}$")


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

    hires_employees = forms.TypedChoiceField(
        label=_("Will the company hire employees?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("If it does, the portal also files its employer registration with IMSS."),
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
        late, early = rules.deed_date(day, today=self.today, name_reserved_on=self.name_reserved_on)
        if late:
            raise forms.ValidationError(
                _("The deed cannot be dated after today (%(today)s). Write the date on the deed.")
                % {"today": formats.date_format(self.today, "SHORT_DATE_FORMAT")}
            )
        if early and self.name_reserved_on:
            raise forms.ValidationError(
                _(
                    "You reserved the name on %(reserved)s, and a notary signs the deed only after that. Check the date on the deed; if it really is earlier, ask the notary."
                )
                % {"reserved": formats.date_format(self.name_reserved_on, "SHORT_DATE_FORMAT")}
            )
        return day
