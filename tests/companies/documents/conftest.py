"""The documents' tests start from a company in the register."""

import pytest


@pytest.fixture
def company(registered_company):
    return registered_company


@pytest.fixture
def registered(applicant, xroad_sandbox, django_capture_on_commit_callbacks):
    """Ana's clean S.A.S. submitted and processed against the sandbox registries: registered, its
    ``after_registration`` (the RFC, the documents) not run yet."""
    from companies.processing import checks
    from tests.factories import submitted

    application = submitted(applicant)
    with django_capture_on_commit_callbacks(execute=False):
        checks.process(application.pk)
    return application
