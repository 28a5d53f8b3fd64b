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
