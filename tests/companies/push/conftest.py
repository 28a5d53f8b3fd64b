from __future__ import annotations

import pytest

AGENCY = "MX-DEV/GOV/SAT/padron"


@pytest.fixture
def new_company(db):
    """Makes a company entered by hand, with the change of its registration."""
    from tests.factories import entered_by_hand

    return entered_by_hand


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
