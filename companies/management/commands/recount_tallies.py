from typing import Any

from django.core.management.base import BaseCommand

from companies import counters
from companies.models import ApplicationTally, DailyTally


class Command(BaseCommand):
    help = (
        "Count again, from the applications, the running tallies the queue, the dashboard and "
        "the statistics read (after data written outside the workflow, or a change of TIME_ZONE)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counters.recount()
        self.stdout.write(
            f"Recounted: {ApplicationTally.objects.count()} application tallies, "
            f"{DailyTally.objects.count()} days."
        )
