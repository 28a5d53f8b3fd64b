"""The draft's own fields, as the wizard's steps write them (status changes are ``workflow``'s)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from companies.models import Application, Founder, LegalForm
from portal.models import User


def create_application(*, filer: User) -> Application:
    return Application.objects.create(filer=filer)


def choose_legal_form(*, application: Application, legal_form: LegalForm) -> Application:
    application.legal_form = legal_form
    application.save(update_fields=["legal_form", "updated_at"])
    return application


def save_fields(*, application: Application, **values: object) -> Application:
    for field, value in values.items():
        setattr(application, field, value)
    application.save(update_fields=[*values, "updated_at"])
    return application


def set_capital(
    *, application: Application, capital: Decimal, share_value: Decimal | None = None
) -> Application:
    if share_value is None:
        return save_fields(application=application, capital=capital)
    return save_fields(application=application, capital=capital, share_value=share_value)


def set_administration(
    *,
    application: Application,
    administrators: list[Founder],
    comisario_name: str = "",
    comisario_curp: str = "",
) -> Application:
    with transaction.atomic():
        application.founders.update(is_administrator=False)
        application.founders.filter(pk__in=[f.pk for f in administrators]).update(
            is_administrator=True
        )
        return save_fields(
            application=application, comisario_name=comisario_name, comisario_curp=comisario_curp
        )
