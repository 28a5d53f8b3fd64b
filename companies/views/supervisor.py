"""The supervisor's dashboard: how the 24-hour promise is kept, the figures as CSV, and
reassignment (each form posts to the review's own ``reassign`` action)."""

from __future__ import annotations

import csv
from datetime import datetime

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from companies.review import metrics
from companies.review.charts import bar_chart
from portal import roles
from portal.htmx import fragment_or_page
from portal.requests import SignedInRequest
from portal.security import staff_view


@staff_view("portal.supervise_review")
@require_GET
def dashboard(request: SignedInRequest) -> HttpResponse:
    figures = metrics.dashboard(_days(request))
    context = {
        "figures": figures,
        "periods": metrics.PERIODS,
        "charts": [
            bar_chart(
                "submitted",
                title=_("Applications submitted per day"),
                series=[(d.day, d.submitted) for d in figures.days],
            ),
            bar_chart(
                "registered",
                title=_("Companies registered per day"),
                series=[(d.day, d.registered) for d in figures.days],
            ),
        ],
        "clerks": list(roles.clerks()) if figures.assigned else [],
    }
    return fragment_or_page(request, "companies/supervisor/dashboard.html", "figures", context)


@staff_view("portal.supervise_review")
@require_GET
def export_csv(request: SignedInRequest) -> HttpResponse:
    """One line per application of the period, UTF-8 with a BOM so that Excel reads accents."""
    span = metrics.period(_days(request))
    name = f"empresa24-supervision-{span.first_day}-{span.last_day}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(_csv_header())
    writer.writerows(_csv_line(row) for row in metrics.application_rows(span))
    return response


def _csv_header() -> list[str]:
    zone = timezone.localtime().tzname()  # the times below are local: say whose ("CST")
    return [
        _("Reference"),
        _("Legal form"),
        _("Status"),
        _("First submitted on (%(zone)s)") % {"zone": zone},
        _("Registered on (%(zone)s)") % {"zone": zone},
        _("Hours on the clock"),
        _("Hours, wall time"),
        _("Over 24 hours"),
        _("Decided by"),
    ]


def _csv_line(row: metrics.ApplicationRow) -> list[str]:
    return [
        row.reference,
        _cell(row.legal_form),
        row.status_label,
        _local(row.first_submitted_at),
        _local(row.registered_at),
        _number(row.clock_hours),
        _number(row.wall_hours),
        _("yes") if row.breached else _("no"),
        _cell(row.decided_by),
    ]


def _days(request: SignedInRequest) -> int:
    raw = request.GET.get("days", "")
    return int(raw) if raw in {str(d) for d in metrics.PERIODS} else metrics.DEFAULT_DAYS


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _number(hours: float | None) -> str:
    return "" if hours is None else f"{hours:.1f}"


def _cell(text: str) -> str:
    """Text a spreadsheet would take for a formula is written as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
