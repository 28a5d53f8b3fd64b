"""The clerks' back-office: who may see it, claiming, decisions, and the queue."""

import html
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from companies import workflow
from companies.models import Application, Company
from companies.processing import checks
from tests.conftest import verified_login
from tests.factories import (
    ApplicationFactory,
    CompanyFounderFactory,
    in_review,
    submitted_sa_de_cv,
)

pytestmark = pytest.mark.django_db


def action(application, name):
    return reverse("companies:review_action", args=[application.public_id, name])


STAFF_PAGES = [
    "queue",
    "review",
    "claim",
    "approve",
    "request-changes",
    "reject",
    "reassign",
    "release",
]


def url_for(page, application):
    if page == "queue":
        return reverse("companies:queue")
    if page == "review":
        return reverse("companies:review", args=[application.public_id])
    return action(application, page)


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_entrepreneurs_get_403_and_anonymous_visitors_are_sent_to_sign_in(client, applicant, page):
    application = in_review(applicant)
    method = client.get if page in ("queue", "review") else client.post
    anonymous = method(url_for(page, application))
    assert anonymous.status_code == 302 and anonymous.url.startswith("/entrar/")
    client.force_login(applicant)
    assert method(url_for(page, application)).status_code == 403
    assert method(url_for(page, application), headers={"HX-Request": "true"}).status_code == 403
    application.refresh_from_db()
    assert application.status == "in_review" and application.assigned_to is None


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_staff_without_the_second_factor_are_sent_to_sign_in(client, applicant, clerk, page):
    application = in_review(applicant)
    client.force_login(clerk)
    method = client.get if page in ("queue", "review") else client.post
    response = method(url_for(page, application))
    assert response.status_code == 302 and response.url.startswith("/entrar/?next=")


def test_review_page_shows_every_check_with_its_x_road_message_id(client, applicant, clerk):
    application = in_review(applicant)
    application.checks.create(
        round=application.submitted_at,
        kind="person",
        subject="RAOA900514MQTMLN01",
        result="clean",
        outcome="active",
        x_road_id="3f1c7e0a-1111-4b8e-9c1e-0d6c2f6b7a10",
    )
    page = (
        verified_login(client, clerk)
        .get(reverse("companies:review", args=[application.public_id]))
        .content.decode()
    )
    assert "3f1c7e0a-1111-4b8e-9c1e-0d6c2f6b7a10" in page and "RAOA900514MQTMLN01" in page


def test_review_page_shows_a_company_founder_with_its_kind_and_representative(
    client, in_english, applicant, clerk
):
    application = in_review(applicant)
    CompanyFounderFactory(application=application, curp="HETL780223MQTRRZ05")
    application.checks.create(
        round=application.submitted_at,
        kind="taxpayer",
        subject="CJU150610I85",
        result="clean",
        outcome="active",
        detail={"person_type": "legal", "name": "Constructora Jurica"},
    )
    page = (
        verified_login(client, clerk)
        .get(reverse("companies:review", args=[application.public_id]))
        .content.decode()
    )
    assert (
        "Legal person (company):</span> <strong>Constructora Jurica, S.A. de C.V.</strong>"
        " · RFC CJU150610I85 · represented by Carlos Eduardo Mendoza Reséndiz (HETL780223MQTRRZ05)"
        in page
    )
    assert "Natural person:</span> Ana Sofía Ramírez Olvera" in page
    assert '<span class="muted">Constructora Jurica</span>' in page  # the tax registry's name


def review_page(client, clerk, application) -> str:
    url = reverse("companies:review", args=[application.public_id])
    return verified_login(client, clerk).get(url).content.decode()


def deed_rows(page: str) -> list[str]:
    """The rows of the deed comparison, each as its cells' text joined by ' | '."""
    table = page[page.index('id="deed-title"') :].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table)[1:]
    return [" | ".join(re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)) for row in rows]


