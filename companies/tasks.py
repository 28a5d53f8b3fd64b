"""Celery tasks: thin, keyed by primary keys, safe to run twice (late acks redeliver)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery import Task, shared_task
from celery.exceptions import MaxRetriesExceededError
from django.conf import settings
from django.db import OperationalError

from companies import jobs, notifications

MAX_TRIES = 8

logger = logging.getLogger(__name__)


def _backoff(retries: int) -> int:
    return int(min(settings.PROCESSING_RETRY_SECONDS * 2**retries, 1800))


@shared_task(name=jobs.INVITE_FOUNDERS_TO_SIGN)
def invite_founders_to_sign(application_id: int) -> None:
    notifications.invite_founders_to_sign(application_id)


@shared_task(name=jobs.PROCESS_APPLICATION, bind=True, max_retries=MAX_TRIES)
def process_application(self: Task, application_id: int) -> None:
    from companies import registries
    from companies.processing import checks

    try:
        checks.process(application_id)
    except registries.RegistryUnavailable as unavailable:
        try:
            raise self.retry(exc=unavailable, countdown=_backoff(self.request.retries))
        except MaxRetriesExceededError:
            checks.flag_for_attention(application_id)


AFTER_REGISTRATION: dict[str, Any] = {
    "bind": True,
    "max_retries": MAX_TRIES,
    # A database that is busy or failing over for a moment delays the work, never drops it.
    "autoretry_for": (OperationalError,),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
}


PUSH: dict[str, Any] = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
}


@shared_task(name=jobs.AFTER_REGISTRATION, **AFTER_REGISTRATION)
def after_registration(self: Task, application_id: int) -> None:
    """``registration.complete``: an ``issue_document`` message per document still needed."""
    from companies.register import registration

    _until_done(self, application_id, registration.complete)


@shared_task(name=jobs.ISSUE_DOCUMENT, **AFTER_REGISTRATION)
def issue_document(self: Task, application_id: int, kind: str) -> None:
    """``registration.issue``: one document, drawn and sealed by whichever worker is free; what
    still waits (the RFC, the seal) is tried again later, for this document only."""
    from companies.register import registration

    _until_done(self, application_id, lambda pk: registration.issue(pk, kind=kind))


@shared_task(name=jobs.REISSUE_DOCUMENTS, **AFTER_REGISTRATION)
def reissue_documents(self: Task, application_id: int, kinds: list[str], reason: str) -> None:
    """``issuance.reissue``: new versions after a registered change, once per reason; a seal
    that waits (its key, the TSA) is tried again later."""
    from companies.documents import issuance

    _until_done(self, application_id, lambda pk: issuance.reissue_for(pk, kinds, reason))


@shared_task(name=jobs.RFC_AND_DOCUMENTS, **AFTER_REGISTRATION)
def rfc_and_documents(self: Task, application_id: int) -> None:
    """``after_registration`` telling nobody: for companies whose founders are not to hear of
    it (the demo companies of `make run`, registered "in the past")."""
    from companies.register import registration

    _until_done(self, application_id, registration.rfc_and_documents)


def _until_done(task: Task, application_id: int, work: Callable[[int], object]) -> None:
    from companies import registries
    from companies.documents import seal

    try:
        work(application_id)
    except seal.SealUnavailable as missing:
        logger.error("Documents of application %s wait for the seal: %s", application_id, missing)
        raise task.retry(exc=missing, countdown=_backoff(task.request.retries)) from None
    except registries.RegistryUnavailable as waiting:
        raise task.retry(exc=waiting, countdown=_backoff(task.request.retries)) from None


@shared_task(name=jobs.FILE_PIECE, **AFTER_REGISTRATION)
def file_piece(self: Task, application_id: int, connector: str) -> None:
    """``pieces.filing.file``: one agency's procedure; an agency that is down delays its own
    piece only, tried again with backoff."""
    from companies import registries
    from companies.pieces import filing

    try:
        filing.file(application_id, connector)
    except registries.RegistryUnavailable as waiting:
        raise self.retry(exc=waiting, countdown=_backoff(self.request.retries)) from None


@shared_task(name=jobs.DRAW_SIGNING_DOCUMENT, **AFTER_REGISTRATION)
def draw_signing_document(self: Task, application_id: int) -> None:
    """``founder_signing.draw``: the articles the founders sign with their e.firma, once."""
    from companies.documents import founder_signing

    founder_signing.draw(application_id)


@shared_task(name=jobs.TELL_SIGNER)
def tell_signer(application_id: int, session_id: int) -> None:
    notifications.signature_checked(session_id)


@shared_task(name=jobs.TELL_FOUNDERS)
def tell_founders(application_id: int, kind: str, step: str) -> None:
    notifications.tell_founders_by_id(application_id, kind=kind, step=step)


@shared_task(
    name=jobs.PROCESS_FILING, bind=True, max_retries=MAX_TRIES, autoretry_for=(OperationalError,)
)
def process_filing(self: Task, filing_id: int) -> None:
    """A submitted filing on a registered company: registered with no human, or to a clerk."""
    from companies.lifecycle import filings

    filings.process(filing_id)


@shared_task(name=jobs.PUSH_TO_SUBSCRIBER, bind=True, max_retries=None, **PUSH)
def push_to_subscriber(self: Task, subscription_id: int) -> int:
    """``delivery.deliver``: the subscription's changes in order; after a failure, again once
    its wait is over (beat's sweep asks too)."""
    from companies.push import delivery

    run = delivery.deliver(subscription_id)
    if run.retry_in is not None:
        raise self.retry(countdown=run.retry_in)
    return run.delivered


@shared_task(name=jobs.ALERT_NAMED_PEOPLE, **AFTER_REGISTRATION)
def alert_named_people(self: Task, application_id: int) -> None:
    """``identity.alert``: each person named in the application told their CURP is in it."""
    from companies import identity

    identity.alert(application_id)


# -- periodic (beat schedule in portal/celery.py) ----------------------------------------


@shared_task(name=jobs.RELAY_OUTBOX)
def relay_outbox() -> int:
    from companies import outbox

    return outbox.relay_pending()


@shared_task(name=jobs.PURGE_OUTBOX)
def purge_outbox() -> int:
    from datetime import timedelta

    from companies import outbox

    return outbox.purge_sent(keep=timedelta(days=settings.OUTBOX_KEEP_DAYS))


@shared_task(name=jobs.EXPIRE_NAME_RESERVATIONS)
def expire_name_reservations() -> int:
    from companies.filing import reservations

    return reservations.expire_name_reservations()


@shared_task(name=jobs.WATCH_SERVICE_LEVEL)
def watch_service_level() -> None:
    from companies.review import supervision

    supervision.warn_about_service_level()


@shared_task(name=jobs.REDRIVE_STUCK_APPLICATIONS)
def redrive_stuck_applications() -> int:
    from companies.review import supervision

    return supervision.redrive_stuck()


@shared_task(name=jobs.CHECK_WAITING_SIGNATURES)
def check_waiting_signatures() -> int:
    """e.firma signatures that waited for SAT's answer: SAT is asked again; sessions whose
    signature never came back are closed."""
    from companies.documents import founder_signing

    return founder_signing.check_waiting() + founder_signing.expire_sessions()


@shared_task(name=jobs.INGEST_REQUEST_LOG)
def ingest_request_log() -> int:
    """The agency API's spooled request log into its table (also what idle web processes
    left, and what crashed ones did)."""
    from companies.api import spool

    return spool.ingest()


@shared_task(name=jobs.APPLY_DUE_FILINGS)
def apply_due_filings() -> int:
    """Approved filings whose effective date has come, each registered exactly once."""
    from companies.lifecycle import filings

    return filings.apply_due()


@shared_task(name=jobs.PUSH_CHANGES)
def push_changes() -> int:
    """Every subscription that is due and behind is asked for (a lost message, a change not
    written through ``record_change``)."""
    from companies.push import delivery

    return delivery.sweep()
