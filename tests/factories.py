from datetime import date, datetime, time, timedelta
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from companies.models import Application, Founder, LegalForm
from portal import roles
from portal.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Persona"
    last_name = factory.Sequence(lambda n: f"Prueba {n}")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class EntrepreneurFactory(UserFactory):
    username = factory.SelfAttribute("curp")
    curp = "RAOA900514MQTMLN01"
    first_name = "Ana Sofía"
    last_name = "Ramírez Olvera"

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name=extracted or roles.ENTREPRENEURS))


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    filer = factory.SubFactory(EntrepreneurFactory)
    legal_form = factory.LazyFunction(lambda: LegalForm.objects.get(code="sas"))


class FounderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Founder

    application = factory.SubFactory(ApplicationFactory)
    curp = "RAOA900514MQTMLN01"
    given_names = "Ana Sofía"
    first_surname = "Ramírez"
    second_surname = "Olvera"
    email = "ana@example.mx"
    contribution = Decimal("10000")
    is_administrator = True
    person_status = "active"


class CompanyFounderFactory(FounderFactory):
    """A company that founds (persona moral), signed for by Carlos: the sandbox's tax registry
    lists Constructora Jurica's RFC as active with a positive compliance opinion."""

    kind = "legal"
    legal_name = "Constructora Jurica, S.A. de C.V."
    rfc = "CJU150610I85"
    tax_status = "active"
    curp = "MERC851102HQTNSR00"
    given_names = "Carlos Eduardo"
    first_surname = "Mendoza"
    second_surname = "Reséndiz"
    email = "carlos@example.mx"
    is_administrator = False


def complete_application(filer, *, legal_form: str = "sas", founders=None):
    """An application whose every wizard step is complete, with two verified founders."""
    from companies.models import LegalForm

    application = ApplicationFactory(
        filer=filer,
        legal_form=LegalForm.objects.get(code=legal_form),
        proposed_name="Tortillería La Esperanza",
        normalised_name="TORTILLERIA ESPERANZA",
        name_verdict={"outcome": "clear", "allowed": True},
        municipality="014",
        street="Av. Zaragoza",
        exterior_number="10",
        neighbourhood="Centro",
        postal_code="76000",
        purpose="Elaboración y venta de tortillas de maíz al público.",
        activity_codes=["311830"],
        capital=Decimal("10000"),
        articles={
            "duration": "indefinite",
            "foreigners": "admission",
            "share_transfer": "preference",
            "fiscal_year": "calendar",
        },
        notary_number=5 if legal_form != "sas" else None,
        deed_number=18250 if legal_form != "sas" else None,
    )
    people = founders or [
        ("RAOA900514MQTMLN01", "Ana Sofía", "Ramírez", "Olvera", "6000", True),
        ("MERC851102HQTNSR00", "Carlos Eduardo", "Mendoza", "Reséndiz", "4000", False),
    ]
    for curp, given, first, second, amount, admin in people:
        FounderFactory(
            application=application,
            curp=curp,
            given_names=given,
            first_surname=first,
            second_surname=second,
            contribution=Decimal(amount),
            is_administrator=admin,
            email=f"{given.split()[0].lower()}@example.mx",
        )
    if legal_form == "sa-de-cv":
        application.comisario_name = "Luz María Hernández Trejo"
        application.comisario_curp = "HETL780223MQTRRZ05"
        application.save()
    return application


JURICA_DEED = {"deed_number": 18250, "deed_date": date(2015, 6, 10)}  # 5/18250 in the sandbox


def submitted_sa_de_cv(
    filer, *, name: str = "Constructora Jurica", reserved_on: date = date(2015, 5, 4), **deed
):
    """A submitted S.A. de C.V. of Ana and Carlos (Luz, comisario) before notary 5, the fee
    paid, the name reserved on ``reserved_on``; the deed fields as given, else those of the
    sandbox's 5/18250 (Constructora Jurica's incorporation, 2015-06-10)."""
    from django.utils import timezone

    from companies import workflow
    from companies.filing.names import normalise_name
    from companies.models import NameReservation, Payment

    application = complete_application(filer, legal_form="sa-de-cv")
    fields = {**JURICA_DEED, "proposed_name": name, "normalised_name": normalise_name(name)}
    for field, value in {**fields, **deed}.items():
        setattr(application, field, value)
    application.save()
    reservation = NameReservation.objects.create(
        name=name,
        normalised_name=application.normalised_name,
        holder=filer,
        application=application,
        expires_at=timezone.now() + timedelta(days=180),
    )
    noon = datetime.combine(reserved_on, time(12), tzinfo=timezone.get_current_timezone())
    NameReservation.objects.filter(pk=reservation.pk).update(created_at=noon)
    Payment.objects.create(application=application, reference="QRO4996099406", amount="1850.00")
    workflow._transition(application.pk, "send_for_signatures")
    return workflow._transition(application.pk, "submit", fields={"submitted_at": timezone.now()})
