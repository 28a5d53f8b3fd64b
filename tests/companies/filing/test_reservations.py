import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from companies.filing.names import Outcome
from companies.filing.reservations import NameNotAvailable, expire_name_reservations, reserve_name
from companies.models import NameReservation
from tests.conftest import skip_or_fail


@pytest.fixture
def ana(django_user_model):
    return django_user_model.objects.create_user("ana")


@pytest.fixture
def luis(django_user_model):
    return django_user_model.objects.create_user("luis")


@pytest.mark.django_db
def test_reservation_lasts_180_days(ana):
    reservation = reserve_name(holder=ana, name="Café Peñamiller S.A.S.")
    assert reservation.normalised_name == "CAFE PENAMILLER"
    assert reservation.expires_at - reservation.created_at == pytest.approx(
        timedelta(days=180), abs=timedelta(seconds=5)
    )


@pytest.mark.django_db
def test_reserving_again_returns_the_same_reservation(ana):
    first = reserve_name(holder=ana, name="Café Peñamiller")
    assert reserve_name(holder=ana, name="CAFE PEÑAMILLER S.A.S.") == first
    assert NameReservation.objects.count() == 1


@pytest.mark.django_db
def test_a_name_reserved_by_someone_else_is_taken(ana, luis):
    reserve_name(holder=ana, name="Café Peñamiller")
    with pytest.raises(NameNotAvailable) as refused:
        reserve_name(holder=luis, name="Peñamiller Café")
    assert refused.value.verdict.outcome == Outcome.TAKEN
    assert refused.value.verdict.resemblances[0].name == "Café Peñamiller"


@pytest.mark.django_db
def test_an_expired_reservation_frees_the_name(ana, luis):
    old = reserve_name(holder=ana, name="Café Peñamiller", now=timezone.now() - timedelta(days=181))
    fresh = reserve_name(holder=luis, name="Café Peñamiller")
    old.refresh_from_db()
    assert old.status == NameReservation.Status.EXPIRED
    assert fresh.holder == luis


@pytest.mark.django_db
def test_periodic_expiry_marks_only_reservations_past_their_date(ana):
    reserve_name(holder=ana, name="Nombre Viejo", now=timezone.now() - timedelta(days=200))
    reserve_name(holder=ana, name="Nombre Nuevo")
    assert expire_name_reservations() == 1
    active = NameReservation.objects.filter(status="active").values_list("name", flat=True)
    assert list(active) == ["Nombre Nuevo"]


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_reservations_of_one_name_have_exactly_one_winner(django_user_model):
    if connection.vendor != "postgresql":
        skip_or_fail(
            "the reservation race is tested on PostgreSQL: set DATABASE_URL=postgres://..."
        )
    people = [django_user_model.objects.create_user(f"person{i}") for i in range(20)]
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []

    def attempt(person):
        try:
            barrier.wait()
            reserve_name(holder=person, name="Tortillería La Esperanza")
            outcomes.append("won")
        except NameNotAvailable:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 19 + ["won"]
    assert NameReservation.objects.filter(status="active").count() == 1
