import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

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


def test_demo_data_refuses_to_run_without_the_sandbox(settings):
    settings.SANDBOX = False
    with pytest.raises(CommandError, match="only with the sandbox"):
        _load()
