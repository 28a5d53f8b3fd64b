"""Who may reach a company's filings: the people of the company (its shareholders or partners,
administrators and liquidators, as its current register data names them, by CURP). Everybody
else gets 404 on every page and action, as if there were nothing there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.shortcuts import get_object_or_404

from companies.lifecycle import rules
from companies.models import Company, CompanyFiling
from companies.register import states
from portal.models import User


@dataclass(frozen=True)
class Membership:
    company: Company
    data: dict[str, Any]
    roles: set[str]


def company_for_member(user: User, number: str) -> Membership:
    company = get_object_or_404(
        Company.objects.select_related("legal_form"), registration_number=number
    )
    state = states.current(company.pk)
    roles = rules.roles_in(state.data, user.curp) if state is not None else set()
    if state is None or not roles:
        raise Http404
    return Membership(company, state.data, roles)


def is_member(user: User | AnonymousUser, company: Company, data: dict[str, Any] | None) -> bool:
    if data is None or not isinstance(user, User):
        return False
    return bool(rules.roles_in(data, user.curp))


def filing_of(membership: Membership, public_id: UUID) -> CompanyFiling:
    return get_object_or_404(
        membership.company.filings.select_related("company__legal_form", "filer"),
        public_id=public_id,
    )
