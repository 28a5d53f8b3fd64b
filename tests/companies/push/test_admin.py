"""The admin of the agencies' subscriptions: only an agency allowed the feed subscribes, each
subscription shows how far behind it is and why it failed, and a replay starts from a cursor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from companies.models import AgencyAccess, AgencySubscription, OutboxMessage, RegisterChange
from companies.push import lag
from tests.conftest import verified_login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    staff = UserFactory(username="admin", is_staff=True, is_superuser=True)
    return verified_login(client, staff)


def form(**overrides):
    from sandbox.catalogue import SUBSCRIBER

    return {
        "client": "MX-DEV/GOV/SAT/padron",
        "service": SUBSCRIBER.service_id,
        "path": "/v1/cambios",
        "kinds": ["registered", "dissolved"],
        "municipalities": ["014"],
        "active": "on",
        "cursor": "0",
        **overrides,
    }


def test_only_an_agency_allowed_the_change_feed_can_subscribe(admin_client):
    url = reverse("admin:companies_agencysubscription_add")
    refused = admin_client.post(url, form())
    assert refused.status_code == 200 and not AgencySubscription.objects.exists()
    assert "agency access" in refused.content.decode() or "acceso" in refused.content.decode()

    AgencyAccess.objects.create(client="MX-DEV/GOV/SAT/padron", service="cambios")
    assert admin_client.post(url, form(service="not/a/service")).status_code == 200
    assert admin_client.post(url, form()).status_code == 302
    subscription = AgencySubscription.objects.get()
    assert subscription.kinds == ["registered", "dissolved"]
    assert subscription.municipalities == ["014"]


def test_the_list_shows_each_subscriptions_lag_and_failures(
    admin_client, subscription, new_company
):
    new_company(), new_company()
    oldest = RegisterChange.objects.order_by("pk").first()
    RegisterChange.objects.filter(pk=oldest.pk).update(
        created_at=timezone.now() - timedelta(minutes=90)
    )
    AgencySubscription.objects.filter(pk=subscription.pk).update(
        failures=3, last_error="HTTP 503: told to fail"
    )
    subscription.refresh_from_db()
    behind = lag.lag_of(subscription)
    assert behind.behind == 2 and behind.oldest >= timedelta(minutes=90)

    page = admin_client.get(reverse("admin:companies_agencysubscription_changelist"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "1:30:" in text and "HTTP 503: told to fail" in text


def test_a_replay_from_a_cursor_in_the_admin_starts_a_new_round(admin_client, subscription):
    url = reverse("admin:companies_agencysubscription_change", args=[subscription.pk])
    values = form(kinds=[], municipalities=[], cursor="40", replay_from="7")
    assert admin_client.post(url, values).status_code == 302
    subscription.refresh_from_db()
    assert (subscription.cursor, subscription.round) == (7, 2)
    assert OutboxMessage.objects.filter(
        task="companies.tasks.push_to_subscriber", args=[subscription.pk]
    ).exists()
