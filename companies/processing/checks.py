"""What happens after submission: every registry check, then the decision.

A clean S.A.S. (every check clean, the name clear) is approved and registered with no human;
everything else goes to the clerks' queue with its reasons. A registry that does not answer is
never held against anyone: the task tries again later (``registries.RegistryUnavailable``) and, after its
last try, flags the application for a person to look at.
"""

from __future__ import annotations

import contextvars
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_noop

from companies import registries, workflow
from companies.filing import payments, read, rules
from companies.models import Application, ApplicationStatus, RegistryCheck
from companies.models.outcomes import CheckOutcome
from companies.processing import deeds
from companies.register import registration, search

Kind = RegistryCheck.Kind
Result = RegistryCheck.Result


@dataclass(frozen=True)
class Planned:
    kind: str
    subject: str


@dataclass(frozen=True, kw_only=True)
class CheckResult:
    """What one check found, before it is stored as a ``RegistryCheck`` (``_save``)."""

    result: str  # RegistryCheck.Result
    outcome: str
    detail: dict[str, object] = field(default_factory=dict)
    x_road_id: str = ""


def plan(application: Application) -> list[Planned]:
    """The checks of a submission, each once. A company founder's person check is the CURP of
    who signs on its behalf, and its tax check the company's RFC; the S.A.S. control check
    concerns natural persons only."""
    founders = list(application.founders.all())
    planned = [Planned(Kind.PERSON, f.curp) for f in founders]
    planned += [Planned(Kind.TAXPAYER, f.rfc) for f in founders if f.rfc]
    if application.legal_form and application.legal_form.notary_required:
        notary = f"{application.notary_state}/{application.notary_number}"
        planned.append(Planned(Kind.NOTARY, notary))
        planned.append(Planned(Kind.DEED, f"{notary}/{application.deed_number}"))
    if application.legal_form and application.legal_form.code == "sas":
        planned += [Planned(Kind.CONTROL, f.curp) for f in founders if not f.is_company]
    planned.append(Planned(Kind.PAYMENT, application.reference))
    planned.append(Planned(Kind.NAME, application.normalised_name))
    return list(dict.fromkeys(planned))  # one person may found and also sign for a company


def process(application_id: int) -> Application:
    application = Application.objects.select_related("legal_form").get(pk=application_id)
    if application.status == ApplicationStatus.SUBMITTED:
        application = workflow.start_checks(application)
    if application.status != ApplicationStatus.CHECKING:
        return application  # already decided: a redelivered task does nothing
    checks = run_checks(application)
    if any(c.result == Result.UNAVAILABLE for c in checks):
        raise registries.RegistryUnavailable(application.reference)
    return decide(application, checks)


def run_checks(application: Application) -> list[RegistryCheck]:
    """Every planned check of this submission, the registry calls concurrently; checks already
    clean or negative in this round are kept (a redelivered task repeats only what failed)."""
    assert application.submitted_at is not None
    done = {
        (c.kind, c.subject): c
        for c in application.checks.filter(round=application.submitted_at).exclude(
            result=Result.UNAVAILABLE
        )
    }
    planned = plan(application)
    todo = [p for p in planned if (p.kind, p.subject) not in done]
    answers = _ask_registries(application, [p for p in todo if p.kind in CONCURRENT])
    for item in todo:
        answer = answers.get(item) or CHECKERS[Kind(item.kind)](application, item.subject)
        done[(item.kind, item.subject)] = _save(application, item, answer)
    return [done[(p.kind, p.subject)] for p in planned]


def _ask_registries(application: Application, calls: list[Planned]) -> dict[Planned, CheckResult]:
    """The registry calls of several checks at once: threads do HTTP only, never the database."""
    if not calls:
        return {}
    workers = min(8, len(calls))
    with registries.exchanges_collected(), ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {
            item: pool.submit(
                contextvars.copy_context().run, CHECKERS[Kind(item.kind)], application, item.subject
            )
            for item in calls
        }
        return {item: future.result() for item, future in futures.items()}


def _save(application: Application, planned: Planned, answer: CheckResult) -> RegistryCheck:
    check, _created = RegistryCheck.objects.update_or_create(
        application=application,
        round=application.submitted_at,
        kind=planned.kind,
        subject=planned.subject,
        defaults={
            "result": answer.result,
            "outcome": answer.outcome,
            "detail": answer.detail,
            "x_road_id": answer.x_road_id,
        },
    )
    return check


def _unavailable(answer: registries.Answer) -> CheckResult:
    return CheckResult(
        result=Result.UNAVAILABLE, outcome=answer.outcome.value, x_road_id=answer.x_road_id
    )


def _from_answer(answer: registries.Answer, clean: set[registries.Outcome]) -> CheckResult:
    if not answer.available:
        return _unavailable(answer)
    return CheckResult(
        result=Result.CLEAN if answer.outcome in clean else Result.NEGATIVE,
        outcome=answer.outcome.value,
        detail=answer.record,
        x_road_id=answer.x_road_id,
    )


def _check_person(application: Application, curp: str) -> CheckResult:
    answer = registries.check_person(curp, application=application)
    return _from_answer(answer, {registries.Outcome.ACTIVE})


def _check_taxpayer(application: Application, rfc: str) -> CheckResult:
    answer = registries.check_taxpayer(rfc, application=application)
    if not answer.available:
        return _unavailable(answer)
    standing = registries.taxpayer_standing(answer)
    return CheckResult(
        result=Result.CLEAN if standing == registries.Outcome.ACTIVE else Result.NEGATIVE,
        outcome=standing,
        detail=answer.record,
        x_road_id=answer.x_road_id,
    )


