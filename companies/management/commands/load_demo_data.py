"""Demo people for `make run`: staff with generated passwords; entrepreneurs sign in through the
sandbox e-identity provider, whose demo identities are listed. The sandbox's demo agency
(MX-DEV/GOV/SAT/padron) is let into every service of the agency API, which `python -m sandbox`
offers over X-Road as MX-DEV/GOV/QRO-SEDESU/registro. A development seal key is made when there
is none, and a few demo companies are registered (``companies.management.demo``); the worker of `make run`
then gets their RFCs and issues their sealed documents.

Idempotent: existing accounts, the seal key and the demo companies are kept, and the passwords
made on the first run are read back from var/demo-credentials.json, so running it again prints
the same sign-ins.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from companies.documents import seal
from companies.management.demo import Loaded, load_companies
from companies.models import AgencyAccess, AgencyService
from portal import roles
from portal.models import User

SANDBOX_DATA = settings.BASE_DIR / "sandbox" / "data"
STAFF = [
    ("registradora", "Rosa", "Jiménez Luna", roles.CLERKS),
    ("supervisor", "Héctor", "Salinas Ugalde", roles.SUPERVISORS),
    ("admin", "Admin", "Empresa24", roles.ADMINS),
]
DEMO_AGENCY = "MX-DEV/GOV/SAT/padron"
AGENCY_API_OVER_XROAD = "/r1/MX-DEV/GOV/QRO-SEDESU/registro"


class Command(BaseCommand):
    help = (
        "Create the demo staff, agency access, seal key and companies (sandbox only) "
        "and print the sign-ins."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.SANDBOX:
            raise CommandError("Demo data exists only with the sandbox (SANDBOX=true).")
        credentials_file = settings.VAR_DIR / "demo-credentials.json"
        credentials = _read(credentials_file)
        for username, first, last, role in STAFF:
            password = credentials.setdefault(username, secrets.token_urlsafe(12))
            key = credentials.setdefault(f"{username}:totp", secrets.token_hex(20))
            staff = _staff(username, first=first, last=last, role=role, password=password)
            _authenticator(staff, key)
        _agency_access(DEMO_AGENCY)
        self._seal_key()
        loaded = load_companies(clerk=User.objects.get(username="registradora"))
        credentials_file.parent.mkdir(parents=True, exist_ok=True)
        credentials_file.write_text(json.dumps(credentials, indent=2), encoding="utf-8")
        credentials_file.chmod(0o600)
        self.stdout.write("Demo sign-ins (sandbox only):")
        for username, _first, _last, role in STAFF:
            self.stdout.write(f"  {role:<14} /entrar/       {username} / {credentials[username]}")
        self.stdout.write(
            "  staff also type a TOTP code: `python manage.py totp_code <user name>` prints it"
        )
        self.stdout.write("  entrepreneurs  /entrar/ -> e-identity (sandbox): pick one of")
        for person in _demo_identities():
            self.stdout.write(
                f"                 {person['name']} ({person['curp']}, {person['role']})"
            )
        self.stdout.write(f"  agency API over X-Road, as the demo agency {DEMO_AGENCY}:")
        self.stdout.write(
            f"                 curl -H 'X-Road-Client: {DEMO_AGENCY}' "
            f"{settings.XROAD_SECURITY_SERVER_URL}{AGENCY_API_OVER_XROAD}/cambios"
        )
        self._print_companies(loaded)

    def _seal_key(self) -> None:
        """A development seal key when there is none; an existing key (or half of one) is kept."""
        key, cert = seal.key_path(), seal.cert_path()
        present = [path for path in (key, cert) if path.exists()]
        if not present:
            call_command("make_seal_key", stdout=self.stdout)
            self.stdout.write(
                "  a development seal key (sandbox only): documents are sealed with it"
            )
        elif len(present) == 1:
            missing = cert if key.exists() else key
            self.stderr.write(
                f"The seal file {missing} is missing, so documents wait for the seal: restore it, "
                "or run `manage.py make_seal_key --force` for a new development key."
            )

    def _print_companies(self, loaded: list[Loaded]) -> None:
        self.stdout.write("Demo companies in the register (/empresas/):")
        for entry in loaded:
            if entry.company is None:
                why = entry.application.status if entry.application else "name in use"
                self.stdout.write(f"  not registered  {entry.demo.name} ({why})")
                continue
            self.stdout.write(
                f"  {entry.company.registration_number}  {entry.company.name}, "
                f"filed by {entry.demo.filer.full_name}"
            )
        self.stdout.write(
            "  the worker asks the tax registry for their RFCs and issues their sealed documents"
        )


def _read(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    loaded: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _staff(username: str, *, first: str, last: str, role: str, password: str) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "is_staff": True}
    )
    if created or not user.check_password(password):
        user.set_password(password)
        user.is_superuser = role == roles.ADMINS
        user.save()
    user.groups.add(Group.objects.get(name=role))
    return user


def _agency_access(client: str) -> None:
    """Let ``client`` call every service of the agency API; existing entries are kept as the
    admin left them (a deactivated one stays off)."""
    note = gettext("Demo data (sandbox): created by load_demo_data.")
    for service in AgencyService:
        AgencyAccess.objects.get_or_create(client=client, service=service, defaults={"note": note})


def _demo_identities() -> list[dict[str, str]]:
    demo = json.loads((SANDBOX_DATA / "demo.json").read_text(encoding="utf-8"))["people"]
    return [p for p in demo if p["status"] == "active"]


def _authenticator(user: User, key: str) -> str:
    """A confirmed TOTP device for the staff member; returns the otpauth:// URI."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="demo", defaults={"key": key, "confirmed": True}
    )
    return str(device.config_url)
