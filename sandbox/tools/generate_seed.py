"""Write the sandbox registries' seed files to `sandbox/data/` (deterministic).

    python -m sandbox.tools.generate_seed [OUTPUT_DIR]

The demo identities (documented in `sandbox/data/README.md` and listed in `demo.json`)
come first in every file; then people, taxpayers, notaries and deeds drawn from a random
generator with a fixed seed, so that running this again writes the same bytes.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import random
import sys
from pathlib import Path
from typing import Any, cast

from sandbox.providers.notaries import (
    QUERETARO,
    Deed,
    DeedAct,
    LicenceStatus,
    Notary,
    Party,
    PartyRole,
)
from sandbox.providers.payments import MEXICO_CENTRAL, reference_with_check_digit
from sandbox.providers.population import Person, PersonStatus
from sandbox.providers.rfc_keys import complete_rfc, legal_person_rfc
from sandbox.providers.seed import DEFAULT_DATA_DIR, write_records
from sandbox.providers.tax import ComplianceOpinion, LegalForm, Office, Taxpayer, TaxpayerStatus
from sandbox.tools import vocabulary
from sandbox.tools.curp_keys import complete_curp, curp_stem, differentiators

RANDOM_SEED = 20250301
SEED_TODAY = datetime.date(2025, 3, 1)
RANDOM_PEOPLE = 230
RANDOM_COMPANIES = 35
RANDOM_NOTARIES = 9

SAT_START = datetime.date(1990, 1, 2)
DEMO_SA_DEED_DATE = datetime.date(
    2025, 2, 26
)  # companies/management/demo.py files it with this date

TaxStanding = tuple[TaxpayerStatus, ComplianceOpinion]


@dataclasses.dataclass(frozen=True)
class Identity:
    """A person to write to the population registry; demo ones have a role and an RFC."""

    role: str
    given_names: str
    first_surname: str
    second_surname: str | None
    birth_date: datetime.date
    sex: str
    birth_state: str
    nationality: str
    status: PersonStatus
    tax: TaxStanding | None


DEMO_PEOPLE = (
    Identity("founder", "Ana Sofía", "Ramírez", "Olvera", datetime.date(1990, 5, 14),
               "M", "QT", "MEX", "active", ("active", "positive")),
    Identity("co-founder", "Carlos Eduardo", "Mendoza", "Reséndiz",
               datetime.date(1985, 11, 2), "H", "QT", "MEX", "active", ("active", "positive")),
    Identity("negative compliance opinion", "Luz María", "Hernández", "Trejo",
               datetime.date(1978, 2, 23), "M", "QT", "MEX", "active", ("active", "negative")),
    Identity("suspended RFC", "Jorge Alberto", "Uribe", "Ledesma", datetime.date(1992, 8, 30),
               "H", "GT", "MEX", "active", ("suspended", "negative")),
    Identity("no RFC, born 2001", "Valeria Guadalupe", "Moreno", "Paredes",
               datetime.date(2001, 3, 9), "M", "QT", "MEX", "active", None),
    Identity("foreigner (USA), no second surname", "Michael", "Anderson", None,
               datetime.date(1980, 7, 4), "H", "NE", "USA", "active", ("active", "none")),
    Identity("Ñ in the surnames", "Isabel Cristina", "Núñez", "Peña",
               datetime.date(1995, 12, 12), "M", "DF", "MEX", "active", ("active", "positive")),
    Identity("minor (born 2012)", "Diego Armando", "Ruiz", "Sánchez",
               datetime.date(2012, 6, 18), "H", "QT", "MEX", "active", None),
    Identity("deceased, RFC cancelled", "Roberto", "Salinas", "Gómez",
               datetime.date(1950, 1, 27), "H", "QT", "MEX", "deceased", ("cancelled", "none")),
    Identity("deceased, no RFC", "Teresa", "Aguilar", "Ríos", datetime.date(1962, 10, 5),
               "M", "MC", "MEX", "deceased", None),
    Identity("withdrawn CURP, RFC still active", "Fernando", "Ortiz", "Castañeda",
               datetime.date(1987, 4, 16), "H", "QT", "MEX", "withdrawn", ("active", "positive")),
    Identity("withdrawn CURP, no RFC", "Patricia", "Luna", "Vega", datetime.date(1993, 9, 21),
               "M", "SP", "MEX", "withdrawn", None),
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class SeedCompany:
    """A legal person to write to the tax registry."""

    role: str
    name: str
    legal_form: LegalForm
    incorporated_on: datetime.date
    registration_number: str
    municipality: str
    tax: TaxStanding


DEMO_COMPANIES = (
    SeedCompany("active, positive opinion", "Constructora Jurica", "sa_de_cv",
                datetime.date(2015, 6, 10), "N-2015034127", "Querétaro", ("active", "positive")),
    SeedCompany("active, negative opinion", "Aeropartes Querétaro", "sa_de_cv",
                datetime.date(2020, 2, 17), "N-2020008815", "El Marqués", ("active", "negative")),
    SeedCompany("suspended", "Comercializadora Agrícola del Bajío", "s_de_rl_de_cv",
                datetime.date(2018, 9, 3), "N-2018051902", "Corregidora", ("suspended", "none")),
    SeedCompany("cancelled", "Transportes Tequisquiapan", "sa_de_cv",
                datetime.date(2009, 4, 22), "N-2009017740", "Tequisquiapan",
                ("cancelled", "none")),
    SeedCompany("Ñ in the RFC", "Ñandutí Artesanías", "sas", datetime.date(2022, 11, 8),
                "N-2022060311", "San Juan del Río", ("active", "positive")),
)  # fmt: skip

# (role, number, name, municipality, licence status, licensed on, status changed on)
DEMO_NOTARIES: tuple[tuple[str, int, str, str, LicenceStatus, str, str | None], ...] = (
    ("active", 5, "Alejandro Rangel Montes", "Querétaro", "active", "2004-03-15", None),
    ("suspended", 12, "Martha Ugalde Feregrino", "San Juan del Río", "suspended",
     "2010-08-01", "2024-09-01"),
    ("revoked", 31, "Héctor Bárcenas Rico", "Corregidora", "revoked", "1998-05-20",
     "2023-02-15"),
)  # fmt: skip


def full_name(person: Person) -> str:
    names = (person["given_names"], person["first_surname"], person["second_surname"])
    return " ".join(name for name in names if name)


def make_person(identity: Identity, taken: set[str]) -> Person:
    stem = curp_stem(
        given_names=identity.given_names,
        first_surname=identity.first_surname,
        second_surname=identity.second_surname,
        birth_date=identity.birth_date,
        sex=identity.sex,
        birth_state=identity.birth_state,
    )
    curp = next(
        curp
        for curp in (complete_curp(stem, d) for d in differentiators(identity.birth_date))
        if curp not in taken
    )
    taken.add(curp)
    return {
        "curp": curp,
        "given_names": identity.given_names,
        "first_surname": identity.first_surname,
        "second_surname": identity.second_surname,
        "birth_date": identity.birth_date.isoformat(),
        "sex": "H" if identity.sex == "H" else "M",
        "birth_state": identity.birth_state,
        "nationality": identity.nationality,
        "status": identity.status,
    }


def random_date(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def random_identity(rng: random.Random) -> Identity:
    status: PersonStatus = rng.choices(("active", "deceased", "withdrawn"), (88, 7, 5))[0]
    oldest = datetime.date(1935, 1, 1) if status == "deceased" else datetime.date(1945, 1, 1)
    youngest = datetime.date(1975, 12, 31) if status == "deceased" else datetime.date(2012, 12, 31)
    birth_date = random_date(rng, oldest, youngest)
    if rng.random() < 0.04:
        given, first, second, sex, nationality = rng.choice(vocabulary.FOREIGNERS)
        return Identity("", given, first, second, birth_date, sex, "NE", nationality, status, None)
    sex = rng.choice("HM")
    names = vocabulary.MALE_GIVEN_NAMES if sex == "H" else vocabulary.FEMALE_GIVEN_NAMES
    state = "QT" if rng.random() < 0.6 else rng.choice(vocabulary.OTHER_BIRTH_STATES)
    first, second = rng.choice(vocabulary.SURNAMES), rng.choice(vocabulary.SURNAMES)
    given = rng.choice(names)
    return Identity("", given, first, second, birth_date, sex, state, "MEX", status, None)


def age_on(day: datetime.date, birth_date: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def is_adult(person: Person) -> bool:
    return age_on(SEED_TODAY, datetime.date.fromisoformat(person["birth_date"])) >= 18


def natural_taxpayer(person: Person, standing: TaxStanding, taken: set[str]) -> Taxpayer:
    born = datetime.date.fromisoformat(person["birth_date"])
    rfc = complete_rfc(person["curp"][:4], born, full_name(person))
    attempt = 0
    while rfc in taken:
        attempt += 1
        rfc = complete_rfc(person["curp"][:4], born, f"{full_name(person)}#{attempt}")
    taken.add(rfc)
    registered_on = max(born.replace(year=born.year + 18, day=min(born.day, 28)), SAT_START)
    return {
        "rfc": rfc,
        "person_type": "natural",
        "name": full_name(person),
        "curp": person["curp"],
        "legal_form": None,
        "registration_number": None,
        "incorporated_on": None,
        "registered_office": None,
        "status": standing[0],
        "compliance_opinion": standing[1],
        "registered_on": registered_on.isoformat(),
    }


def random_standing(rng: random.Random, person_status: PersonStatus) -> TaxStanding:
    if person_status == "deceased":
        return ("cancelled", "none")
    status: TaxpayerStatus = rng.choices(("active", "suspended", "cancelled"), (80, 12, 8))[0]
    if status == "active":
        return (status, rng.choices(("positive", "negative", "none"), (60, 25, 15))[0])
    if status == "suspended":
        return (status, rng.choice(("negative", "none")))
    return (status, "none")


def office(rng: random.Random, municipality: str) -> Office:
    return {
        "street": f"{rng.choice(vocabulary.STREETS)} {rng.randint(1, 350)}",
        "municipality": municipality,
        "postal_code": vocabulary.MUNICIPALITIES[municipality],
    }


def legal_taxpayer(rng: random.Random, company: SeedCompany) -> Taxpayer:
    incorporated = company.incorporated_on.isoformat()
    return {
        "rfc": legal_person_rfc(company.name, company.incorporated_on, company.registration_number),
        "person_type": "legal",
        "name": company.name,
        "curp": None,
        "legal_form": company.legal_form,
        "registration_number": company.registration_number,
        "incorporated_on": incorporated,
        "registered_office": office(rng, company.municipality),
        "status": company.tax[0],
        "compliance_opinion": company.tax[1],
        "registered_on": incorporated,
    }


def random_company(rng: random.Random, serial: int) -> SeedCompany:
    incorporated_on = random_date(rng, datetime.date(1995, 1, 1), datetime.date(2024, 12, 31))
    forms: tuple[LegalForm, ...] = ("sa_de_cv", "s_de_rl_de_cv")
    if incorporated_on >= datetime.date(2016, 9, 15):
        forms = (*forms, "sas")
    activity = rng.choice(vocabulary.COMPANY_ACTIVITIES)
    name = f"{activity} {rng.choice(vocabulary.COMPANY_PLACES)}"
    municipality = rng.choices(list(vocabulary.MUNICIPALITIES), [12] + [1] * 17)[0]
    number = f"N-{incorporated_on.year}{serial:06d}"
    standing = random_standing(rng, "active")
    form = rng.choice(forms)
    return SeedCompany("", name, form, incorporated_on, number, municipality, standing)


LEGAL_FORM_SUFFIXES = {
    "sas": "S.A.S.",
    "sa_de_cv": "S.A. de C.V.",
    "s_de_rl_de_cv": "S. de R.L. de C.V.",
}


def deed(
    notary: Notary,
    *,
    deed_number: int,
    executed_on: datetime.date,
    act: DeedAct,
    company: tuple[str, LegalForm],
    parties: list[tuple[Person | Taxpayer, list[PartyRole]]],
) -> Deed:
    name, legal_form = company
    return {
        "notary_state": notary["state"],
        "notary_number": notary["number"],
        "deed_number": deed_number,
        "volume": deed_number // 100 + 1,
        "executed_on": executed_on.isoformat(),
        "act": act,
        "company_name": f"{name}, {LEGAL_FORM_SUFFIXES[legal_form]}",
        "legal_form": legal_form,
        "parties": [party(who, roles) for who, roles in parties],
    }


def party(who: Person | Taxpayer, roles: list[PartyRole]) -> Party:
    """A person by name and CURP; a company (a legal taxpayer) by name and RFC."""
    if "rfc" not in who:
        return Party(name=full_name(who), curp=who["curp"], rfc=None, roles=roles)
    company = cast(Taxpayer, who)
    suffix = LEGAL_FORM_SUFFIXES[company["legal_form"] or "sa_de_cv"]
    return Party(name=f"{company['name']}, {suffix}", curp=None, rfc=company["rfc"], roles=roles)


def founders_roles(legal_form: LegalForm, count: int) -> list[list[PartyRole]]:
    """Roles of `count` founders: the first administers; an S.A. also has a comisario."""
    member: PartyRole = "partner" if legal_form == "s_de_rl_de_cv" else "shareholder"
    roles: list[list[PartyRole]] = [[member, "administrator"]] + [[member]] * (count - 1)
    if legal_form == "sa_de_cv":
        roles[-1] = ["comisario"]
    return roles


def notary_record(
    number: int,
    name: str,
    municipality: str,
    status: LicenceStatus,
    since: str,
    changed: str | None,
) -> Notary:
    return {
        "state": QUERETARO,
        "number": number,
        "name": name,
        "municipality": municipality,
        "licence_status": status,
        "licensed_on": since,
        "status_changed_on": changed,
    }


def random_notaries(rng: random.Random) -> list[Notary]:
    taken = {number for _, number, *_ in DEMO_NOTARIES}
    numbers = rng.sample([n for n in range(1, 36) if n not in taken], RANDOM_NOTARIES)
    notaries = []
    for number in sorted(numbers):
        sex_names = rng.choice((vocabulary.MALE_GIVEN_NAMES, vocabulary.FEMALE_GIVEN_NAMES))
        name = " ".join(
            (
                rng.choice(sex_names),
                rng.choice(vocabulary.SURNAMES),
                rng.choice(vocabulary.SURNAMES),
            )
        )
        municipality = rng.choices(list(vocabulary.MUNICIPALITIES)[:6], (6, 2, 2, 3, 1, 1))[0]
        since = random_date(rng, datetime.date(1990, 1, 1), datetime.date(2018, 12, 31))
        notaries.append(
            notary_record(number, name, municipality, "active", since.isoformat(), None)
        )
    return notaries


def notary_deeds(
    rng: random.Random,
    notary: Notary,
    companies: list[SeedCompany],
    founders: list[Person],
    first_number: int,
) -> list[Deed]:
    """Three to five deeds, executed while the notary was licensed."""
    last_day = notary["status_changed_on"] or SEED_TODAY.isoformat()
    first_day = max(notary["licensed_on"], "2012-01-01")
    dates = sorted(
        random_date(
            rng, datetime.date.fromisoformat(first_day), datetime.date.fromisoformat(last_day)
        )
        for _ in range(rng.randint(3, 5))
    )
    deeds = []
    for index, executed_on in enumerate(dates):
        company = rng.choice([c for c in companies if c.legal_form != "sas"])
        act: DeedAct = rng.choices(
            ("incorporation", "bylaw_amendment", "power_of_attorney"), (6, 2, 2)
        )[0]
        people = rng.sample(founders, rng.randint(2, 4))
        roles = founders_roles(company.legal_form, len(people))
        if act == "power_of_attorney":
            people, roles = people[:1], [["attorney"]]
        deeds.append(
            deed(
                notary,
                deed_number=first_number + index * rng.randint(40, 400),
                executed_on=executed_on,
                act=act,
                company=(company.name, company.legal_form),
                parties=list(zip(people, roles, strict=True)),
            )
        )
    return deeds


def demo_deeds(
    notaries: list[Notary], demo_people: list[Person], demo_companies: list[Taxpayer]
) -> list[Deed]:
    active, suspended, revoked = notaries[:3]
    ana, carlos, luz, jorge, _, michael, isabel = demo_people[:7]
    constructora_jurica = demo_companies[0]
    return [
        deed(active, deed_number=18250, executed_on=datetime.date(2015, 6, 10),
             act="incorporation", company=("Constructora Jurica", "sa_de_cv"),
             parties=[(ana, ["shareholder", "administrator"]), (carlos, ["shareholder"]),
                      (luz, ["comisario"])]),
        deed(active, deed_number=18251, executed_on=datetime.date(2015, 6, 10),
             act="power_of_attorney", company=("Constructora Jurica", "sa_de_cv"),
             parties=[(carlos, ["attorney"])]),
        deed(active, deed_number=45120, executed_on=datetime.date(2025, 2, 20),
             act="incorporation",
             company=("Innovación Agroalimentaria Huimilpan", "s_de_rl_de_cv"),
             parties=[(ana, ["partner", "administrator"]), (carlos, ["partner"]),
                      (michael, ["partner"])]),
        deed(suspended, deed_number=9034, executed_on=datetime.date(2024, 5, 7),
             act="incorporation", company=("Logística Cimatario", "sa_de_cv"),
             parties=[(isabel, ["shareholder", "administrator"]), (jorge, ["shareholder"]),
                      (luz, ["comisario"])]),
        deed(revoked, deed_number=27611, executed_on=datetime.date(2022, 10, 3),
             act="incorporation", company=("Textiles Bernal", "s_de_rl_de_cv"),
             parties=[(jorge, ["partner", "administrator"]), (ana, ["partner"])]),
        # The portal's demo S.A. de C.V. (companies/management/demo.py): a company is one of its founders.
        deed(active, deed_number=51207, executed_on=DEMO_SA_DEED_DATE,
             act="incorporation", company=("Viñedos de Tequisquiapan", "sa_de_cv"),
             parties=[(ana, ["shareholder", "administrator"]), (carlos, ["shareholder"]),
                      (constructora_jurica, ["shareholder"]), (luz, ["comisario"])]),
    ]  # fmt: skip


def _moment(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=MEXICO_CENTRAL)


def payment_reference(
    rng: random.Random,
    *,
    amount: str,
    created_at: str,
    expires_at: str,
    paid_at: str | None = None,
    client_key: str | None = None,
) -> dict[str, Any]:
    moments = [_moment(created_at), _moment(expires_at)]
    paid = None if paid_at is None else _moment(paid_at).isoformat()
    return {
        "reference": reference_with_check_digit(f"{rng.randrange(10**9):09d}"),
        "amount": amount,
        "concept": rng.choice(vocabulary.PAYMENT_CONCEPTS),
        "created_at": moments[0].isoformat(),
        "expires_at": moments[1].isoformat(),
        "paid_at": paid,
        "client_key": client_key,
    }


def payment_references(rng: random.Random) -> list[dict[str, Any]]:
    """Three pending (expiring in 2099, so demos keep working), three paid, three expired."""
    never = "2099-12-31T23:59:59"
    return [
        payment_reference(rng, amount="1450.00", created_at="2025-02-27T10:15:00",
                          expires_at=never, client_key="demo-pending"),
        payment_reference(rng, amount="1450.00", created_at="2025-02-10T09:00:00",
                          expires_at="2025-02-13T09:00:00", paid_at="2025-02-11T13:42:10"),
        payment_reference(rng, amount="1450.00", created_at="2024-12-02T17:30:00",
                          expires_at="2024-12-05T17:30:00"),
        payment_reference(rng, amount="320.50", created_at="2025-02-28T11:00:00",
                          expires_at=never),
        payment_reference(rng, amount="2900.00", created_at="2025-03-01T08:05:00",
                          expires_at=never),
        payment_reference(rng, amount="320.50", created_at="2025-01-20T16:20:00",
                          expires_at="2025-01-23T16:20:00", paid_at="2025-01-20T18:01:00"),
        payment_reference(rng, amount="185.00", created_at="2024-11-04T12:00:00",
                          expires_at="2024-11-07T12:00:00", paid_at="2024-11-06T09:30:00"),
        payment_reference(rng, amount="2900.00", created_at="2025-01-06T10:00:00",
                          expires_at="2025-01-09T10:00:00"),
        payment_reference(rng, amount="185.00", created_at="2024-10-14T09:45:00",
                          expires_at="2024-10-17T09:45:00"),
    ]  # fmt: skip


@dataclasses.dataclass
class Seed:
    people: list[Person]
    taxpayers: list[Taxpayer]
    notaries: list[Notary]
    deeds: list[Deed]
    payment_references: list[dict[str, Any]]
    demo: dict[str, Any]


def generate() -> Seed:
    rng = random.Random(RANDOM_SEED)  # noqa: S311 (seed data, not secrets)
    curps: set[str] = set()
    rfcs: set[str] = set()
    demo_people = [make_person(demo, curps) for demo in DEMO_PEOPLE]
    people = demo_people + [make_person(random_identity(rng), curps) for _ in range(RANDOM_PEOPLE)]

    demo_taxpayers = {
        person["curp"]: natural_taxpayer(person, demo.tax, rfcs)
        for person, demo in zip(demo_people, DEMO_PEOPLE, strict=True)
        if demo.tax is not None
    }
    random_taxpayers = [
        natural_taxpayer(person, random_standing(rng, person["status"]), rfcs)
        for person in people[len(DEMO_PEOPLE) :]
        if is_adult(person) and rng.random() < 0.5
    ]
    companies = list(DEMO_COMPANIES) + [
        random_company(rng, serial) for serial in range(1, RANDOM_COMPANIES + 1)
    ]
    legal_taxpayers = [legal_taxpayer(rng, company) for company in companies]
    taxpayers = [*demo_taxpayers.values(), *legal_taxpayers, *random_taxpayers]

    notaries = [notary_record(*row[1:]) for row in DEMO_NOTARIES] + random_notaries(rng)
    founders = [p for p in people[len(DEMO_PEOPLE) :] if p["status"] == "active" and is_adult(p)]
    deeds = demo_deeds(notaries, demo_people, legal_taxpayers[: len(DEMO_COMPANIES)])
    demo_deed_count = len(deeds)
    for notary in notaries:
        first_number = rng.randint(10, 600) * 100
        deeds += notary_deeds(rng, notary, companies, founders, first_number)
    references = payment_references(rng)

    demo = {
        "people": [
            {"role": d.role, "curp": p["curp"], "name": full_name(p), "status": p["status"],
             "rfc": demo_taxpayers[p["curp"]]["rfc"] if p["curp"] in demo_taxpayers else None}
            for p, d in zip(demo_people, DEMO_PEOPLE, strict=True)
        ],
        "companies": [
            {"role": c.role, "rfc": t["rfc"], "name": c.name,
             "registration_number": c.registration_number}
            for c, t in zip(DEMO_COMPANIES, legal_taxpayers, strict=False)
        ],
        "notaries": [
            {"role": row[0], "state": QUERETARO, "number": row[1]} for row in DEMO_NOTARIES
        ],
        "deeds": [
            {"notary_number": d["notary_number"], "deed_number": d["deed_number"],
             "company_name": d["company_name"]}
            for d in deeds[:demo_deed_count]
        ],
        "payment_references": [
            {"status": status, "reference": r["reference"]}
            for status, r in zip(("pending", "paid", "expired"), references, strict=False)
        ],
    }  # fmt: skip
    return Seed(people, taxpayers, notaries, deeds, references, demo)


SEED_FILES = (
    "people.json",
    "taxpayers.json",
    "notaries.json",
    "deeds.json",
    "payment_references.json",
    "demo.json",
)


def write_seed(seed: Seed, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    write_records(out_dir / "people.json", [dict(p) for p in seed.people])
    write_records(out_dir / "taxpayers.json", [dict(t) for t in seed.taxpayers])
    write_records(out_dir / "notaries.json", [dict(n) for n in seed.notaries])
    write_records(out_dir / "deeds.json", [dict(d) for d in seed.deeds])
    write_records(out_dir / "payment_references.json", seed.payment_references)
    demo = json.dumps(seed.demo, ensure_ascii=False, indent=2)
    (out_dir / "demo.json").write_text(demo + "\n", encoding="utf-8")


def main(argv: list[str]) -> None:
    out_dir = Path(argv[0]) if argv else DEFAULT_DATA_DIR
    write_seed(generate(), out_dir)
    print(f"Wrote {', '.join(SEED_FILES)} to {out_dir}")


if __name__ == "__main__":
    main(sys.argv[1:])
