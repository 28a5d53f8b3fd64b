"""The filer withdraws an application before it is submitted, or while the registry waits for
corrections: it is closed for good, its name is free again, and nothing is deleted."""

from __future__ import annotations

import pytest
from django.urls import reverse

from companies import sla, workflow
from companies.filing import reservations
from companies.models import ApplicationEvent, NameReservation
from tests.factories import EntrepreneurFactory, complete_application

pytestmark = pytest.mark.django_db

NAME = "Tortillería La Esperanza"


@pytest.fixture
def named(applicant):
    """A complete draft of the applicant's holding its name's reservation."""
    application = complete_application(applicant)
    reservations.name_application(application=application, name=NAME)
    return application


def active_reservations(application) -> int:
    return NameReservation.objects.filter(
        application=application, status=NameReservation.Status.ACTIVE
    ).count()


def test_withdrawing_a_draft_closes_it_and_frees_its_name(named, applicant):
    someone_else = EntrepreneurFactory(curp="MERC851102HQTNSR00")
    assert not reservations.check_name(name=NAME, holder=someone_else).allowed
    withdrawn = workflow.withdraw(named, actor=applicant)
    assert withdrawn.status == "withdrawn"
    assert active_reservations(named) == 0
    assert reservations.check_name(name=NAME, holder=someone_else).allowed
    event = ApplicationEvent.objects.filter(application=named).last()
    assert (event.verb, event.actor, event.data) == ("withdraw", applicant, {"released_names": 1})
    assert named.founders.count() == 2  # nothing is deleted


def test_an_application_awaiting_signatures_can_be_withdrawn(named, applicant):
    workflow.send_for_signatures(named, actor=applicant)
    assert workflow.withdraw(named, actor=applicant).status == "withdrawn"
    assert named.versions.count() == 1


def test_a_submitted_application_is_not_withdrawn_from_under_the_registry(named, applicant):
    workflow._transition(named.pk, "send_for_signatures")
    workflow._transition(named.pk, "submit")
    named.refresh_from_db()
    assert not workflow.can_withdraw(named)
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.withdraw(named, actor=applicant)
    named.refresh_from_db()
    assert named.status == "submitted"
    assert active_reservations(named) == 1


def test_withdrawing_while_changes_are_requested_stops_the_24_hour_clock(named, applicant):
    for verb in ("send_for_signatures", "submit", "start_checks", "send_to_review"):
        workflow._transition(named.pk, verb)
    workflow._transition(named.pk, "request_changes")
    workflow.withdraw(named, actor=applicant)
    clock = sla.clock(named.events.order_by("pk"))
    assert clock is not None and clock.state == sla.ClockState.STOPPED


def test_the_filer_is_told_what_withdrawing_means_before_doing_it(client, in_english, named):
    client.force_login(named.filer)
    url = reverse("companies:withdraw", args=[named.public_id])
    page = client.get(url).content.decode()
    assert "The company will not be registered, and this cannot be undone." in page
    assert "anyone can use the name from now on" in page
    named.refresh_from_db()
    assert named.status == "draft"  # a GET changes nothing


def test_withdrawing_from_the_page_lists_the_application_as_closed(client, in_english, named):
    client.force_login(named.filer)
    dashboard = client.get(reverse("companies:dashboard")).content.decode()
    assert reverse("companies:withdraw", args=[named.public_id]) in dashboard
    response = client.post(reverse("companies:withdraw", args=[named.public_id]), follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("companies:dashboard")
    assert "The application was withdrawn and its name is free again." in page
    closed = page.split('id="closed-title"')[1]
    assert named.reference in closed and "Withdrawn" in closed
    assert "You have no drafts." in page


def test_the_page_refuses_when_it_is_too_late(client, in_english, named):
    workflow._transition(named.pk, "send_for_signatures")
    workflow._transition(named.pk, "submit")
    client.force_login(named.filer)
    url = reverse("companies:withdraw", args=[named.public_id])
    assert "cannot be withdrawn while it is" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "This cannot be done while the application is" in response.content.decode()
    named.refresh_from_db()
    assert named.status == "submitted"


def test_only_the_filer_may_withdraw(client, named, other_applicant, clerk):
    founder = named.founders.exclude(curp=named.filer.curp).first()
    co_founder = EntrepreneurFactory(curp=founder.curp)
    url = reverse("companies:withdraw", args=[named.public_id])
    for person in (co_founder, other_applicant, clerk):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    named.refresh_from_db()
    assert named.status == "draft"
    client.logout()
    assert client.post(url).status_code == 302  # to sign in
    named.refresh_from_db()
    assert named.status == "draft"