@pytest.mark.parametrize(
    ("deed", "row"),
    [
        (
            {"name": "Tortillería La Esperanza"},
            "Company | Constructora Jurica, S.A. de C.V. | Tortillería La Esperanza, S.A. de C.V."
            " | The deed is of another company: its name is not the one applied for",
        ),
        (
            {"deed_date": date(2999, 1, 1)},
            "Deed date | 10 June 2015 | 1 January 2999 | The deed's date in the notary registry"
            " is not the date in the application<br>The deed is dated in the future",
        ),
        (
            {"reserved_on": date(2015, 7, 1)},
            "Name reserved on | — | 1 July 2015 | The deed is dated before the name was reserved",
        ),
    ],
    ids=["another-company", "future-date", "before-reservation"],
)
def test_the_review_page_shows_the_deed_as_the_registry_has_it_beside_the_application(
    client, in_english, applicant, clerk, xroad_sandbox, deed, row
):
    application = submitted_sa_de_cv(applicant, **deed)
    reason = row.split(" | ")[-1].split("<br>")[-1]
    assert reason in checks.process(application.pk).review_reasons
    page = html.unescape(review_page(client, clerk, application))
    assert row in deed_rows(page)
    assert f"<li>{reason}</li>" in page  # why it needs a clerk


def test_the_review_page_shows_a_matching_deed_and_where_each_founder_is_in_it(
    client, in_english, applicant, clerk, xroad_sandbox
):
    application = submitted_sa_de_cv(applicant)
    checks.process(application.pk)
    rows = deed_rows(review_page(client, clerk, application))
    assert rows == [
        "Company | Constructora Jurica, S.A. de C.V. | Constructora Jurica, S.A. de C.V. | Matches",
        "Legal form | S.A. de C.V. | S.A. de C.V. | Matches",
        "Act | Incorporation (constitución) | Incorporation (constitución) | Matches",
        "Deed date | 10 June 2015 | 10 June 2015 | Matches",
        "Name reserved on | — | 4 May 2015 | Matches",
        "Founder | Ana Sofía Ramírez Olvera · RAOA900514MQTMLN01 · shareholder, administrator"
        " | Ana Sofía Ramírez Olvera (RAOA900514MQTMLN01) | Matches",
        "Founder | Carlos Eduardo Mendoza Reséndiz · MERC851102HQTNSR00 · shareholder"
        " | Carlos Eduardo Mendoza Reséndiz (MERC851102HQTNSR00) | Matches",
        "Other party | Luz María Hernández Trejo · HETL780223MQTRRZ05 · comisario"
        " | Not a founder in the application | ",
    ]


def test_one_clerk_at_a_time(client, applicant, clerk, second_clerk):
    application = in_review(applicant)
    verified_login(client, clerk).post(action(application, "claim"))
    application.refresh_from_db()
    assert application.assigned_to == clerk
    page = (
        verified_login(client, second_clerk)
        .post(action(application, "claim"), follow=True)
        .content.decode()
    )
    assert "Pide a una persona supervisora que la reasigne" in page
    client.post(action(application, "approve"))
    application.refresh_from_db()
    assert (application.status, application.assigned_to) == ("in_review", clerk)


def test_a_supervisor_reassigns(client, applicant, clerk, second_clerk, supervisor):
    application = in_review(applicant)
    verified_login(client, clerk).post(action(application, "claim"))
    verified_login(client, clerk).post(action(application, "reassign"), {"clerk": second_clerk.pk})
    application.refresh_from_db()
    assert application.assigned_to == clerk  # clerks cannot reassign
    verified_login(client, supervisor).post(
        action(application, "reassign"), {"clerk": second_clerk.pk}
    )
    application.refresh_from_db()
    assert application.assigned_to == second_clerk


