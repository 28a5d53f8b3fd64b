import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from companies.models import AgencyAccess, AgencyService
from portal.models import User

pytestmark = pytest.mark.django_db


def _load() -> str:
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def test_demo_data_prints_sign_ins_that_work_and_is_repeatable(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first = _load()
    assert _load() == first
    for role, username, password in re.findall(r"(\w+)\s+/entrar/\s+(\w+) / (\S+)", first):
        user = authenticate(username=username, password=password)
        assert user is not None, role
        assert user.groups.filter(name=role).exists()
    assert "Ana Sofía Ramírez Olvera (RAOA900514MQTMLN01" in first
    assert "Roberto Salinas" not in first  # deceased demo people are not offered
    assert User.objects.filter(username="registradora").count() == 1


def test_demo_data_lets_the_demo_agency_call_the_agency_api_and_keeps_the_admins_changes(
    settings, tmp_path, client
):
    settings.VAR_DIR = tmp_path
    agency = {"HTTP_X_ROAD_CLIENT": "MX-DEV/GOV/SAT/padron"}
    assert client.get("/api/v1/cambios", **agency).status_code == 403
    printed = _load()
    AgencyAccess.objects.filter(service=AgencyService.DOCUMENTS).update(active=False)
    _load()
    allowed = AgencyAccess.objects.filter(client="MX-DEV/GOV/SAT/padron")
    assert sorted(allowed.values_list("service", "active")) == [
        ("cambios", True),
        ("documentos", False),  # switched off in the admin, not switched back on
        ("empresas", True),
    ]
    assert all("load_demo_data" in note for note in allowed.values_list("note", flat=True))
    assert AgencyAccess.objects.count() == 3
    assert client.get("/api/v1/cambios", **agency).status_code == 200
    assert (
        "curl -H 'X-Road-Client: MX-DEV/GOV/SAT/padron' "
        f"{settings.XROAD_SECURITY_SERVER_URL}/r1/MX-DEV/GOV/QRO-SEDESU/registro/cambios"
    ) in printed


def test_demo_data_refuses_to_run_without_the_sandbox(settings):
    settings.SANDBOX = False
    with pytest.raises(CommandError, match="only with the sandbox"):
        _load()
