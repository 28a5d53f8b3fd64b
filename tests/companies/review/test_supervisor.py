"""The supervisor's dashboard: the figures on a small history built at known times, the CSV,
who may see it, and a query count that does not grow with the number of applications."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from companies import workflow
from companies.register import registration
from companies.review import claims, metrics
from tests.conftest import verified_login
from tests.factories import NOW, T0, History, complete_application

pytestmark = pytest.mark.django_db

ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def history(monkeypatch, applicant, clerk, second_clerk, django_capture_on_commit_callbacks):
    """Hours from T0 (09:00 local on day 0); NOW is hour 72.

    A  automatic approval at 1 h                        clock 1,  wall 1
    B  clerk approves at 5 h                            clock 5,  wall 5
    C  clerk asks for changes at 10 h, resubmitted at 40 h, second clerk approves at 50 h:
                                                        clock 20, wall 50 (paused 30 h)
    D  clerk approves at 30 h                           clock 30, wall 30: over 24 h
    H  second clerk rejects at 3 h
    E  in review since 42 h, claimed by the clerk       30 h on the clock at NOW: over
    F  in review since 52 h, unclaimed                  20 h: less than 20% left
    G  checking since 58 h (01:00 UTC, still the day before in Mexico City)
    """
    build = History(monkeypatch, applicant)
    with django_capture_on_commit_callbacks(execute=False):
        a = build.submitted(0)
        build.approved(a, 1)
        b = build.in_review(0)
        build.approved(b, 5, clerk=clerk)
        c = build.in_review(0)
        build.decided(c, "request_changes", 10, clerk=clerk)
        build.resubmitted(c, 40)
        build.approved(c, 50, clerk=second_clerk)
        d = build.in_review(0)
        build.approved(d, 30, clerk=clerk)
        h = build.in_review(0)
        build.decided(h, "reject", 3, clerk=second_clerk)
        e = build.in_review(42, clerk=clerk)
        f = build.in_review(52)
        g = build.submitted(58)
    build.done()
    return dict(a=a, b=b, c=c, d=d, h=h, e=e, f=f, g=g)


def local_day(offset_days):
    return timezone.localtime(T0).date() + timedelta(days=offset_days)


def test_the_period_is_whole_days_in_mexico_city():
    span = metrics.period(7, now=NOW)
    assert span.last_day == timezone.localtime(NOW).date()
    assert span.first_day == span.last_day - timedelta(days=6)
    assert timezone.localtime(span.start).hour == 0 and len(span.each_day()) == 7
    with pytest.raises(ValueError):
        metrics.period(12, now=NOW)


def test_submissions_and_registrations_are_counted_per_local_day(history):
    days = {d.day: d for d in metrics.dashboard(7, now=NOW).days}
    assert len(days) == 7
    assert [(days[local_day(n)].submitted, days[local_day(n)].registered) for n in range(4)] == [
        (5, 2),  # A B C D H submitted; A and B registered the same day
        (0, 1),  # D registered at 15:00 local
        (3, 1),  # E, F and G (01:00 UTC on day 3 is 19:00 on day 2 locally); C registered
        (0, 0),
    ]
    assert sum(d.submitted for d in days.values()) == 8  # C's second submission is not counted


def test_median_and_p95_use_the_paused_clock_and_the_wall_clock(history):
    durations = metrics.dashboard(7, now=NOW).durations
    # clock 1, 5, 20, 30: median (5 + 20) / 2; p95 at rank 2.85: 20 + 0.85 * 10
    # wall  1, 5, 30, 50: median (5 + 30) / 2; p95: 30 + 0.85 * 20
    assert durations.count == 4
    assert durations.clock_median == pytest.approx(12.5)
    assert durations.clock_p95 == pytest.approx(28.5)
    assert durations.wall_median == pytest.approx(17.5)
    assert durations.wall_p95 == pytest.approx(47.0)


def test_percentiles_interpolate_between_ranks():
    assert metrics.percentile([], 0.5) is None
    assert metrics.percentile([7.0], 0.95) == 7.0
    assert metrics.percentile([4.0, 1.0, 3.0], 0.5) == 3.0
    assert metrics.percentile(range(1, 21), 0.95) == pytest.approx(19.05)


def test_breaches_count_the_clock_not_the_wall_and_include_open_applications(history):
    figures = metrics.dashboard(7, now=NOW)
    breaches = {row.reference: row for row in figures.breaches}
    assert set(breaches) == {history["d"].reference, history["e"].reference}
    assert breaches[history["d"].reference].clock_hours == 30.0
    assert not breaches[history["d"].reference].is_open
    assert breaches[history["e"].reference].is_open
    assert history["c"].reference not in breaches  # 50 h by the wall, 20 h on the clock


def test_the_clock_in_the_database_is_the_clock_of_the_events(history):
    from companies import sla
    from companies.models import Application

    for later in (NOW, NOW + timedelta(hours=5)):
        measured = Application.objects.filter(pk__in=[a.pk for a in history.values()]).annotate(
            clock=sla.elapsed_in_database(now=later)
        )
        for application in measured:
            events = application.events.order_by("pk")
            assert application.clock == sla.elapsed(events, now=later), application.reference


def test_the_lists_show_the_longest_first_and_say_how_many_more(
    client, history, supervisor, monkeypatch
):
    monkeypatch.setattr(metrics, "LISTED", 1)
    figures = metrics.dashboard(7, now=NOW)
    assert [row.reference for row in figures.breaches] == [history["d"].reference]
    assert figures.breach_count == 2
    monkeypatch.setattr("companies.views.supervisor.metrics.timezone.now", lambda: NOW)
    page = verified_login(client, supervisor).get(reverse("companies:supervision")).content
    assert "Las 1 con más tiempo en el reloj de 2; el CSV las incluye todas." in page.decode()


def test_the_automatic_approval_rate_counts_approvals_without_a_clerk(history):
    approvals = metrics.dashboard(7, now=NOW).approvals
    assert (approvals.automatic, approvals.total, approvals.rate) == (1, 4, 0.25)


def test_throughput_counts_each_clerks_decisions_by_verb(history, clerk, second_clerk):
    lines = {line.clerk: line for line in metrics.dashboard(7, now=NOW).clerks}
    assert set(lines) == {clerk, second_clerk}
    mine, theirs = lines[clerk], lines[second_clerk]
    assert (mine.approved, mine.changes_requested, mine.rejected, mine.total) == (2, 1, 0, 3)
    assert (theirs.approved, theirs.changes_requested, theirs.rejected) == (1, 0, 1)
    assert metrics.dashboard(7, now=NOW).clerks[0].clerk == clerk  # busiest first


def test_the_queue_shows_unclaimed_and_at_risk_applications(history, clerk):
    figures = metrics.dashboard(7, now=NOW)
    queue = {line.status: line for line in figures.queue}
    in_review = queue["in_review"]
    assert (in_review.count, in_review.unassigned, in_review.at_risk, in_review.overdue) == (
        2,
        1,
        1,
        1,
    )
    assert (queue["checking"].count, queue["checking"].unassigned) == (1, 1)
    assert [row.reference for row in figures.assigned] == [history["e"].reference]
    assert figures.assigned[0].assigned_to == clerk


def test_a_shorter_period_leaves_out_what_finished_before_it(history):
    later = NOW + timedelta(days=4)  # the period starts on day 1: A, B and H finished before
    figures = metrics.dashboard(7, now=later)
    references = {row.reference for row in metrics.application_rows(figures.period)}
    assert references == {history[k].reference for k in ("c", "d", "e", "f", "g")}
    assert figures.durations.count == 2  # C and D registered inside the period


def test_the_csv_lists_every_application_of_the_period(client, history, supervisor, clerk):
    verified_login(client, supervisor)
    response = client.get(reverse("companies:supervision_csv") + "?days=7", headers=ENGLISH)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="empresa24-')
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert lines[0] == [
        "Reference",
        "Legal form",
        "Status",
        "First submitted on (CST)",
        "Registered on (CST)",
        "Hours on the clock",
        "Hours, wall time",
        "Over 24 hours",
        "Decided by",
    ]
    rows = {line[0]: line for line in lines[1:]}
    assert len(rows) == 8
    first = timezone.localtime(T0).strftime("%Y-%m-%d %H:%M")
    registered = timezone.localtime(T0 + timedelta(hours=30)).strftime("%Y-%m-%d %H:%M")
    assert rows[history["d"].reference] == [
        history["d"].reference,
        "S.A.S.",
        "Registered",
        first,
        registered,
        "30.0",
        "30.0",
        "yes",
        str(clerk),
    ]
    assert rows[history["c"].reference][5:8] == ["20.0", "50.0", "no"]
    assert rows[history["a"].reference][8] == "Automatic"
    assert rows[history["f"].reference][4] == rows[history["f"].reference][6] == ""  # open


def test_the_page_shows_the_figures_a_chart_and_the_same_numbers_in_a_table(
    client, history, supervisor
):
    page = verified_login(client, supervisor).get(reverse("companies:supervision") + "?days=7")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<svg") == 2 and "<title" in html and "<desc" in html
    assert html.count("<rect") == 14  # seven days, two charts
    assert '<option value="7" selected' in html
    assert history["d"].reference in html and history["e"].reference in html
    reassign = reverse("companies:review_action", args=[history["e"].public_id, "reassign"])
    assert f'action="{reassign}"' in html
    assert reverse("companies:review", args=[history["e"].public_id]) in html
    assert "25%" in html  # automatic approvals


def test_htmx_gets_only_the_figures(client, supervisor):
    fragment = verified_login(client, supervisor).get(
        reverse("companies:supervision") + "?days=90", headers={"HX-Request": "true"}
    )
    html = fragment.content.decode().strip()
    assert html.startswith('<div id="supervision-figures"') and "<html" not in html
    assert html.count("<rect") == 180


def test_an_unknown_period_falls_back_to_30_days(client, supervisor):
    html = (
        verified_login(client, supervisor)
        .get(reverse("companies:supervision") + "?days=1000")
        .content.decode()
    )
    assert '<option value="30" selected' in html


PAGES = ["companies:supervision", "companies:supervision_csv"]


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, page):
    response = client.get(reverse(page))
    assert response.status_code == 302 and response.url.startswith("/entrar/")


@pytest.mark.parametrize("page", PAGES)
def test_entrepreneurs_and_clerks_are_refused(client, applicant, clerk, page):
    client.force_login(applicant)
    assert client.get(reverse(page)).status_code == 403
    verified_login(client, clerk)
    assert client.get(reverse(page)).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_a_supervisor_needs_the_second_factor(client, supervisor, page):
    client.force_login(supervisor)
    response = client.get(reverse(page))
    assert response.status_code == 302 and response.url.startswith("/entrar/?next=")
    assert verified_login(client, supervisor).get(reverse(page)).status_code == 200


def test_posting_to_the_dashboard_is_not_allowed(client, supervisor):
    response = verified_login(client, supervisor).post(reverse("companies:supervision"))
    assert response.status_code == 405


def test_reassigning_from_the_dashboard_moves_the_application(
    client, history, supervisor, second_clerk
):
    e = history["e"]
    verified_login(client, supervisor).post(
        reverse("companies:review_action", args=[e.public_id, "reassign"]),
        {"clerk": second_clerk.pk},
    )
    e.refresh_from_db()
    assert e.assigned_to == second_clerk


def add_applications(filer, clerk, count):
    """Half registered by a clerk, half in review claimed by the clerk."""
    for n in range(count):
        application = complete_application(filer)
        for verb in ("send_for_signatures", "submit", "start_checks", "send_to_review"):
            fields = {"first_submitted_at": timezone.now()} if verb == "submit" else None
            workflow._transition(application.pk, verb, fields=fields)
        if n % 2:
            approved = workflow._transition(application.pk, "approve", actor=clerk)
            registration.register(approved)
        else:
            claims.claim(application, clerk=clerk)


@pytest.mark.parametrize("page", PAGES)
def test_queries_do_not_grow_with_the_number_of_applications(
    client, applicant, clerk, supervisor, page, django_capture_on_commit_callbacks
):
    verified_login(client, supervisor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(page)).status_code == 200
        return len(captured)

    with django_capture_on_commit_callbacks(execute=False):
        add_applications(applicant, clerk, 3)
    few = queries()
    with django_capture_on_commit_callbacks(execute=False):
        add_applications(applicant, clerk, 27)
    many = queries()
    assert many == few
    assert metrics.dashboard().submitted == 30
