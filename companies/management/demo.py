"""Demo companies for `make run` (sandbox only), so the register is not empty on first start.

Each is filed the way a person files one, through the same services and workflow verbs, minus
the registry calls: ``load_demo_data`` runs before the sandbox is up. So the founders are taken
as the sandbox's population registry lists them (active adults), no registry check is run (the
``start_checks`` event says so), and an S.A. de C.V.'s fee is a demo payment; its deed is the
one the sandbox's notary registry holds for it, so the deed check would find it in order. The version is
frozen and signed by every founder, submitted, and registered: an S.A.S. with no human, an
S.A. de C.V. by the demo clerk. Every founder signs with their demo e.firma, through the
same signing service as the page (``sign_with_demo_efirma``). All of it happened "in the
past": what the filing left in the outbox (invitations, "submitted" and "registered" e-mails, processing) is taken back, and only
the company's RFC and its sealed documents are left for the worker of `make run`
(``tasks.rfc_and_documents``, which tells nobody).

Filed once: a demo company whose application exists is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from companies import jobs, outbox, registries, workflow
from companies.documents import founder_signing
from companies.filing import drafts, payments, reservations, versions
from companies.models import (
    Application,
    Company,
    Founder,
    LegalForm,
    NameReservation,
    Payment,
    PersonStatus,
)
from companies.processing.checks import BY_A_CLERK  # the reason processing gives
from companies.register import registration
from companies.review import claims
from companies.signatures import status
from portal import roles
from portal.models import User
from sandbox import efirma

NOT_CHECKED = gettext_noop("Demo data (sandbox): the registries were not asked")


@dataclass(frozen=True)
class Person:
    """A demo identity of the sandbox, as its population registry has it."""

    curp: str
    given_names: str
    first_surname: str
    second_surname: str
    email: str

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.first_surname} {self.second_surname}"


@dataclass(frozen=True)
class Share:
    person: Person
    contribution: Decimal
    administrator: bool = False
    company: str = ""  # a company (persona moral) founds, and ``person`` signs on its behalf
    company_rfc: str = ""


@dataclass(frozen=True)
class Notarisation:
    """The deed of incorporation as the sandbox's notary registry has it (deed 5/51207 of
    ``sandbox/data/deeds.json``), signed after the name was reserved: the reservation is dated
    back to ``name_reserved_on``, so that the deed check finds the deed in order."""

    notary_number: int
    deed_number: int
    executed_on: date
    name_reserved_on: date


@dataclass(frozen=True)
class DemoCompany:
    name: str
    legal_form: str
    filer: Person
    founders: tuple[Share, ...]
    office: dict[str, str]
    purpose: str
    activity_codes: tuple[str, ...]
    articles: dict[str, str]
    comisario: Person | None = None
    notarisation: Notarisation | None = None


ANA = Person("RAOA900514MQTMLN01", "Ana Sofía", "Ramírez", "Olvera", "ana.ramirez@example.mx")
CARLOS = Person(
    "MERC851102HQTNSR00", "Carlos Eduardo", "Mendoza", "Reséndiz", "carlos.mendoza@example.mx"
)
LUZ = Person("HETL780223MQTRRZ05", "Luz María", "Hernández", "Trejo", "luz.hernandez@example.mx")

COMPANIES = (
    DemoCompany(
        name="Tortillería La Esperanza",
        legal_form="sas",
        filer=ANA,
        founders=(Share(ANA, Decimal("25000"), administrator=True),),
        office={
            "municipality": "014",
            "street": "Calle Ezequiel Montes",
            "exterior_number": "42",
            "neighbourhood": "Centro",
            "postal_code": "76000",
        },
        purpose="Elaboración y venta de tortillas de maíz nixtamalizado al público.",
        activity_codes=("311830",),
        articles={
            "duration": "indefinite",
            "foreigners": "exclusion",
            "share_transfer": "preference",
            "fiscal_year": "calendar",
        },
    ),
    DemoCompany(
        name="Talleres Bernal",
        legal_form="sas",
        filer=CARLOS,
        founders=(Share(CARLOS, Decimal("40000"), administrator=True),),
        office={
            "municipality": "007",
            "street": "Calle Independencia",
            "exterior_number": "8",
            "neighbourhood": "Bernal",
            "postal_code": "76680",
        },
        purpose="Reparación mecánica y eléctrica de automóviles y camionetas.",
        activity_codes=("811111", "811112"),
        articles={
            "duration": "indefinite",
            "foreigners": "admission",
            "share_transfer": "free",
            "fiscal_year": "calendar",
        },
    ),
    DemoCompany(
        name="Viñedos de Tequisquiapan",
        legal_form="sa-de-cv",
        filer=ANA,
        founders=(
            Share(ANA, Decimal("300000"), administrator=True),
            Share(CARLOS, Decimal("200000")),
            # One of the sandbox tax registry's companies, represented by Carlos.
            Share(
                CARLOS,
                Decimal("100000"),
                company="Constructora Jurica, S.A. de C.V.",
                company_rfc="CJU150610I85",
            ),
        ),
        office={
            "municipality": "017",
            "street": "Carretera San Juan del Río-Tequisquiapan km",
            "exterior_number": "12",
            "neighbourhood": "La Laja",
            "postal_code": "76750",
        },
        purpose="Cultivo de vid, elaboración de vinos de mesa y su venta al mayoreo y menudeo.",
        activity_codes=("312131",),
        articles={
            "duration": "indefinite",
            "foreigners": "admission",
            "share_transfer": "consent",
            "fiscal_year": "calendar",
        },
        comisario=LUZ,
        notarisation=Notarisation(
            notary_number=5,
            deed_number=51207,
            executed_on=date(2025, 2, 26),
            name_reserved_on=date(2025, 2, 10),
        ),
    ),
)


class NameTaken(Exception):
    """Someone else holds or registered the demo company's name: it is left out."""


