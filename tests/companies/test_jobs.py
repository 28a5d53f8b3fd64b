"""The outbox's messages name tasks the worker has, with arguments those tasks take: a renamed
task or a changed signature fails here, not in the worker at run time."""

from __future__ import annotations

import inspect

import pytest

from companies import jobs, tasks
from portal.celery import app

NAMES = [value for name, value in vars(jobs).items() if name.isupper() and name != "PREFIX"]
MESSAGES = [
    jobs.invite_founders_to_sign(7),
    jobs.process_application(7),
    jobs.after_registration(7),
    jobs.rfc_and_documents(7),
    jobs.issue_document(7, "certificate"),
    jobs.reissue_documents(7, ["certificate", "articles"], "filing-3"),
    jobs.tell_founders(7, kind="submitted", step="submission:1"),
    jobs.process_filing(7),
    jobs.file_piece(7, "siger"),
    jobs.push_to_subscriber(7),
    jobs.alert_named_people(7),
]


@pytest.mark.parametrize("name", NAMES)
def test_every_job_name_is_a_task_the_worker_has(name):
    assert name in app.tasks, f"{name} is not registered"
    assert app.tasks[name].__module__ == tasks.__name__


def test_every_task_of_the_domain_has_its_name_in_jobs():
    registered = {n for n in app.tasks if n.startswith(jobs.PREFIX)}
    assert registered == set(NAMES)


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: m[0])
def test_each_message_fits_the_signature_of_its_task(message):
    name, args = message
    task = app.tasks[name]
    inspect.signature(task.run).bind(*args)  # raises TypeError when they do not fit


def test_a_message_of_the_wrong_shape_is_caught():
    with pytest.raises(TypeError):
        inspect.signature(app.tasks[jobs.TELL_FOUNDERS].run).bind(7)
