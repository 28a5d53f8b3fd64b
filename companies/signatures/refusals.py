"""Why a signature does not count, each in a sentence that says what to do next.

Every refusal is a ``SignatureRefused``: a definite answer, the founder signs again with another
file or another e.firma. ``SignatureWaits`` is not a refusal: SAT did not answer, so nothing is
decided and the signature is checked again later.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _


def _day(moment: datetime) -> str:
    return date_format(localtime(moment), "DATE_FORMAT")


class SignatureRefused(Exception):
    """A signature that does not count; ``message`` tells the founder what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnreadableCertificate(SignatureRefused):
    def __init__(self) -> None:
        super().__init__(
            _(
                "This file is not an e.firma certificate. Choose the .cer file that SAT gave "
                "you with your e.firma."
            )
        )


class SelfSigned(SignatureRefused):
    def __init__(self) -> None:
        super().__init__(
            _(
                "This certificate was signed by its own key, not by SAT. Sign with the e.firma "
                "that SAT issued you."
            )
        )


class ForeignAuthority(SignatureRefused):
    def __init__(self, issuer: str) -> None:
        super().__init__(
            _(
                "This certificate was issued by %(issuer)s, not by SAT. Sign with the e.firma "
                "that SAT issued you."
            )
            % {"issuer": issuer or _("an unknown authority")}
        )


class NotYetValid(SignatureRefused):
    def __init__(self, valid_from: datetime) -> None:
        super().__init__(
            _(
                "This e.firma is valid only from %(day)s. Sign with your current e.firma, or "
                "sign again from that day."
            )
            % {"day": _day(valid_from)}
        )


class Expired(SignatureRefused):
    def __init__(self, expired_on: datetime) -> None:
        super().__init__(
            _("This e.firma expired on %(day)s. Renew it at SAT and sign again.")
            % {"day": _day(expired_on)}
        )


class Revoked(SignatureRefused):
    def __init__(self, revoked_on: datetime) -> None:
        self.revoked_on = revoked_on
        super().__init__(
            _("This certificate was revoked on %(day)s: renew your e.firma at SAT and sign again.")
            % {"day": _day(revoked_on)}
        )


class UnknownToSat(SignatureRefused):
    def __init__(self) -> None:
        super().__init__(
            _(
                "SAT does not know this certificate. Sign with the e.firma that SAT issued you, "
                "or ask SAT about it."
            )
        )


class AnotherPerson(SignatureRefused):
    def __init__(self) -> None:
        super().__init__(
            _(
                "This e.firma belongs to another person: its CURP is not the founder's. Each "
                "founder signs with their own e.firma."
            )
        )


class OtherBytes(SignatureRefused):
    def __init__(self) -> None:
        super().__init__(
            _(
                "This signature is not over this version of the articles. Sign again the version "
                "shown on the page."
            )
        )


class SignatureWaits(Exception):
    """SAT's certificate service did not answer (or answered something that is not an answer):
    nothing is refused; the signature is checked again later."""

    def __init__(self) -> None:
        self.message = _(
            "SAT could not confirm your certificate just now. Your signature waits and is "
            "checked again shortly: you do not need to sign again."
        )
        super().__init__(self.message)


# -- Refusals of the signing round itself (``documents.founder_signing``) --------------------


class TooLarge(SignatureRefused):
    def __init__(self) -> None:
        super().__init__(
            _(
                "This file is larger than 64 KB: it is not an e.firma certificate. Choose the "
                ".cer file that SAT gave you with your e.firma (about 2 KB)."
            )
        )


class UnreadableSignature(SignatureRefused):
    def __init__(self) -> None:
        super().__init__(
            _(
                "The signature that arrived cannot be read. Sign again; if it happens again, "
                "use the remote signing service."
            )
        )


class DocumentPreparing(SignatureRefused):
    """Not a verdict: the PDF to sign is still being drawn (the front end tries again)."""

    def __init__(self) -> None:
        super().__init__(
            _("The document to sign is being prepared. Try again in a moment: it takes seconds.")
        )


class NotAwaitingSignatures(SignatureRefused):
    def __init__(self) -> None:
        super().__init__(
            _(
                "This application is not waiting for signatures. Open the signatures page to "
                "see where it stands."
            )
        )


class NotTheirFounder(SignatureRefused):
    def __init__(self) -> None:
        super().__init__(
            _(
                "You do not sign for this founder. Each founder signs in their own name, and a "
                "company's representative on its behalf."
            )
        )


class AlreadySigned(SignatureRefused):
    def __init__(self) -> None:
        super().__init__(
            _("This founder already signed this version. Nothing more is needed from you.")
        )


class OlderVersion(SignatureRefused):
    def __init__(self) -> None:
        super().__init__(
            _(
                "This signature is for an earlier version of the articles: the application was "
                "changed since. Sign again the version shown on the page."
            )
        )


class SessionExpired(SignatureRefused):
    def __init__(self) -> None:
        super().__init__(
            _(
                "More than 10 minutes passed since the document was prepared for you, so this "
                "signature no longer counts. Sign again."
            )
        )


class SomeoneSignedFirst(SignatureRefused):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone signed just before you, so the document changed under your signature. "
                "Sign again: it takes a moment."
            )
        )


class AnotherSignatureWaits(SignatureRefused):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Another founder's signature is being checked with SAT, which is not answering "
                "just now. Sign again in a few minutes."
            )
        )


class SessionClosed(SignatureRefused):
    def __init__(self, message: str) -> None:
        super().__init__(message or _("This signature was already handled. Sign again."))