def test_approving_registers_the_company(
    client, applicant, clerk, django_capture_on_commit_callbacks
):
    application = in_review(applicant)
    verified_login(client, clerk).post(action(application, "claim"))
    with django_capture_on_commit_callbacks(execute=False):
        client.post(action(application, "approve"))
    application.refresh_from_db()
    assert application.status == "registered"
    assert Company.objects.filter(application=application).exists()
    approve = application.events.get(verb="approve")
    assert approve.actor == clerk
    company = Company.objects.get(application=application)
    page = client.get(f"/registro/{application.public_id}/").content.decode()
    assert company.registration_number in page
    assert "Estamos preparando los documentos" in page
    from companies.documents import issuance

    issuance.issue_documents(company_id=company.pk)
    page = client.get(f"/registro/{application.public_id}/").content.decode()
    articles = company.documents.get(kind="articles")
    assert articles.sha256 in page
    assert f"/empresas/{company.registration_number}/documentos/articles-v1.pdf" in page


def test_requesting_changes_needs_a_message_and_steps(
    client, applicant, clerk, django_capture_on_commit_callbacks
):
    application = in_review(applicant)
    verified_login(client, clerk).post(action(application, "claim"))
    page = client.post(action(application, "request-changes"), {"message": ""}).content.decode()
    assert "Escribe qué debe cambiar" in page and "Elige al menos un paso" in page
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            action(application, "request-changes"),
            {"message": "Corrige la colonia.", "sections": ["domicilio"]},
        )
    application.refresh_from_db()
    assert (application.status, application.changes_sections, application.assigned_to) == (
        "changes_requested",
        ["domicilio"],
        None,
    )


def test_rejecting_takes_a_reason_from_the_catalogue(client, applicant, clerk):
    application = in_review(applicant)
    verified_login(client, clerk).post(action(application, "claim"))
    client.post(
        action(application, "reject"), {"reason": "purpose", "explanation": "El objeto es ilícito."}
    )
    application.refresh_from_db()
    assert application.status == "rejected"
    assert application.events.get(verb="reject").data == {
        "reason": "purpose",
        "explanation": "El objeto es ilícito.",
    }


def test_an_action_in_the_wrong_state_gets_a_message_not_a_500(client, applicant, clerk):
    application = in_review(applicant)
    verified_login(client, clerk).post(action(application, "claim"))
    client.post(action(application, "reject"), {"reason": "other", "explanation": "No procede."})
    response = client.post(
        action(application, "reject"), {"reason": "other", "explanation": "Otra vez."}, follow=True
    )
    assert response.status_code == 200
    response = client.post(
        action(application, "request-changes"),
        {"message": "x", "sections": ["nombre"]},
        follow=True,
    )
    assert (
        response.status_code == 200
        and "no se puede hacer mientras la solicitud está" in response.content.decode()
    )


def test_the_queue_filters_and_answers_htmx_with_the_rows(client, applicant, clerk):
    mine = in_review(applicant)
    other = in_review(applicant)
    other.needs_attention = True
    other.save()
    ApplicationFactory(filer=applicant)  # a draft never reaches the queue
    verified_login(client, clerk).post(action(mine, "claim"))
    page = client.get(reverse("companies:queue")).content.decode()
    assert "2 solicitudes" in page
    fragment = client.get(
        reverse("companies:queue") + "?flag=attention", headers={"HX-Request": "true"}
    ).content.decode()
    assert fragment.strip().startswith('<div id="queue-rows"') and "1 solicitud" in fragment
    assert other.reference in fragment and mine.reference not in fragment
    assert mine.reference in client.get(reverse("companies:queue") + "?flag=mine").content.decode()


def test_the_queue_page_makes_the_same_number_of_queries_for_5_or_60_applications(
    client, applicant, clerk
):
    verified_login(client, clerk)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("companies:queue")).status_code == 200
        return len(captured)

    for _ in range(5):
        in_review(applicant)
    few = queries()
    for _ in range(55):
        in_review(applicant)
    assert Application.objects.filter(status="in_review").count() == 60
    assert queries() == few


