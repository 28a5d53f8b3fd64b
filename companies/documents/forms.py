"""The forms anyone uses to verify a document: by its file, or by its verification code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


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
        from companies.documents.verification import MAX_UPLOAD_BYTES

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
        from companies.documents import codes

        code = codes.normalise(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _(
                    "A verification code has 16 letters and digits, like 7K3M-9QXA-2BCD-EF45. "
                    "Check it against the certificate."
                )
            )
        return code
