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
from companies.models.lifecycle import (
    PENDING_FILING_STATUSES,
    CompanyFiling,
    CompanyState,
    FilingEvent,
    FilingSignature,
    FilingType,
)
from companies.models.pieces import Piece
from companies.models.register import (
    Company,
    Document,
    GoodStandingCertificate,
    NameWord,
    NameWordCompany,
    RegisterChange,
    RegistrationCounter,
    Standing,
    document_path,
    document_title,
)
from companies.models.signing import SigningDocument, SigningSession
from companies.models.subscription import AgencySubscription, IdentityAlert, SubscriptionDelivery
from companies.models.tallies import ApplicationTally, DailyTally
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
    "PENDING_FILING_STATUSES",
    "QUEUE_STATUSES",
    "REFERENCE_ALPHABET",
    "AgencyAccess",
    "AgencyRequest",
    "AgencyService",
    "AgencySubscription",
    "AppendOnlyQuerySet",
    "Application",
    "ApplicationEvent",
    "ApplicationStatus",
    "ApplicationTally",
    "ApplicationVersion",
    "CertificateStatus",
    "Company",
    "CompanyFiling",
    "CompanyState",
    "DailyTally",
    "Document",
    "FilingEvent",
    "FilingSignature",
    "FilingType",
    "Founder",
    "GoodStandingCertificate",
    "IdentityAlert",
    "LegalForm",
    "Municipality",
    "NameReservation",
    "NameWord",
    "NameWordCompany",
    "Notification",
    "OutboxMessage",
    "Payment",
    "PersonStatus",
    "Piece",
    "RegisterChange",
    "RegistrationCounter",
    "RegistryCheck",
    "RegistryExchange",
    "Signature",
    "SigningDocument",
    "SigningSession",
    "Standing",
    "SubscriptionDelivery",
    "document_path",
    "document_title",
    "new_reference",
]