def _check_notary(application: Application, subject: str) -> CheckResult:
    answer = registries.check_notary(
        application.notary_state, number=application.notary_number or 0, application=application
    )
    return _from_answer(answer, {registries.Outcome.ACTIVE})


def _check_deed(application: Application, subject: str) -> CheckResult:
    """The deed must be this company's incorporation: each difference from the application is
    a mismatch, kept with both sides as the evidence. Not among the concurrent checks: the
    comparison reads the founders and the name reservation from the database."""
    answer = registries.find_deed(
        application.notary_state,
        notary=application.notary_number or 0,
        deed=application.deed_number or 0,
        application=application,
    )
    if not answer.available:
        return _unavailable(answer)
    deed = registries.deed_from(answer) if answer.outcome == registries.Outcome.FOUND else None
    filed = deeds.filed(application, name_reserved_on=read.name_reserved_on(application))
    found = deeds.mismatches(deed, filed, today=timezone.localdate())
    detail = deeds.evidence(answer.record, deed, filed, found)
    if deed is None:
        result, outcome = Result.NEGATIVE, CheckOutcome.DEED_NOT_FOUND
    elif found:
        result, outcome = Result.NEGATIVE, CheckOutcome.DEED_DIFFERS
    else:
        result, outcome = Result.CLEAN, CheckOutcome.DEED_MATCHES
    return CheckResult(result=result, outcome=outcome, detail=detail, x_road_id=answer.x_road_id)


def _check_payment(application: Application, subject: str) -> CheckResult:
    if not payments.fee_due(application):
        return CheckResult(result=Result.CLEAN, outcome=CheckOutcome.NO_FEE)
    payment = application.payments.first()
    if payment is None:
        return CheckResult(result=Result.NEGATIVE, outcome=CheckOutcome.UNPAID)
    outcome = payments.check_payment(payment)
    detail: dict[str, object] = {"reference": payment.reference}
    if outcome == registries.Outcome.UNAVAILABLE:  # no answer: ask again later
        return CheckResult(
            result=Result.UNAVAILABLE, outcome=CheckOutcome.UNAVAILABLE, detail=detail
        )
    if outcome == registries.Outcome.PAID:
        return CheckResult(
            result=Result.CLEAN,
            outcome=CheckOutcome.PAID,
            detail=detail,
            x_road_id=payment.confirmed_x_road_id,
        )
    return CheckResult(result=Result.NEGATIVE, outcome=outcome.value, detail=detail)


def _check_name(application: Application, subject: str) -> CheckResult:
    verdict = application.name_verdict or {}
    clear = verdict.get("outcome") == CheckOutcome.CLEAR
    return CheckResult(
        result=Result.CLEAN if clear else Result.NEGATIVE,
        outcome=verdict.get("outcome", CheckOutcome.UNKNOWN),
        detail=verdict,
    )


def _check_control(application: Application, curp: str) -> CheckResult:
    """Our own register: an S.A.S. founder who controls a company of another legal form."""
    controlled = search.companies_controlled_by(curp, excluding_application=application.pk)
    if controlled:
        numbers = [c.registration_number for c in controlled]
        return CheckResult(
            result=Result.NEGATIVE,
            outcome=CheckOutcome.CONTROLS_OTHER,
            detail={"companies": numbers},
        )
    return CheckResult(result=Result.CLEAN, outcome=CheckOutcome.CONTROLS_NONE)


CHECKERS = {
    Kind.PERSON: _check_person,
    Kind.TAXPAYER: _check_taxpayer,
    Kind.NOTARY: _check_notary,
    Kind.DEED: _check_deed,
    Kind.PAYMENT: _check_payment,
    Kind.NAME: _check_name,
    Kind.CONTROL: _check_control,
}

CONCURRENT = {Kind.PERSON, Kind.TAXPAYER, Kind.NOTARY}  # network only, no database work

REASONS = {
    Kind.PERSON: gettext_noop("A founder is not active in the population registry"),
    Kind.TAXPAYER: gettext_noop(
        "A founder's RFC is not active or has a negative compliance opinion"
    ),
    Kind.NOTARY: gettext_noop(
        "The notary is not in the notary registry or their licence is not active"
    ),
    Kind.DEED: gettext_noop("The deed does not match the application"),  # see deeds.REASONS
    Kind.PAYMENT: gettext_noop("The registration fee is not paid"),
    Kind.NAME: gettext_noop("The name resembles another and needs a person's judgement"),
    Kind.CONTROL: gettext_noop(
        "A shareholder controls a company of another legal form, which an S.A.S. does not allow"
    ),
}
# The reason a notarised legal form, clean in every check, waits for a clerk.
BY_A_CLERK = gettext_noop("Notarised legal forms are registered by a clerk")


def decide(application: Application, checks: list[RegistryCheck]) -> Application:
    reasons = sorted({r for c in checks if c.result == Result.NEGATIVE for r in reasons_of(c)})
    if workflow.identity_held(application):
        reasons.append(workflow.IDENTITY_REPORTED)
    if reasons or not rules.registered_automatically(application):
        if not reasons:
            reasons = [BY_A_CLERK]
        return workflow.send_to_review(application, reasons=reasons)
    return registration.approve_and_register(
        application, actor=None, reason=gettext_noop("Every check is clean")
    )


def reasons_of(check: RegistryCheck) -> list[str]:
    """Why a negative check sends the application to review: a deed, once per mismatch."""
    if check.kind == Kind.DEED:
        return deeds.reasons(check.detail) or [REASONS[Kind.DEED]]
    return [REASONS[Kind(check.kind)]]


def flag_for_attention(application_id: int) -> None:
    Application.objects.filter(pk=application_id).update(needs_attention=True)
