from django.db import transaction

from portal import tasks
from portal.models import WorkerHeartbeat
from tests.workers import wait_until


def test_task_enqueued_in_a_committed_transaction_runs_on_a_real_worker(celery_worker):
    with transaction.atomic():
        tasks.record_heartbeat.delay_on_commit("integration")
        assert not WorkerHeartbeat.objects.filter(source="integration").exists()
    assert wait_until(lambda: WorkerHeartbeat.objects.filter(source="integration").exists())
    assert WorkerHeartbeat.objects.get(source="integration").runs == 1


def test_task_in_a_rolled_back_transaction_never_runs(celery_worker):
    try:
        with transaction.atomic():
            tasks.record_heartbeat.delay_on_commit("rolled-back")
            raise LookupError
    except LookupError:
        pass
    tasks.record_heartbeat.delay("after-rollback")
    assert wait_until(lambda: WorkerHeartbeat.objects.filter(source="after-rollback").exists())
    assert not WorkerHeartbeat.objects.filter(source="rolled-back").exists()