@pytest.mark.parametrize(
    ("decided_in", "read_in", "shown", "not_shown"),
    [
        ("es-mx", "en", "Approved by the registry", "Aprobada por el registro"),
        ("en", "es-mx", "Aprobada por el registro", "Approved by the registry"),
    ],
)
def test_the_approval_note_is_shown_in_the_readers_language_not_the_clerks(
    client,
    applicant,
    clerk,
    django_capture_on_commit_callbacks,
    decided_in,
    read_in,
    shown,
    not_shown,
):
    from django.conf import settings
    from django.utils import translation

    application = in_review(applicant)
    verified_login(client, clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = decided_in
    client.post(action(application, "claim"))
    with django_capture_on_commit_callbacks(execute=False):
        client.post(action(application, "approve"))
    assert application.events.get(verb="approve").reason == "Approved by the registry"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = read_in
    page = client.get(reverse("companies:review", args=[application.public_id])).content.decode()
    assert shown in page and not_shown not in page
    client.force_login(applicant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = read_in
    founder_page = client.get(reverse("companies:status", args=[application.public_id]))
    assert shown in founder_page.content.decode()
    assert not_shown not in founder_page.content.decode()
    translation.deactivate()


def test_notes_stored_translated_before_are_still_shown_in_the_readers_language(
    client, in_english, applicant, clerk
):
    from companies import audit

    application = in_review(applicant)
    audit.append(application, "approve", to_status="approved", reason="Aprobada por el registro")
    audit.append(
        application,
        "reject",
        to_status="rejected",
        reason="El objeto social es ilícito o imposible. Vende armas.",
        data={"reason": "purpose"},
    )
    page = (
        verified_login(client, clerk)
        .get(reverse("companies:review", args=[application.public_id]))
        .content.decode()
    )
    assert "Approved by the registry" in page and "Aprobada" not in page
    assert "The corporate purpose is unlawful or impossible. Vende armas." in page


def test_a_rejection_shows_the_catalogue_reason_translated_and_the_clerks_words_as_written(
    client, applicant, clerk
):
    from django.conf import settings
    from django.utils import translation

    application = in_review(applicant)
    verified_login(client, clerk).post(action(application, "claim"))
    client.post(action(application, "reject"), {"reason": "purpose", "explanation": "Vende armas."})
    event = application.events.get(verb="reject")
    assert event.reason == "The corporate purpose is unlawful or impossible. Vende armas."
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("companies:review", args=[application.public_id])).content.decode()
    assert "The corporate purpose is unlawful or impossible. Vende armas." in page
    translation.deactivate()


def _codes_the_checks_can_store() -> set[str]:
    """Every outcome ``processing`` stores: the registries' statuses as the adapter reads them,
    the notary's licence prefixed, the fee's states and the name's verdicts."""
    from companies import registries
    from companies.filing import names
    from companies.models import Payment
    from companies.models.outcomes import CheckOutcome

    Outcome = registries.Outcome
    answers = {*registries.PERSON_STATUSES.values(), *registries.TAXPAYER_STATUSES.values()}
    answers |= {Outcome.NOT_FOUND, Outcome.UNAVAILABLE}
    licence = {*registries.NOTARY_LICENCE_STATUSES.values(), Outcome.NOT_FOUND} - {Outcome.ACTIVE}
    return (
        {o.value for o in answers}
        | {f"notary_{o.value}" for o in licence}
        | {s.value for s in Payment.Status}
        | {o.value for o in names.Outcome}
        | {o.value for o in CheckOutcome}  # the codes processing names itself
    )


def test_every_outcome_a_check_can_store_has_words():
    from companies.models.outcomes import CheckOutcome, WordProblemKind

    assert _codes_the_checks_can_store() <= {o.value for o in CheckOutcome}
    for choices in (CheckOutcome, WordProblemKind):
        for member in choices:
            assert str(member.label) and str(member.label) != member.value


def test_every_word_problem_kind_in_the_name_rules_has_words():
    from companies.filing import names
    from companies.models.outcomes import WordProblemKind

    kinds = {problem.kind for _key, problem in names.load_rules().forbidden}
    assert kinds <= {k.value for k in WordProblemKind}


def test_the_review_page_shows_words_for_check_outcomes_not_codes(client, applicant, clerk):
    from django.conf import settings
    from django.utils import translation
    from django.utils.html import escape

    from companies.models.outcomes import CheckOutcome, WordProblemKind

    application = in_review(applicant)
    application.name_verdict = {
        "outcome": "refused",
        "word_problems": [{"word": "BANCO", "kind": "restricted"}],
        "resemblances": [],
    }
    application.save(update_fields=["name_verdict"])
    for code in CheckOutcome:
        application.checks.create(
            round=application.submitted_at,
            kind="person",
            subject=f"S-{code.value}",
            result="negative",
            outcome=code.value,
        )
    verified_login(client, clerk)
    for language in ("en", "es-mx"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get(reverse("companies:review", args=[application.public_id]))
        text = page.content.decode()
        with translation.override(language):
            for code in CheckOutcome:
                assert f"<td>{escape(code.label)}" in text
                assert f"<td>{code.value}<" not in text
            assert f"<p>{escape(CheckOutcome.REFUSED.label)}</p>" in text
            assert f"BANCO ({escape(WordProblemKind.RESTRICTED.label)})" in text
    translation.deactivate()


def test_a_registered_application_offers_no_review_action_and_refuses_a_release(
    client, applicant, clerk, django_capture_on_commit_callbacks
):
    application = in_review(applicant)
    verified_login(client, clerk).post(action(application, "claim"))
    with django_capture_on_commit_callbacks(execute=False):
        client.post(action(application, "approve"))
    application.refresh_from_db()
    assert (application.status, application.assigned_to) == ("registered", clerk)
    page = client.get(reverse("companies:review", args=[application.public_id])).content.decode()
    for name in ("claim", "release", "approve", "request-changes", "reject", "reassign"):
        assert action(application, name) not in page
    response = client.post(action(application, "release"), follow=True)
    assert response.status_code == 200
    assert "Solo una solicitud en revisión" in response.content.decode()
    application.refresh_from_db()
    assert application.assigned_to == clerk


@pytest.mark.parametrize("name", ["claim", "reassign"])
def test_claiming_or_reassigning_outside_review_is_refused(client, applicant, supervisor, name):
    application = ApplicationFactory(filer=applicant)
    workflow._transition(application.pk, "send_for_signatures")
    workflow._transition(application.pk, "submit", fields={"submitted_at": timezone.now()})
    response = verified_login(client, supervisor).post(
        action(application, name), {"clerk": supervisor.pk}, follow=True
    )
    assert "Solo una solicitud en revisión" in response.content.decode()
    application.refresh_from_db()
    assert application.assigned_to is None


@pytest.mark.parametrize(
    ("status", "holder", "expected"),
    [
        ("in_review", None, {"claim"}),
        ("in_review", "me", {"approve", "request-changes", "reject", "release"}),
        ("in_review", "other", set()),
        ("submitted", None, set()),
        ("checking", "me", set()),
        ("changes_requested", None, set()),
        ("registered", "me", set()),
        ("rejected", "me", set()),
    ],
)
def test_the_review_offers_only_the_actions_possible_in_the_status(
    applicant, clerk, second_clerk, status, holder, expected
):
    from companies.review import claims

    application = ApplicationFactory(filer=applicant, status=status)
    application.assigned_to = {"me": clerk, "other": second_clerk, None: None}[holder]
    assert claims.possible_actions(application, clerk=clerk) == expected


def test_a_supervisor_may_also_reassign_while_in_review(applicant, supervisor):
    from companies.review import claims

    application = ApplicationFactory(filer=applicant, status="in_review")
    assert claims.possible_actions(application, clerk=supervisor) == {"claim", "reassign"}
    application.status = "registered"
    assert claims.possible_actions(application, clerk=supervisor) == set()
