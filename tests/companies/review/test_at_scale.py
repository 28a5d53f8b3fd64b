"""The queue, the dashboard and the statistics over many applications in every state of the
clock, seeded in bulk: the figures the database counts from the clock's columns are the ones
the walk over each application's events gives, and a page costs as many queries with 200
applications as with 10."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from companies import counters, sla
from companies.models import Application, ApplicationEvent, Company, LegalForm
from companies.review import metrics, worklist
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db

H = timedelta(hours=1)
# status, then the events as (verb, to_status, hours before now): running, over 24 h, close to
# it, paused (some with more than 24 h used), registered and rejected in the last days
KINDS = [
    ("submitted", [("submit", "submitted", 2)]),
    ("in_review", [("submit", "submitted", 30)]),
    ("in_review", [("submit", "submitted", 21)]),
    ("checking", [("submit", "submitted", 50), ("request_changes", "changes_requested", 45),
                  ("submit", "submitted", 5)]),
    ("changes_requested", [("submit", "submitted", 40), ("request_changes", "changes_requested", 10)]),
    ("changes_requested", [("submit", "submitted", 9), ("request_changes", "changes_requested", 8)]),
    ("registered", [("submit", "submitted", 60), ("approve", "approved", 20),
                    ("register", "registered", 20)]),
    ("registered", [("submit", "submitted", 30), ("approve", "approved", 28),
                    ("register", "registered", 28)]),
    ("rejected", [("submit", "submitted", 70), ("reject", "rejected", 40)]),
]  # fmt: skip


def seed(count, *, filer, clerk):
    """``count`` more applications, cycling through ``KINDS``, every third claimed; written
    in bulk past the workflow, so counted again as the migration counts them."""
    now = timezone.now()
    sas = LegalForm.objects.get(code="sas")
    start = Application.objects.count()
    for n in range(start, start + count):
        status, events = KINDS[n % len(KINDS)]
        # a few minutes apart, so that no two clocks are equal
        moments = [
            (verb, to, now - hours * H - n * timedelta(minutes=1)) for verb, to, hours in events
        ]
        stored = sla.stored_from(sla.Recorded(*event) for event in moments)
        application = Application.objects.create(
            filer=filer,
            legal_form=sas,
            status=status,
            assigned_to=clerk if n % 3 == 0 and status not in sla.FINAL_STATUSES else None,
            first_submitted_at=moments[0][2],
            submitted_at=moments[0][2],
            clock_origin=stored.origin,
            clock_used=stored.used,
        )
        ApplicationEvent.objects.bulk_create(
            ApplicationEvent(
                application=application,
                verb=verb,
                to_status=to,
                created_at=at,
                actor=clerk if verb in metrics.DECISIONS else None,
                previous_hash="0" * 64,
                hash=f"{application.pk:050d}{k:014d}",
            )
            for k, (verb, to, at) in enumerate(moments)
        )
        if status == "registered":
            Company.objects.create(
                registration_number=f"QRO-T-{application.pk:06d}",
                name=f"Empresa {n}",
                normalised_name=f"EMPRESA {n}",
                legal_form=sas,
                application=application,
                registered_at=moments[-1][2],
            )
    counters.recount()


def by_the_events(now):
    """Every application's clock, the reference way."""
    return {
        a: sla.clock(a.events.order_by("pk"), now=now) for a in Application.objects.order_by("pk")
    }


def test_the_dashboards_figures_are_the_event_walks(applicant, clerk):
    seed(45, filer=applicant, clerk=clerk)
    figures = metrics.dashboard(7)
    now = figures.period.end
    clocks = by_the_events(now)
    warning = sla.SERVICE_LEVEL * sla.WARNING_SHARE

    lines = {line.status: line for line in figures.queue}
    for status in worklist.QUEUE_STATUSES:
        waiting = {a: c for a, c in clocks.items() if a.status == status}
        line = lines[status]
        assert line.count == len(waiting), status
        assert line.unassigned == sum(1 for a in waiting if a.assigned_to_id is None), status
        assert line.overdue == sum(1 for c in waiting.values() if c.elapsed >= sla.SERVICE_LEVEL)
        assert line.at_risk == sum(
            1 for c in waiting.values() if warning <= c.elapsed < sla.SERVICE_LEVEL
        ), status
    assert lines["changes_requested"].overdue == 5  # paused with 30 hours used

    over = {a.pk for a, c in clocks.items() if c.elapsed >= sla.SERVICE_LEVEL}
    assert figures.breach_count == len(over)
    assert {row.pk for row in figures.breaches} == over
    listed = [row.clock for row in figures.breaches]
    assert listed == sorted(listed, reverse=True)
    for row in figures.breaches:
        assert row.clock == clocks[next(a for a in clocks if a.pk == row.pk)].elapsed

    claimed = [a for a in clocks if a.assigned_to_id and a.status not in sla.FINAL_STATUSES]
    assert figures.assigned_count == len(claimed)


def test_the_durations_are_the_same_in_sql_and_in_python(applicant, clerk):
    seed(45, filer=applicant, clerk=clerk)
    span = metrics.period(7)
    in_database = metrics.durations(span)
    assert in_database == metrics.durations_in_python(metrics.registrations(span))
    assert in_database.count == 10
    assert in_database.within_promise == 5  # 40 hours on the clock for the other five
    assert in_database.clock_median == pytest.approx(21.0)  # 2 and 40 hours, five of each


PAGES = ["companies:queue", "companies:supervision", "companies:statistics"]


@pytest.mark.parametrize("page", PAGES)
def test_a_page_costs_the_same_queries_with_200_applications_as_with_10(
    client, applicant, supervisor, page, django_assert_max_num_queries
):
    verified_login(client, supervisor)
    url = reverse(page)
    seed(10, filer=applicant, clerk=supervisor)
    assert client.get(url).status_code == 200  # the session settles
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    seed(190, filer=applicant, clerk=supervisor)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200
    if page == "companies:supervision":
        figures = response.context["figures"]
        assert len(figures.breaches) == metrics.LISTED < figures.breach_count
