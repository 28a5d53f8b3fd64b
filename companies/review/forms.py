"""The clerks' forms: asking for changes, and rejecting with a legal reason."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from companies.filing.forms import PURPOSE_LENGTH


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
        from companies.filing.wizard import STEPS

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
        from companies.review.claims import REJECTION_REASONS

        reason = self.fields["reason"]
        assert isinstance(reason, forms.ChoiceField)
        reasons = [(code, _(msgid)) for code, msgid in REJECTION_REASONS.items()]
        reason.choices = [("", _("Choose a reason")), *reasons]
