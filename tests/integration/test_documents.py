"""The register's documents on the real stack: each drawn and sealed by a task of its own, the
certificate asked for first, safe to deliver twice, and one whose seal fails waits alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from companies import jobs
from companies.documents import issuance, seal, verification
from companies.models import Application, Company, Document, Notification, OutboxMessage
from portal.celery import app as celery_app
from sandbox.tsa import create_tsa_app, generate_authority
from tests.conftest import free_port
from tests.factories import submitted_for_processing as submit
from tests.workers import wait_until
from xroad_client.emulator import serve_in_thread

KINDS = ["certificate", "articles", "register"]


def documents_of(application: Application) -> list[Document]:
    return list(Document.objects.filter(company__application=application).order_by("issued_at"))


def registered_notices(application: Application) -> list[str]:
    sent = Notification.objects.filter(application=application, kind="registered")
    return sorted(sent.exclude(sent_at=None).values_list("recipient", flat=True))


def test_each_document_is_a_task_of_its_own_and_the_certificate_comes_first(
    stack, applicant_factory
):
    _emulator, worker = stack
    worker()  # one worker: it takes the messages in the order they were sent
    application = submit(applicant_factory())
    assert wait_until(lambda: len(documents_of(application)) == 3, timeout_s=90)
    messages = OutboxMessage.objects.filter(task=jobs.ISSUE_DOCUMENT, args__0=application.pk)
    assert [m.args[1] for m in messages.order_by("pk")] == KINDS
    assert all(m.sent_at is not None for m in messages)
    assert [d.kind for d in documents_of(application)] == KINDS
    certificate = documents_of(application)[0]
    assert certificate.facts["rfc"] == Company.objects.get(application=application).rfc != ""
    check = verification.check_file(issuance.read(certificate))
    assert check.authentic and check.document == certificate
    assert wait_until(lambda: len(registered_notices(application)) == 2)


def test_documents_delivered_again_to_two_workers_at_once_are_issued_once(
    own_broker, stack, applicant_factory
):
    _emulator, worker = stack
    worker(), worker()
    application = submit(applicant_factory())
    assert wait_until(lambda: len(documents_of(application)) == 3, timeout_s=90)
    first = {d.pk: d.sha256 for d in documents_of(application)}
    for _twice in range(2):  # as the broker redelivers a message whose ack was lost
        celery_app.send_task(jobs.AFTER_REGISTRATION, args=[application.pk])
        for kind in KINDS:
            celery_app.send_task(jobs.ISSUE_DOCUMENT, args=[application.pk, kind])
    assert wait_until(lambda: own_broker.in_flight() == 0, timeout_s=60)
    assert {d.pk: d.sha256 for d in documents_of(application)} == first
    assert sorted((d.kind, d.version) for d in documents_of(application)) == [
        ("articles", 1),
        ("certificate", 1),
        ("register", 1),
    ]
    assert len(registered_notices(application)) == 2, "the founders are told once"


class RefusingFirst:
    """An ASGI app that answers its first ``refusals`` POSTs with 503, then hands over to ``app``."""

    def __init__(self, app: ASGIApp, *, refusals: int) -> None:
        self.app, self.refusals = app, refusals

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and self.refusals > 0:
            self.refusals -= 1
            await PlainTextResponse("busy", status_code=503)(scope, receive, send)
            return
        await self.app(scope, receive, send)


@pytest.fixture
def tsa_refusing_once(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A time-stamping authority that turns down the first request it gets; its URL and root."""
    authority = generate_authority()
    (tmp_path / "tsa-ca.pem").write_bytes(authority.ca_pem)
    app = RefusingFirst(create_tsa_app(authority), refusals=1)
    with serve_in_thread(app, port=free_port()) as url:
        yield f"{url}/", str(tmp_path / "tsa-ca.pem")


def test_a_seal_that_fails_delays_only_its_document(
    stack, applicant_factory, tsa_refusing_once, settings
):
    _emulator, worker = stack
    url, root = tsa_refusing_once
    settings.SEAL_TSA_CA_PATH = root  # to read the seals' trusted times here
    worker(SEAL_TSA_URL=url, SEAL_TSA_CA_PATH=root)
    application = submit(applicant_factory())
    # The certificate, first in the queue, meets the refusal and is tried again a second later;
    # the articles and the register do not wait for it.
    assert wait_until(lambda: len(documents_of(application)) == 3, timeout_s=90)
    assert [d.kind for d in documents_of(application)] == ["articles", "register", "certificate"]
    assert all(d.version == 1 for d in documents_of(application))
    for document in documents_of(application):
        check = seal.validate_seal(issuance.read(document))
        assert check.valid and check.timestamped_at is not None
    assert wait_until(lambda: len(registered_notices(application)) == 2)
