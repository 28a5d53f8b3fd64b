"""The pieces after registration on the real stack: a worker killed while an agency is filing a
piece, and the piece filed again by the next worker under the same request id, once."""

from __future__ import annotations

import os
import signal
import time

from django.db import transaction

from companies import jobs, outbox
from companies.models import Company, Piece
from companies.pieces import filing
from sandbox.world import provider_app
from tests.factories import complete_application, registered_company
from tests.workers import wait_until

SIGER = "MX-DEV/GOV/SE/siger/inscripciones"


def test_a_worker_killed_mid_filing_is_retried_and_the_piece_is_filed_exactly_once(
    stack, applicant_factory
):
    emulator, worker = stack
    agency = provider_app(emulator, SIGER).state.agency
    earlier = set(agency.filings)  # the sandbox lives for the session; numbers repeat per test
    application = complete_application(applicant_factory())
    registered_company(application, rfc="TES261126AB1")
    company = Company.objects.get(application=application)
    (piece,) = [p for p in filing.open_pieces(company) if p.connector == "siger"]
    request_id = str(piece.request_id)
    agency.answer_delay_s = 30.0  # the agency records the filing, then keeps its answer back
    try:
        first = worker()
        with transaction.atomic():
            outbox.enqueue(jobs.file_piece(application.pk, "siger"))
        assert wait_until(lambda: request_id in agency.filings, timeout_s=30)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    finally:
        agency.answer_delay_s = 0.0
    # Redis hands the unacknowledged message out again once its visibility timeout (6 s here)
    # has passed; a worker restores such messages when it starts.
    time.sleep(7)
    worker()
    assert wait_until(
        lambda: Piece.objects.filter(pk=piece.pk, state="answered").exists(), timeout_s=60
    )
    piece.refresh_from_db()
    assert piece.attempts >= 2, "filed again after the kill"
    assert agency.filings[request_id].received >= 2
    filed = [
        f
        for request, f in agency.filings.items()
        if request not in earlier and f.registration_number == company.registration_number
    ]
    assert len(filed) == 1, "one inscription for the company"
    assert piece.number == filed[0].answer.number
    assert company.pieces.count() == 2  # SIGER and Querétaro's licence, each once
