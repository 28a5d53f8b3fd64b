"""Shared fixtures. Integration and browser tests need real services: where one is missing they
skip with the reason, except under CI=true, where a missing service fails the run."""

from __future__ import annotations

import os

import pytest


def skip_or_fail(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI needs this service: {reason}")
    pytest.skip(reason)


@pytest.fixture
def staff_password() -> str:
    return "correct-horse-battery-staple-42"


@pytest.fixture
def applicant(db):
    from tests.factories import EntrepreneurFactory

    return EntrepreneurFactory()


@pytest.fixture
def other_applicant(db):
    from tests.factories import EntrepreneurFactory

    return EntrepreneurFactory(
        curp="MERC851102HQTNSR00", first_name="Carlos Eduardo", last_name="Mendoza Reséndiz"
    )


@pytest.fixture
def clerk(db):
    from portal import roles
    from tests.factories import UserFactory

    return UserFactory(username="registradora", role=roles.CLERKS, is_staff=True)
