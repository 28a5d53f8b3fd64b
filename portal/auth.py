"""Sign-in with the state e-identity (OpenID Connect, code flow with PKCE).

People are keyed by the CURP claim. The first sign-in asks the population registry about that
CURP and takes the person's names from it; a CURP the registry says is unknown, deceased or
withdrawn does not get an account.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationRequestView
from stdnum.mx import curp as curp_number

from companies import registries
from portal import roles
from portal.models import User

log = logging.getLogger(__name__)


def _refusal(outcome: registries.Outcome) -> str:
    if outcome == registries.Outcome.DECEASED:
        return _(
            "The population registry lists this CURP as belonging to a deceased person. If this is a mistake, contact RENAPO."
        )
    if outcome == registries.Outcome.WITHDRAWN:
        return _(
            "This CURP was withdrawn by the population registry. Use your current CURP, or contact RENAPO."
        )
    return _(
        "The population registry does not know this CURP. Ask RENAPO to check your record, then try again."
    )


class EIdentityBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return curp_number.is_valid(claims.get("curp", ""))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        return User.objects.filter(curp=curp_number.compact(claims["curp"]))

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        user: User | None = super().get_or_create_user(access_token, id_token, payload)
        if user is not None and self.request is not None:
            self.request.session["eid_auth_time"] = payload.get("auth_time")
        return user

    def create_user(self, claims: dict[str, Any]) -> User | None:
        curp = curp_number.compact(claims["curp"])
        answer = registries.check_person(curp, user_id=curp)
        if answer.available and answer.outcome != registries.Outcome.ACTIVE:
            log.info(
                "e-identity sign-in refused by the population registry",
                extra={"outcome": answer.outcome},
            )
            messages.error(self.request, _refusal(answer.outcome))
            return None
        with transaction.atomic():
            user = User.objects.create_user(username=curp, curp=curp, **_names(claims, answer))
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=roles.ENTREPRENEURS))
        return user

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        email = claims.get("email") or user.email
        if email != user.email:
            user.email = email
            user.save(update_fields=["email"])
        return user


def _names(claims: dict[str, Any], answer: registries.Answer) -> dict[str, str]:
    """Names as the population registry has them; the e-identity's when it could not answer."""
    if answer.outcome == registries.Outcome.ACTIVE:
        person = registries.person_from(answer)
        surnames = " ".join(filter(None, [person.first_surname, person.second_surname]))
        return {
            "first_name": person.given_names,
            "last_name": surnames,
            "email": claims.get("email", ""),
        }
    return {
        "first_name": claims.get("given_name", ""),
        "last_name": claims.get("family_name", ""),
        "email": claims.get("email", ""),
    }


class EIdentityRequestView(OIDCAuthenticationRequestView):
    """Start the sign-in; ``?fresh=1`` makes the provider authenticate the person again now
    (``prompt=login``, ``max_age=0``), as signing an application requires."""

    def get_extra_params(self, request: HttpRequest) -> dict[str, str]:
        params: dict[str, str] = dict(super().get_extra_params(request))
        if request.GET.get("fresh"):
            params.update({"prompt": "login", "max_age": "0"})
        return params


def authenticated_at(request: HttpRequest) -> datetime | None:
    """When the person last proved who they are to the e-identity provider (the ID token's
    ``auth_time``), or None for a session that did not come from the e-identity."""
    stamp = request.session.get("eid_auth_time")
    return datetime.fromtimestamp(stamp, tz=UTC) if isinstance(stamp, int | float) else None
