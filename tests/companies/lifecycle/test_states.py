"""The register's dated states: the backfill of companies registered before them, and what the
database itself holds (one pending filing per company)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone

from companies.models import CompanyFiling, CompanyState
from companies.register import states
from tests.factories import start_filing

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("companies.migrations.0021_company_filings")


def test_the_backfill_gives_an_earlier_company_the_state_its_register_shows(
    registered_company,
):
    written = states.current(registered_company.pk).data
    CompanyState.objects.filter(company=registered_company).delete()
    MIGRATION.backfill_states(apps, None)
    [state] = CompanyState.objects.filter(company=registered_company)
    assert state.valid_from == timezone.localdate(registered_company.registered_at)
    assert state.filing is None
    assert state.data == written  # the migration's copy builds what registration writes
    MIGRATION.backfill_states(apps, None)
    assert CompanyState.objects.filter(company=registered_company).count() == 1


def test_the_database_holds_one_pending_filing_per_company(registered_company, applicant):
    first = start_filing(registered_company, applicant)
    with pytest.raises(IntegrityError), transaction.atomic():
        CompanyFiling.objects.create(
            company=registered_company,
            type=first.type,
            payload=first.payload,
            filer=applicant,
            effective_on=first.effective_on,
            status="approved",
        )
