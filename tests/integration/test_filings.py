"""An effective-dated filing applied by a real worker on the real broker: exactly once, even
when the worker is killed with SIGKILL while it applies it."""

import os
import signal
import time
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from companies import jobs
from companies.lifecycle import filings
from companies.models import Company, CompanyFiling
from portal.celery import app as celery_app
from tests import factories
from tests.workers import wait_until


def status_of(filing: CompanyFiling) -> str:
    return CompanyFiling.objects.values_list("status", flat=True).get(pk=filing.pk)


def waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        # The statistics views are read once per transaction unless the snapshot is dropped.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


def test_a_killed_worker_applies_an_effective_dated_filing_once(
    start_worker, legal_forms, applicant_factory
):
    applicant = applicant_factory()
    company = factories.registered_company(factories.complete_application(applicant))
    later = timezone.localdate() + timedelta(days=2)
    filing = factories.submitted_filing(company, applicant, effective_on=later)
    filing = filings.process(filing.pk)
    assert filing.status == "approved"
    # The day comes.
    CompanyFiling.objects.filter(pk=filing.pk).update(effective_on=timezone.localdate())
    # Only the task under test: not the registration's documents (which ask registries that are
    # not running here, and take the company's row too), nor the filing's own processing.
    celery_app.control.purge()
    first = start_worker(CELERY_VISIBILITY_TIMEOUT="6")
    with transaction.atomic():
        # The company's row is held here, so the worker is caught in the middle of applying.
        Company.objects.select_for_update().get(pk=company.pk)
        celery_app.send_task(jobs.APPLY_DUE_FILINGS)
        assert wait_until(waiting_for_a_lock, timeout_s=30)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    assert status_of(filing) == "approved"
    # Redis hands the unacknowledged message out again after its visibility timeout (6 s); a
    # worker restores such messages when it starts. Beat's next run would find it too.
    time.sleep(7)
    start_worker(CELERY_VISIBILITY_TIMEOUT="6")
    assert wait_until(lambda: status_of(filing) == "registered", timeout_s=60)
    celery_app.send_task(jobs.APPLY_DUE_FILINGS)  # a second delivery, as beat's next run
    time.sleep(3)
    assert filing.events.filter(verb="register").count() == 1
    assert company.states.count() == 2
    assert company.changes.filter(kind="updated").count() == 1
