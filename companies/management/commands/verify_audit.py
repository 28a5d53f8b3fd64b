from typing import Any

from django.core.management.base import BaseCommand, CommandError

from companies.audit import verify_chain
from companies.models import ApplicationEvent


class Command(BaseCommand):
    help = "Check the hash chain of application events; name the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        broken = verify_chain()
        if broken is not None:
            raise CommandError(
                f"The audit chain is broken at event {broken.event_id}: {broken.problem}."
            )
        self.stdout.write(f"The audit chain is intact ({ApplicationEvent.objects.count()} events).")
