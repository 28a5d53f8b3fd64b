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


@pytest.fixture
def fast_drawing(monkeypatch):
    """A one-page PDF instead of the articles (WeasyPrint takes a second a document): what is
    signed does not depend on what the PDF says."""
    from companies.documents import rendering
    from tests.pdf import blank_pdf

    monkeypatch.setattr(rendering, "render_version_articles", lambda version: blank_pdf())


@pytest.fixture
def sent(applicant, other_applicant):
    """Ana's S.A.S. (Ana and Carlos found it) sent for signatures."""
    from companies import workflow
    from tests.factories import complete_application

    application = complete_application(applicant)
    return workflow.send_for_signatures(application, actor=applicant)
