"""The agency API's tests call it as SAT's tax-roll subsystem."""

import pytest

AGENCY = "MX-DEV/GOV/SAT/padron"


@pytest.fixture
def agency(db):
    """SAT's tax-roll subsystem, on the allowlist of every service."""
    from companies.models import AgencyAccess, AgencyService

    for service in AgencyService.values:
        AgencyAccess.objects.create(client=AGENCY, service=service)
    return AGENCY
