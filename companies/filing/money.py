"""Amounts of money as the register prints them: grouped by thousands, two decimals
(``MXN 10,000.00``), on pages, in messages, e-mails and the documents alike."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.formats import number_format


def pesos(value: Decimal | int | float | str | None) -> str:
    """``10000`` -> ``10,000.00`` in the current language's separators; "" for no amount. The
    caller writes the currency ("MXN %(amount)s"), so that translations may place it."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return number_format(amount, decimal_pos=2, force_grouping=True)
