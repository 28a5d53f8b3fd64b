"""``{{ amount|money }}``: an amount of money as the documents print it (see companies.filing.money)."""

from __future__ import annotations

from django import template

from companies.filing.money import pesos

register = template.Library()
register.filter("money", pesos)
