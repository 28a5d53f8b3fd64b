"""The articles of association: the legal form's standard clauses with the chosen options.

Kept as structured data on the application (``Application.articles``); this module turns that
data into the clauses people read, in their language, for the preview and the documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from companies.filing.money import pesos
from companies.models import Application, LegalForm

# What ``Application.articles`` keeps: the wizard's articles form writes these options, no other.
OPTIONS = ("duration", "duration_years", "foreigners", "share_transfer", "fiscal_year")


@dataclass(frozen=True)
class Clause:
    title: str
    text: str


def clauses(
    application: Application,
    options: dict[str, Any],
    *,
    municipality: str | None = None,
    administrators: list[str] | None = None,
) -> list[Clause]:
    """The clauses of the articles; a registered company's re-issued articles give the office's
    ``municipality`` (its name) and the ``administrators`` the register states now."""
    form = application.legal_form
    form_name = form.name if form else ""
    abbreviation = form.abbreviation if form else ""
    return [
        Clause(
            _("Name"),
            _(
                "The company is called “%(name)s”, followed by the words “%(form)s” or their abbreviation “%(abbr)s”."
            )
            % {"name": application.proposed_name or "…", "form": form_name, "abbr": abbreviation},
        ),
        Clause(
            _("Registered office"),
            _("The registered office is in the municipality of %(municipality)s, Querétaro.")
            % {"municipality": municipality or application.get_municipality_display() or "…"},
        ),
        Clause(_("Purpose"), application.purpose or "…"),
        Clause(_("Duration"), _duration(options)),
        Clause(_("Share capital"), _capital(application)),
        Clause(_("Foreign shareholders"), _foreigners(options)),
        Clause(_("Transfer of shares"), _transfer(options)),
        Clause(_("Administration"), _administration(application, administrators)),
        Clause(_("Fiscal year"), _("The fiscal year runs from 1 January to 31 December.")),
        *_limits(application),
        Clause(
            _("Profits, losses and dissolution"),
            _(
                "Profits and losses are shared in proportion to each founder's contribution. Dissolution and liquidation follow the General Law of Commercial Companies."
            ),
        ),
    ]


def _capital(application: Application) -> str:
    capital = application.capital
    text = _(
        "The share capital is MXN %(capital)s, fully subscribed by the founders in the amounts listed in the application."
    ) % {"capital": pesos(capital) if capital is not None else "…"}
    form = application.legal_form
    if form is None or capital is None:
        return text
    if form.capital_unit == LegalForm.CapitalUnit.PARTS:
        return (
            text
            + " "
            + _("Each partner holds one partnership part, of the value of their contribution.")
        )
    value = application.share_value
    if value > 0 and capital % value == 0:
        return (
            text
            + " "
            + _(
                "It is represented by %(shares)s registered shares with a nominal value of MXN %(value)s each."
            )
            % {
                "shares": number_format(capital // value, force_grouping=True),
                "value": pesos(value),
            }
        )
    return text


def _limits(application: Application) -> list[Clause]:
    """The S.A.S.'s own limits (LGSM art. 260): a yearly revenue cap, kept as data on the legal
    form because it is re-indexed every January, and no control of another kind of company."""
    form = application.legal_form
    if form is None or form.revenue_cap is None:
        return []
    return [
        Clause(
            _("Limits of the simplified company"),
            _(
                "The company's total yearly revenue may not exceed MXN %(cap)s, an amount updated every January; if it does, the company must change to another legal form. No shareholder may at the same time control a company of another legal form."
            )
            % {"cap": pesos(form.revenue_cap)},
        )
    ]


def _duration(options: dict[str, Any]) -> str:
    if options.get("duration") == "fixed" and options.get("duration_years"):
        return _("The company will exist for %(years)s years.") % {
            "years": options["duration_years"]
        }
    return _("The company's duration is indefinite.")


def _foreigners(options: dict[str, Any]) -> str:
    if options.get("foreigners") == "exclusion":
        return _(
            "No foreign person may be a shareholder, directly or indirectly (exclusion of foreigners clause)."
        )
    return _(
        "Foreign persons may be shareholders; they agree to be treated as Mexican nationals regarding their shares and not to invoke the protection of their governments (admission of foreigners clause)."
    )


def _transfer(options: dict[str, Any]) -> str:
    choice = options.get("share_transfer")
    if choice == "free":
        return _("Shares can be transferred freely.")
    if choice == "consent":
        return _("Shares can be transferred only with the consent of the shareholders' meeting.")
    return _(
        "Before selling to someone else, a shareholder must offer the shares to the other shareholders, who have the first right to buy them."
    )


def _administration(application: Application, administrators: list[str] | None) -> str:
    if administrators is None:
        administrators = [str(f) for f in application.founders.all() if f.is_administrator]
    names = ", ".join(administrators) or "…"
    if len(administrators) > 1:
        text = _("The company is managed by a board formed by %(names)s.") % {"names": names}
    else:
        text = _("The company is managed by a sole administrator, %(names)s.") % {"names": names}
    if application.legal_form and application.legal_form.requires_comisario:
        text += " " + _("%(name)s is the comisario, who oversees the administration.") % {
            "name": application.comisario_name or "…"
        }
    return text
