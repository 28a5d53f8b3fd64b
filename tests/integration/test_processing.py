"""Processing on the real stack: PostgreSQL, a Celery worker process on Redis, and the sandbox
registries over HTTP through the X-Road emulator."""

import os
import signal
import time

from django.utils import timezone

from companies.documents import issuance, verification
from companies.models import Application, Company, Document, RegistryCheck
from tests.factories import submitted_for_processing as submit
from tests.workers import wait_until
from xroad_client.emulator import FaultSpec

POPULATION = "MX-DEV/GOV/RENAPO/poblacion/personas"


def status_of(application: Application) -> str:
    return Application.objects.values_list("status", flat=True).get(pk=application.pk)


def test_a_clean_sas_goes_from_submitted_to_registered_with_no_human(stack, applicant_factory):
    _emulator, worker = stack
    worker()
    application = submit(applicant_factory())
    assert wait_until(lambda: status_of(application) == "registered", timeout_s=60)
    company = Company.objects.get(application=application)
    assert company.registration_number.startswith(f"QRO-{timezone.localdate().year}-")
    assert wait_until(lambda: Company.objects.filter(pk=company.pk).exclude(rfc="").exists())
    # The worker draws and seals the documents; a verifier finds them authentic.
    assert wait_until(lambda: company.documents.count() == 3, timeout_s=60)
    certificate = company.documents.get(kind="certificate")
    check = verification.check_file(issuance.read(certificate))
    assert check.authentic and check.document == certificate


def test_a_deceased_founder_lands_in_review_with_the_reason(stack, applicant_factory):
    _emulator, worker = stack
    worker()
    founders = [
        ("RAOA900514MQTMLN01", "Ana Sofía", "Ramírez", "Olvera", "6000", True),
        ("SAGR500127HQTLMB07", "Roberto", "Salinas", "Gómez", "4000", False),
    ]
    application = submit(applicant_factory(), founders=founders)
    assert wait_until(lambda: status_of(application) == "in_review", timeout_s=60)
    application.refresh_from_db()
    assert application.review_reasons == ["A founder is not active in the population registry"]


def test_with_the_population_registry_down_the_application_waits_then_completes(
    stack, applicant_factory
):
    emulator, worker = stack
    emulator.inject_fault(POPULATION, FaultSpec(down=True))
    worker()
    application = submit(applicant_factory())
    assert wait_until(
        lambda: RegistryCheck.objects.filter(
            application=application, result="unavailable"
        ).exists(),
        timeout_s=30,
    )
    assert status_of(application) == "checking"
    emulator.clear_faults()
    assert wait_until(lambda: status_of(application) == "registered", timeout_s=60)


def test_killing_the_worker_mid_check_loses_nothing_and_duplicates_nothing(
    stack, applicant_factory
):
    emulator, worker = stack
    emulator.inject_fault(POPULATION, FaultSpec(latency_ms=1500))
    first = worker()
    application = submit(applicant_factory())
    assert wait_until(lambda: status_of(application) == "checking", timeout_s=30)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    emulator.clear_faults()
    # Redis hands the unacknowledged message out again once its visibility timeout (6 s here)
    # has passed; a worker restores such messages when it starts.
    time.sleep(7)
    worker()
    assert wait_until(lambda: status_of(application) == "registered", timeout_s=90)
    assert Company.objects.filter(application=application).count() == 1
    assert application.events.filter(verb="register").count() == 1
    assert Company.objects.count() == 1
    assert wait_until(lambda: Document.objects.count() == 3, timeout_s=60)
    time.sleep(1)
    assert sorted(Document.objects.values_list("kind", "version")) == [
        ("articles", 1),
        ("certificate", 1),
        ("register", 1),
    ]