@dataclass(frozen=True)
class Loaded:
    demo: DemoCompany
    application: Application | None  # None when someone else holds the name
    company: Company | None  # None until the application is registered


def load_companies(*, clerk: User) -> list[Loaded]:
    """File and register every demo company not filed yet; where each one stands, in order."""
    return [_load(demo, clerk=clerk) for demo in COMPANIES]


def _load(demo: DemoCompany, *, clerk: User) -> Loaded:
    existing = Application.objects.filter(
        filer__curp=demo.filer.curp, proposed_name=demo.name
    ).first()
    if existing is not None:
        return Loaded(demo, existing, Company.objects.filter(application=existing).first())
    try:
        with transaction.atomic():
            company = file_and_register(demo, clerk=clerk)
    except NameTaken:
        return Loaded(demo, None, None)
    return Loaded(demo, company.application, company)


def entrepreneur(person: Person) -> User:
    """The person's account as their first e-identity sign-in makes it (``portal.auth``): keyed
    by CURP, no password, names from the population registry; an existing one is kept."""
    user = User.objects.filter(curp=person.curp).first()
    if user is not None:
        return user
    user = User.objects.create_user(
        username=person.curp,
        curp=person.curp,
        first_name=person.given_names,
        last_name=f"{person.first_surname} {person.second_surname}",
        email="",
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=roles.ENTREPRENEURS))
    return user


def file_and_register(demo: DemoCompany, *, clerk: User) -> Company:
    """Call inside a transaction: a demo company is filed and registered whole or not at all."""
    filer = entrepreneur(demo.filer)
    application = _draft(demo, filer)
    application = workflow.send_for_signatures(application, actor=filer)
    for share in demo.founders:
        entrepreneur(share.person)  # their accounts, as their e-identity sign-in makes them
    sign_with_demo_efirma(application)
    if payments.fee_due(application):
        _demo_payment(application)
    application = workflow.submit(application, actor=filer)
    application = workflow.start_checks(application, reason=NOT_CHECKED)
    if application.legal_form is not None and application.legal_form.code == "sas":
        registration.approve_and_register(application, actor=None, reason=NOT_CHECKED)
    else:
        workflow.send_to_review(application, reasons=[BY_A_CLERK])
        claims.claim(application, clerk=clerk)
        claims.approve(application, clerk=clerk)
    outbox.withdraw(application_id=application.pk)
    outbox.enqueue(jobs.rfc_and_documents(application.pk))
    return registration.company_of(application.pk)


