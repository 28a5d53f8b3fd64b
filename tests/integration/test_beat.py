"""Beat on the real stack: what the broker refused at commit reaches a worker once the broker is
back, with nobody doing anything. PostgreSQL, a Celery worker and `celery beat` on a Redis of
the test's own, and the sandbox registries over HTTP through the X-Road emulator."""

import signal
import time

import pytest

from companies import tasks, workflow
from companies.models import Application, OutboxMessage
from tests.factories import EntrepreneurFactory, complete_application, sign_everyone
from tests.workers import wait_until


@pytest.fixture
def stack(own_broker, start_worker, start_beat, sandbox_server, legal_forms):
    _emulator, url = sandbox_server
    worker = start_worker(
        XROAD_SECURITY_SERVER_URL=url, XROAD_TIMEOUT="2", PROCESSING_RETRY_SECONDS="1"
    )
    beat = start_beat(BEAT_RELAY_OUTBOX_SECONDS="1")
    yield own_broker
    # The documents after registration are not this test's: the worker stops at once, as if it
    # crashed (late acks make that safe), rather than finishing them; the fixtures wait for both.
    worker.send_signal(signal.SIGQUIT)
    beat.terminate()


@pytest.fixture
def founders(transactional_db):
    ana = EntrepreneurFactory(curp="RAOA900514MQTMLN01")
    carlos = EntrepreneurFactory(
        curp="MERC851102HQTNSR00", first_name="Carlos Eduardo", last_name="Mendoza Reséndiz"
    )
    return ana, carlos


def status_of(application: Application) -> str:
    return Application.objects.values_list("status", flat=True).get(pk=application.pk)


def test_an_application_submitted_while_the_broker_is_down_is_registered_once_it_is_back(
    stack, founders
):
    broker = stack
    ana, _carlos = founders  # both sign: sign_everyone finds each by their CURP
    application = sign_everyone(complete_application(ana))
    # The e-mails of the signing are sent, and their messages acknowledged.
    assert wait_until(
        lambda: (
            not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
            and broker.in_flight() == 0
        )
    )
    broker.stop()

    started = time.monotonic()
    workflow.submit(application, actor=ana)
    assert time.monotonic() - started < 5, "a broker that is down does not hold the submission"
    processing = OutboxMessage.objects.filter(
        task=tasks.process_application.name, args=[application.pk]
    )
    assert processing.get().sent_at is None and processing.get().attempts == 1
    time.sleep(3)  # beat keeps trying the relay; nothing reaches the worker
    assert status_of(application) == "submitted"
    assert processing.get().sent_at is None

    broker.start()
    assert wait_until(lambda: status_of(application) == "registered", timeout_s=45)
    assert processing.get().sent_at is not None
    assert application.events.filter(verb="register").count() == 1
