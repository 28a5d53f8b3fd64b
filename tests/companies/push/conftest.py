from __future__ import annotations

from itertools import count

import pytest

AGENCY = "MX-DEV/GOV/SAT/padron"
_numbers = count(1)


@pytest.fixture
def new_company(db):
    """Makes a company entered by hand (the register's own number series is not under test),
    with the change of its registration; ``municipality`` is its office's."""
    from django.utils import timezone

    from companies.models import Company, LegalForm
    from companies.register.changes import record_change
    from companies.register.search import normalise_name
    from tests.factories import ApplicationFactory

    def make(*, municipality: str = "014") -> Company:
        n = next(_numbers)
        application = ApplicationFactory(municipality=municipality, status="registered")
        entry = Company.objects.create(
            registration_number=f"QRO-2026-{n:06d}",
            name=f"Empresa {n}, S.A.S.",
            normalised_name=normalise_name(f"Empresa {n}"),
            legal_form=LegalForm.objects.get(code="sas"),
            application=application,
            registered_at=timezone.now(),
        )
        record_change(entry, "registered")
        return entry

    return make


@pytest.fixture
def subscriber(xroad_sandbox):
    """The sandbox agency that receives the pushes, behind the emulated Security Server."""
    from sandbox.catalogue import SUBSCRIBER
    from sandbox.subscriber import subscriber_in

    received = subscriber_in(xroad_sandbox.topology, SUBSCRIBER.service_id)
    received.reset()
    yield received
    received.reset()


@pytest.fixture
def subscription(db):
    """SAT's subscription to every change, from the start of the log."""
    from companies.models import AgencyAccess, AgencySubscription
    from sandbox.catalogue import SUBSCRIBER

    AgencyAccess.objects.create(client=AGENCY, service="cambios")
    return AgencySubscription.objects.create(
        client=AGENCY, service=SUBSCRIBER.service_id, path="/v1/cambios"
    )
