"""The public statistics page: figures computed from a small history built at known times,
open to anyone, aggregates only, and safe with whatever ``dias`` it is given."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from companies.models import Company
from tests.conftest import verified_login
from tests.factories import T0, History

pytestmark = pytest.mark.django_db

ENGLISH = {"Accept-Language": "en"}
URL = reverse("companies:statistics")


@pytest.fixture
def history(monkeypatch, applicant, clerk, django_capture_on_commit_callbacks):
    """Hours from T0 (09:00 local on day 0, three or four days before now).

    A  approved automatically at 2 h                    clock 2,  wall 2
    B  the clerk approves at 6 h                        clock 6,  wall 6
    C  changes asked at 10 h, resubmitted at 20 h, approved at 40 h (01:00 on day 2):
                                                        clock 30, wall 40: over 24 h
    E  in review since 0 h, claimed by the clerk        open: not counted
    """
    build = History(monkeypatch, applicant)
    with django_capture_on_commit_callbacks(execute=False):
        a = build.in_review(0)
        build.approved(a, 2)
        b = build.in_review(0)
        build.approved(b, 6, clerk=clerk)
        c = build.in_review(0)
        build.decided(c, "request_changes", 10, clerk=clerk)
        build.resubmitted(c, 20)
        build.approved(c, 40, clerk=clerk)
        e = build.in_review(0, clerk=clerk)
    build.done()
    return dict(a=a, b=b, c=c, e=e)


def local_day(offset_days):
    return timezone.localtime(T0).date() + timedelta(days=offset_days)


def test_the_times_are_the_median_and_p95_of_the_registered_companies(client, history):
    figures = client.get(URL + "?dias=7", headers=ENGLISH).context["figures"]
    # clock 2, 6, 30: median 6; p95 at rank 1.9: 6 + 0.9 * 24
    # wall  2, 6, 40: median 6; p95: 6 + 0.9 * 34
    assert figures.registered == 3
    assert figures.durations.clock_median == pytest.approx(6.0)
    assert figures.durations.clock_p95 == pytest.approx(27.6)
    assert figures.durations.wall_median == pytest.approx(6.0)
    assert figures.durations.wall_p95 == pytest.approx(36.6)


def test_the_page_shows_the_times_the_share_within_24_hours_and_automatic_approvals(
    client, history
):
    html = client.get(URL + "?dias=7", headers=ENGLISH).content.decode()
    assert "6.0 h" in html and "27.6 h" in html and "36.6 h" in html
    assert "67% (2 of 3)" in html  # C took 30 h on the clock
    assert "1 of 3 approvals" in html  # A, with no clerk


def test_registrations_are_counted_per_local_day_in_a_chart_and_a_table(client, history):
    response = client.get(URL + "?dias=7", headers=ENGLISH)
    counts = {d.day: d.registered for d in response.context["figures"].days}
    assert len(counts) == 7
    assert [counts[local_day(n)] for n in range(3)] == [2, 0, 1]  # C at 01:00 on day 2
    html = response.content.decode()
    assert html.count("<svg") == 1 and html.count("<rect") == 7
    assert "<desc" in html and "the highest bar is 2" in html
    with translation.override("en"):
        rows = [date_format(local_day(n), "D j M") for n in range(3)]
    for label, count in zip(rows, [2, 0, 1], strict=True):
        assert f'<th scope="row">{label}</th><td>{count}</td>' in html


def test_a_period_counts_only_what_was_registered_in_it(client, history, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: T0 + timedelta(days=8))
    figures = client.get(URL + "?dias=7").context["figures"]
    assert figures.period.first_day == local_day(2)  # A and B were registered on day 0
    assert figures.registered == 1 == sum(d.registered for d in figures.days)
    assert (figures.within_promise, figures.durations.clock_median) == (0, pytest.approx(30.0))


def test_anyone_may_see_the_page_and_their_browser_may_keep_it(client, history):
    response = client.get(URL)
    assert response.status_code == 200
    assert set(response["Cache-Control"].split(", ")) == {"private", "max-age=300"}
    assert "csrftoken" in response.cookies, "why no shared cache may keep it"
    assert "HX-Request" in response["Vary"]


def test_a_signed_in_persons_page_is_kept_by_their_browser_only(client, history, clerk):
    response = verified_login(client, clerk).get(URL)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_no_name_curp_reference_or_clerk_appears(client, history, applicant, clerk):
    html = client.get(URL + "?dias=7", headers=ENGLISH).content.decode()
    people = ["Ana Sofía", "Ramírez", "Carlos Eduardo", "Mendoza", str(applicant), str(clerk)]
    identifiers = ["RAOA900514MQTMLN01", "MERC851102HQTNSR00", clerk.username]
    companies = ["Tortillería", *Company.objects.values_list("registration_number", flat=True)]
    references = [a.reference for a in history.values()]
    leaked = [s for s in people + identifiers + companies + references if s in html]
    assert leaked == []
    assert "Automatic" not in html  # how ``metrics`` names a decision, not shown here


@pytest.mark.parametrize("dias", ["1000", "abc", "", "-7", "7.0", "30%00"])
def test_an_unknown_period_falls_back_to_30_days(client, dias):
    response = client.get(URL, {"dias": dias})
    assert response.status_code == 200
    assert response.context["figures"].period.days == 30
    assert current_period(response.content.decode()) == "30"


@pytest.mark.parametrize("days", [7, 30, 90])
def test_each_period_is_marked_and_draws_one_bar_per_day(client, history, days):
    response = client.get(URL, {"dias": str(days)})
    assert response.context["figures"].period.days == days
    assert current_period(response.content.decode()) == str(days)
    assert response.content.decode().count("<rect") == days


def current_period(html: str) -> str | None:
    chosen = re.search(r'<a href="[^"]*\?dias=(\d+)"[^>]*aria-current="page"', html)
    return chosen[1] if chosen else None


def test_an_empty_period_says_so_instead_of_showing_zeros(
    client, monkeypatch, applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        History(monkeypatch, applicant).in_review(0)  # submitted, never registered
    monkeypatch.undo()
    html = client.get(URL, headers=ENGLISH).content.decode()
    assert "No company was registered in this period" in html
    assert "<svg" not in html and " h</td>" not in html and "% (" not in html


def test_htmx_gets_only_the_figures(client, history):
    fragment = client.get(URL + "?dias=90", headers={"HX-Request": "true"})
    html = fragment.content.decode().strip()
    assert html.startswith('<div id="statistics-figures"') and "<html" not in html
    assert html.count("<rect") == 90
    assert "private" in fragment["Cache-Control"]


def test_posting_is_not_allowed(client):
    assert client.post(URL).status_code == 405


def test_the_site_navigation_links_to_the_page(client):
    html = client.get(reverse("companies:register_search"), headers=ENGLISH).content.decode()
    assert f'<a href="{URL}">Statistics</a>' in html


def test_queries_do_not_grow_with_the_number_of_registrations(
    client, monkeypatch, applicant, django_capture_on_commit_callbacks
):
    build = History(monkeypatch, applicant)

    def register(count: int) -> int:
        with django_capture_on_commit_callbacks(execute=False):
            for n in range(count):
                build.approved(build.in_review(n), n + 1)
        build.done()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    assert register(2) == register(10)


@pytest.mark.parametrize(
    ("hours", "shown"),
    [(None, "—"), (0.001, "menos de un minuto"), (0.25, "15 min"), (2.04, "2.0 h")],
)
def test_times_under_an_hour_are_shown_in_minutes(hours, shown):
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("es-mx"):
        html = render_to_string("companies/supervisor/_hours.html", {"hours": hours})
    assert html.strip() == shown
