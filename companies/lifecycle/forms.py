"""The forms of the filings a founder fills in the portal; each turns into its type's payload
(``payload``), which the type's JSON Schema and rules then check (``filings.start``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import Municipality
from companies.register.states import QUERETARO

ANOTHER_STATE = "00"


class FilingForm(forms.Form):
    effective_on = forms.DateField(
        label=_("Takes effect on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Today or a later day: the register applies it on that day."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_on"].initial = timezone.localdate()

    def payload(self) -> dict[str, Any]:
        raise NotImplementedError


class OfficeChangeForm(FilingForm):
    state = forms.ChoiceField(
        label=_("State"),
        choices=[(QUERETARO, "Querétaro"), (ANOTHER_STATE, _("Another state"))],
    )
    municipality = forms.ChoiceField(label=_("Municipality"), choices=Municipality.choices)
    street = forms.CharField(label=_("street"), max_length=120)
    exterior_number = forms.CharField(label=_("number"), max_length=20)
    interior_number = forms.CharField(label=_("interior"), max_length=20, required=False)
    neighbourhood = forms.CharField(label=_("neighbourhood"), max_length=120)
    postal_code = forms.CharField(label=_("postal code"), max_length=5)

    def payload(self) -> dict[str, Any]:
        names = ("street", "exterior_number", "interior_number", "neighbourhood")
        fields = (*names, "postal_code", "municipality", "state")
        return {name: self.cleaned_data[name].strip() for name in fields}


class AdministratorsForm(FilingForm):
    action = forms.ChoiceField(
        label=_("Change"),
        choices=[
            ("appoint", _("Appoint an administrator")),
            ("remove", _("Remove an administrator")),
            ("rename", _("Correct an administrator's name")),
        ],
    )
    curp = forms.CharField(label=_("CURP"), max_length=18)
    name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        required=False,
        help_text=_("For an appointment or a correction of the name."),
    )

    def payload(self) -> dict[str, Any]:
        move = {"action": self.cleaned_data["action"], "curp": self.cleaned_data["curp"].upper()}
        if self.cleaned_data["name"].strip():
            move["name"] = self.cleaned_data["name"].strip()
        return {"moves": [move]}


FORMS: dict[str, type[FilingForm]] = {
    "office_change": OfficeChangeForm,
    "administrators": AdministratorsForm,
}
