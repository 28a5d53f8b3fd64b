"""A registered filing issues again the documents it changes (``reissues`` in
filing_rules.json), by a worker after the registration commits, once per filing; the new
versions state the register's new data, the old ones stay verifiable and point to them."""

from companies import jobs, tasks
from companies.documents import issuance, verification
from companies.lifecycle import filings
from companies.models import Document, OutboxMessage
from tests import factories
from tests.factories import submitted_filing
from tests.pdf import text_of

ANA = "RAOA900514MQTMLN01"


def _issued(company):
    issuance.issue_documents(company_id=company.pk)
    return company


def _reissue_messages():
    return list(OutboxMessage.objects.filter(task=jobs.REISSUE_DOCUMENTS).order_by("pk"))


def _certificate_text(document: Document) -> str:
    return text_of(issuance.read(document))


def test_a_registered_office_change_reissues_the_certificate_with_the_new_office(
    registered_company, applicant, django_capture_on_commit_callbacks
):
    company = _issued(registered_company)
    first = company.documents.get(kind="certificate", version=1)
    assert "Av. Zaragoza 10" in _certificate_text(first)
    with django_capture_on_commit_callbacks(execute=False):
        filing = filings.process(submitted_filing(company, applicant).pk)
    assert filing.status == "registered"
    (message,) = _reissue_messages()
    assert message.args == [company.application_id, ["certificate"], f"filing-{filing.pk}"]

    tasks.reissue_documents(*message.args)
    tasks.reissue_documents(*message.args)  # delivered twice
    (second,) = company.documents.filter(reason=f"filing-{filing.pk}")
    assert (second.kind, second.version) == ("certificate", 2)
    text = _certificate_text(second)
    assert "Calle Madero 45, Centro Histórico, C.P. 76020, San Juan del Río, Querétaro" in text
    assert "Av. Zaragoza" not in text
    assert "Av. Zaragoza 10" in _certificate_text(first), "a stored version is never rewritten"
    assert verification.check_file(issuance.read(first)).superseded_by == second
    assert company.documents.filter(kind="articles").count() == 1, "not in the table"


def test_a_second_registration_attempt_asks_for_nothing_again(
    registered_company, applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        filing = filings.process(submitted_filing(_issued(registered_company), applicant).pk)
        assert filings.register_filing(filing.pk) is False
        assert filings.apply_due() == 0
    assert len(_reissue_messages()) == 1


def test_an_administrators_change_reissues_what_the_table_says(
    applicant, django_capture_on_commit_callbacks
):
    application = factories.complete_application(
        applicant, founders=[(ANA, "Ana Sofía", "Ramírez", "Olvera", "10000", True)]
    )
    company = _issued(factories.registered_company(application, number=7))
    payload = {"moves": [{"action": "rename", "curp": ANA, "name": "Ana Sofía Ramírez O."}]}
    with django_capture_on_commit_callbacks(execute=False):
        filing = filings.process(submitted_filing(company, applicant, "administrators", payload).pk)
    (message,) = _reissue_messages()
    assert message.args[1] == filings.documents_reissued_by("administrators") == ["certificate"]
    tasks.reissue_documents(*message.args)
    (second,) = company.documents.filter(reason=f"filing-{filing.pk}")
    assert "Ana Sofía Ramírez O." in _certificate_text(second)
    assert "Ana Sofía Ramírez Olvera" in _certificate_text(
        company.documents.get(kind="certificate", version=1)
    )


def test_a_type_that_changes_no_document_asks_for_none(
    registered_company, applicant, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(filings, "documents_reissued_by", lambda filing_type: [])
    with django_capture_on_commit_callbacks(execute=False):
        filing = filings.process(submitted_filing(registered_company, applicant).pk)
    assert filing.status == "registered"
    assert _reissue_messages() == []


def test_reissued_articles_state_the_registered_office_and_administrators(
    applicant, django_capture_on_commit_callbacks
):
    """The table re-issues no articles yet, but articles drawn after a change (a re-issue for
    another reason) say what the register says, not what the application said."""
    application = factories.complete_application(
        applicant, founders=[(ANA, "Ana Sofía", "Ramírez", "Olvera", "10000", True)]
    )
    company = _issued(factories.registered_company(application, number=7))
    before = text_of(issuance.read(company.documents.get(kind="articles", version=1)))
    assert "San Juan del Río" not in before and "Ana Sofía Ramírez O." not in before
    payload = {"moves": [{"action": "rename", "curp": ANA, "name": "Ana Sofía Ramírez O."}]}
    with django_capture_on_commit_callbacks(execute=False):
        filings.process(submitted_filing(company, applicant).pk)
        filings.process(submitted_filing(company, applicant, "administrators", payload).pk)
    (articles,) = issuance.reissue(company, ["articles"], "test-articles")
    text = text_of(issuance.read(articles))
    assert "San Juan del Río" in text
    assert "Ana Sofía Ramírez O." in text
