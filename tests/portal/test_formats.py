"""Dates as Spanish writes them (months and weekdays in lowercase), times with their zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from companies.review.charts import bar_chart

# 14:05 in Querétaro (America/Mexico_City, UTC−6 all year since 2022).
MOMENT = datetime(2026, 12, 2, 20, 5, tzinfo=UTC)
DAY = date(2026, 12, 2)


@pytest.fixture
def spanish():
    with translation.override("es-mx"):
        yield


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_spanish_dates_write_the_month_in_lowercase(spanish):
    assert date_format(DAY, "DATE_FORMAT") == "2 de diciembre de 2026"
    assert date_format(date(2026, 5, 1), "DATE_FORMAT") == "1 de mayo de 2026"
    assert date_format(DAY, "YEAR_MONTH_FORMAT") == "diciembre de 2026"


def test_spanish_day_labels_write_weekday_and_month_in_lowercase(spanish):
    assert date_format(DAY, translation.gettext("D j M")) == "mié 2 dic"
    assert date_format(DAY, "l") == "miércoles"
    chart = bar_chart("x", title="x", series=[(DAY, 1)])
    assert chart.bars[0].label == "2 dic"


def test_english_dates_are_day_month_year(english):
    assert date_format(DAY, "DATE_FORMAT") == "2 December 2026"
    assert date_format(DAY, translation.gettext("D j M")) == "Wed 2 Dec"
    assert bar_chart("x", title="x", series=[(DAY, 1)]).bars[0].label == "2 Dec"


@pytest.mark.parametrize(
    ("language", "format_name", "expected"),
    [
        ("es-mx", "DATETIME_FORMAT", "2 de diciembre de 2026 a las 14:05 CST"),
        ("es-mx", "SHORT_DATETIME_FORMAT", "02/12/2026 14:05 CST"),
        ("en", "DATETIME_FORMAT", "2 December 2026, 14:05 CST"),
        ("en", "SHORT_DATETIME_FORMAT", "2 Dec 2026, 14:05 CST"),
    ],
)
def test_every_time_of_day_carries_its_zone(language, format_name, expected):
    with translation.override(language):
        assert date_format(timezone.localtime(MOMENT), format_name) == expected