def sign_with_demo_efirma(application: Application) -> None:
    """Every founder signs the version's articles with their demo e.firma (the sandbox's files,
    ``sandbox/data/README.md``) through ``documents.founder_signing``, as the page's e.firma
    does: the articles drawn, each signature prepared, made with the person's key and finished.
    SAT's answer comes from the sandbox's authority in-process (the sandbox is not up yet); it
    is checked and stored like one that came over X-Road, and embedded at registration."""
    founder_signing.draw(application.pk)
    version = versions.current(application)
    assert version is not None
    folder = efirma.default_folder()
    sat = _sandbox_sat(efirma.load_or_create(folder))
    for founder in application.founders.order_by("pk"):  # each capacity is a signature
        demo = efirma.valid_demo(founder.curp)
        if demo is None:
            raise ValueError(f"no demo e.firma for {founder.curp}")
        certificate, key = efirma.person_files(folder, demo)
        to_sign = founder_signing.prepare(
            version,
            founder,
            certificate,
            founder_signing.Method.BROWSER,
            user=User.objects.get(curp=founder.curp),
            authenticated_at=timezone.now(),
        )
        signature = efirma.sign(key, to_sign.signed_attributes)
        finished = founder_signing.finish(to_sign.session, signature, responder=sat)
        assert not finished.waiting, finished.message


def _sandbox_sat(authority: efirma.Authority) -> status.Responder:
    """SAT's OCSP answered by the sandbox's authority, without X-Road (no message id)."""

    def answer(request: bytes, *, application: Application | None = None) -> registries.Answer:
        response = efirma.ocsp_answer(authority, request)
        return registries.Answer(registries.Outcome.FOUND, {"ocsp_response": response}, "")

    return answer


def _draft(demo: DemoCompany, filer: User) -> Application:
    """Every step of the wizard, as the applicant fills it in."""
    application = drafts.create_application(filer=filer)
    legal_form = LegalForm.objects.get(code=demo.legal_form)
    drafts.choose_legal_form(application=application, legal_form=legal_form)
    if not reservations.name_application(application=application, name=demo.name).allowed:
        raise NameTaken(demo.name)
    for share in demo.founders:
        _founder(application, share)
    fields: dict[str, Any] = {
        **demo.office,
        "purpose": demo.purpose,
        "activity_codes": list(demo.activity_codes),
        "capital": sum((share.contribution for share in demo.founders), Decimal("0")),
        "articles": dict(demo.articles),
    }
    if demo.comisario is not None:
        fields.update(comisario_name=demo.comisario.full_name, comisario_curp=demo.comisario.curp)
    if demo.notarisation is not None:
        fields.update(
            notary_number=demo.notarisation.notary_number,
            deed_number=demo.notarisation.deed_number,
            deed_date=demo.notarisation.executed_on,
        )
        reserved = datetime.combine(
            demo.notarisation.name_reserved_on, time(9), tzinfo=timezone.get_current_timezone()
        )
        NameReservation.objects.filter(application=application).update(created_at=reserved)
    return drafts.save_fields(application=application, **fields)


def _founder(application: Application, share: Share) -> Founder:
    """A founder as the sandbox's population registry lists them (active; not asked now)."""
    person = share.person
    return Founder.objects.create(
        application=application,
        curp=person.curp,
        given_names=person.given_names,
        first_surname=person.first_surname,
        second_surname=person.second_surname,
        email=person.email,
        contribution=share.contribution,
        is_administrator=share.administrator,
        person_status=PersonStatus.ACTIVE,
        kind=Founder.Kind.LEGAL if share.company else Founder.Kind.NATURAL,
        legal_name=share.company,
        rfc=share.company_rfc,
    )


def _demo_payment(application: Application) -> Payment:
    """The fee, marked paid: the payments registry cannot be asked before the sandbox is up."""
    assert application.legal_form is not None
    return Payment.objects.create(
        application=application,
        reference=f"DEMO-{application.reference}",
        amount=application.legal_form.fee,
        status=Payment.Status.PAID,
        paid_at=timezone.now(),
    )
