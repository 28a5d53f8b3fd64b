"""The domain's tables, by concept; ``from companies.models import X`` is the way in.

Invariants the database can hold (one active reservation per name, one founder per CURP in an
application) are constraints; rules that change with the law are rows (``LegalForm``), not code.
"""

from companies.models.agency import (
    AgencyAccess,
    AgencyRequest,
    AgencyService,
)
from companies.models.filing import (
    FINAL_STATUSES,
    QUEUE_STATUSES,
    REFERENCE_ALPHABET,
    Application,
    ApplicationStatus,
    ApplicationVersion,
    Founder,
    LegalForm,
    Municipality,
    NameReservation,
    Payment,
    PersonStatus,
    Signature,
    new_reference,
)
from companies.models.register import (
    Company,
    Document,
    NameWord,
    NameWordCompany,
    RegisterChange,
    RegistrationCounter,
    document_path,
    document_title,
)
from companies.models.signing import SigningDocument, SigningSession
from companies.models.trail import (
    AppendOnlyQuerySet,
    ApplicationEvent,
    CertificateStatus,
    Notification,
    OutboxMessage,
    RegistryCheck,
    RegistryExchange,
)

__all__ = [
    "FINAL_STATUSES",
    "QUEUE_STATUSES",
    "REFERENCE_ALPHABET",
    "AgencyAccess",
    "AgencyRequest",
    "AgencyService",
    "AppendOnlyQuerySet",
    "Application",
    "ApplicationEvent",
    "ApplicationStatus",
    "ApplicationVersion",
    "CertificateStatus",
    "Company",
    "Document",
    "Founder",
    "LegalForm",
    "Municipality",
    "NameReservation",
    "NameWord",
    "NameWordCompany",
    "Notification",
    "OutboxMessage",
    "Payment",
    "PersonStatus",
    "RegisterChange",
    "RegistrationCounter",
    "RegistryCheck",
    "RegistryExchange",
    "Signature",
    "SigningDocument",
    "SigningSession",
    "document_path",
    "document_title",
    "new_reference",
]
