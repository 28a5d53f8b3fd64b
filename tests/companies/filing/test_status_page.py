"""The status page follows the application: htmx asks every second while the registries are
checked and the documents drawn, less often while a person decides or when nothing happens for a
while, is answered 204 while nothing changed, and stops once nothing more will happen; without
JavaScript the page reloads itself while the machine works and always offers a refresh link."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from companies import workflow
from companies.documents import issuance
from companies.models import Document
from tests.factories import complete_application, in_review, registered_company, submitted

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def status_url(application) -> str:
    return reverse("companies:status", args=[application.public_id])


def page_of(client, application) -> str:
    return client.get(status_url(application)).content.decode()


def seen(page: str) -> str:
    return re.search(r"\?seen=([0-9a-f]+)", page).group(1)


def poll_seconds(page: str) -> int | None:
    found = re.search(r'hx-trigger="every (\d+)s"', page)
    return int(found.group(1)) if found else None


def minutes_later(monkeypatch, minutes: int) -> None:
    """The page is asked ``minutes`` after now, with nothing having happened meanwhile."""
    later = timezone.now() + timedelta(minutes=minutes)
    monkeypatch.setattr("companies.views.progress.timezone.now", lambda: later)


def test_while_the_registries_are_checked_the_page_asks_every_second(client, applicant):
    application = submitted(applicant)
    client.force_login(applicant)
    page = page_of(client, application)
    assert poll_seconds(page) == 1
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert f'<noscript><p><a href="{status_url(application)}">Actualizar el estado' in page


def test_the_timeline_is_answered_204_until_it_changes(client, applicant):
    application = submitted(applicant)
    client.force_login(applicant)
    version = seen(page_of(client, application))
    unchanged = client.get(status_url(application), {"seen": version}, headers=HTMX)
    assert unchanged.status_code == 204 and unchanged.content == b""

    workflow._transition(application.pk, "start_checks")
    changed = client.get(status_url(application), {"seen": version}, headers=HTMX)
    fragment = changed.content.decode()
    assert changed.status_code == 200 and fragment.strip().startswith('<div id="timeline"')
    assert "En verificación con los registros" in fragment and seen(fragment) != version


def test_a_page_loaded_without_htmx_is_drawn_whatever_it_saw(client, applicant):
    application = submitted(applicant)
    client.force_login(applicant)
    version = seen(page_of(client, application))
    reloaded = client.get(status_url(application), {"seen": version})
    assert reloaded.status_code == 200 and "<h1>" in reloaded.content.decode()


def test_the_page_asks_less_often_while_a_person_decides_and_when_nothing_happens(
    client, applicant, monkeypatch
):
    checking = submitted(applicant)
    reviewed = in_review(applicant)
    client.force_login(applicant)
    assert poll_seconds(page_of(client, reviewed)) == 10
    assert "http-equiv" not in page_of(client, reviewed), "a person takes minutes: no reload"
    minutes_later(monkeypatch, 5)
    assert poll_seconds(page_of(client, checking)) == 5
    minutes_later(monkeypatch, 15)  # a registry down, the worker retrying
    assert poll_seconds(page_of(client, checking)) == 30
    assert poll_seconds(page_of(client, reviewed)) == 30


def test_a_registered_company_is_followed_until_every_document_is_issued(client, applicant):
    company = registered_company(complete_application(applicant))
    client.force_login(applicant)
    assert poll_seconds(page_of(client, company.application)) == 1, "documents on their way"
    issuance.issue_documents(company_id=company.pk)
    company.documents.filter(kind=Document.Kind.REGISTER).delete()
    assert poll_seconds(page_of(client, company.application)) == 1, "one still to come"
    issuance.issue_documents(company_id=company.pk)
    page = page_of(client, company.application)
    assert "hx-trigger" not in page and "http-equiv" not in page and "<noscript>" not in page


@pytest.mark.parametrize("ending", ["withdraw", "reject"])
def test_a_closed_application_is_no_longer_followed(client, applicant, clerk, ending):
    application = in_review(applicant)
    if ending == "withdraw":
        workflow.request_changes(application, actor=clerk, message="El capital.", sections=[])
        workflow.withdraw(application, actor=applicant)
    else:
        workflow.reject(
            application, actor=clerk, ground="name", reason="El nombre.", explanation="Ya existe."
        )
    client.force_login(applicant)
    page = page_of(client, application)
    assert "hx-trigger" not in page and "http-equiv" not in page and "<noscript>" not in page


def test_the_status_page_runs_no_inline_script(client, applicant):
    client.force_login(applicant)
    response = client.get(status_url(submitted(applicant)))
    policy = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", response.content.decode()) == []
