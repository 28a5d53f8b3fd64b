"""The background jobs by name, and the messages that ask for them.

A verb that needs slow work after its commit puts one of these messages in the outbox
(``outbox.enqueue(jobs.process_application(pk))``); the worker runs the task registered under
the same name in ``companies.tasks``. Names live here, once: the tasks take them with
``@shared_task(name=jobs.X)``, and ``tests/companies/test_jobs.py`` checks that every name is a
registered task and that every message's arguments fit its task, so a renamed task fails in a
test, never at run time in the worker. This module imports nothing of the domain: every room may
use it.
"""

from __future__ import annotations

from typing import Any

Message = tuple[str, list[Any]]

PREFIX = "companies.tasks."
INVITE_FOUNDERS_TO_SIGN = PREFIX + "invite_founders_to_sign"
PROCESS_APPLICATION = PREFIX + "process_application"
AFTER_REGISTRATION = PREFIX + "after_registration"
RFC_AND_DOCUMENTS = PREFIX + "rfc_and_documents"
ISSUE_DOCUMENT = PREFIX + "issue_document"
REISSUE_DOCUMENTS = PREFIX + "reissue_documents"
TELL_FOUNDERS = PREFIX + "tell_founders"
RELAY_OUTBOX = PREFIX + "relay_outbox"
PURGE_OUTBOX = PREFIX + "purge_outbox"
EXPIRE_NAME_RESERVATIONS = PREFIX + "expire_name_reservations"
WATCH_SERVICE_LEVEL = PREFIX + "watch_service_level"
REDRIVE_STUCK_APPLICATIONS = PREFIX + "redrive_stuck_applications"
DRAW_SIGNING_DOCUMENT = PREFIX + "draw_signing_document"
CHECK_WAITING_SIGNATURES = PREFIX + "check_waiting_signatures"
TELL_SIGNER = PREFIX + "tell_signer"
INGEST_REQUEST_LOG = PREFIX + "ingest_request_log"
PROCESS_FILING = PREFIX + "process_filing"
APPLY_DUE_FILINGS = PREFIX + "apply_due_filings"
FILE_PIECE = PREFIX + "file_piece"
PUSH_TO_SUBSCRIBER = PREFIX + "push_to_subscriber"
PUSH_CHANGES = PREFIX + "push_changes"
ALERT_NAMED_PEOPLE = PREFIX + "alert_named_people"


def invite_founders_to_sign(application_id: int) -> Message:
    return (INVITE_FOUNDERS_TO_SIGN, [application_id])


def process_application(application_id: int) -> Message:
    return (PROCESS_APPLICATION, [application_id])


def after_registration(application_id: int) -> Message:
    return (AFTER_REGISTRATION, [application_id])


def rfc_and_documents(application_id: int) -> Message:
    return (RFC_AND_DOCUMENTS, [application_id])


def issue_document(application_id: int, kind: str) -> Message:
    """One document of the company registered from this application (``Document.Kind``): each
    kind is a message of its own, so free workers draw and seal a company's documents at once.
    The application's id comes first, as in every message about an application
    (``outbox.withdraw``)."""
    return (ISSUE_DOCUMENT, [application_id, kind])


def reissue_documents(application_id: int, kinds: list[str], reason: str) -> Message:
    """New versions of these kinds of the company registered from this application, for a
    registered change (``issuance.reissue``; ``reason`` is the change's key)."""
    return (REISSUE_DOCUMENTS, [application_id, list(kinds), reason])


def tell_founders(application_id: int, *, kind: str, step: str) -> Message:
    """``step`` tells this notice apart from an earlier one of the same kind (a second round of
    signatures is news again; a redelivered message is not)."""
    return (TELL_FOUNDERS, [application_id, kind, step])


def draw_signing_document(application_id: int) -> Message:
    """The articles PDF of the application's current version, drawn once for the founders to
    sign with their e.firma."""
    return (DRAW_SIGNING_DOCUMENT, [application_id])


def tell_signer(application_id: int, session_id: int) -> Message:
    """The founder whose e.firma signature waited for SAT hears whether it counted."""
    return (TELL_SIGNER, [application_id, session_id])


def process_filing(filing_id: int) -> Message:
    """A submitted filing on a registered company, checked and decided (``lifecycle``)."""
    return (PROCESS_FILING, [filing_id])


def file_piece(application_id: int, connector: str) -> Message:
    """One procedure of the company registered from this application, filed with its agency
    over X-Road (``companies/data/connectors.json`` names the connectors)."""
    return (FILE_PIECE, [application_id, connector])


def push_to_subscriber(subscription_id: int) -> Message:
    """The changes an agency's subscription has not taken yet, sent in order. (Not about an
    application: its first argument is the subscription's id.)"""
    return (PUSH_TO_SUBSCRIBER, [subscription_id])


def alert_named_people(application_id: int) -> Message:
    """Every person named in the application hears that their CURP is in it, once."""
    return (ALERT_NAMED_PEOPLE, [application_id])
