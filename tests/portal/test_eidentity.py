"""Sign-in with the e-identity: the real code flow against the sandbox provider, with the
population registry asked over X-Road on the first sign-in."""

import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.test import Client

from portal.models import User

pytestmark = pytest.mark.django_db


def sign_in_with_eidentity(client: Client, curp: str):
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302
    authorize = start.url
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    with httpx.Client() as browser:
        picker = browser.get(authorize)
        token = re.search(r'name="form_token" value="([^"]+)"', picker.text).group(1)
        chosen = browser.post(
            str(picker.url).split("?")[0], data={"form_token": token, "curp": curp}
        )
    callback = urlsplit(chosen.headers["location"])
    return client.get(f"{callback.path}?{callback.query}", follow=True)


def test_first_sign_in_creates_the_entrepreneur_with_the_registrys_names(
    client, identity_provider, xroad_sandbox
):
    response = sign_in_with_eidentity(client, "RAOA900514MQTMLN01")
    user = response.context["user"]
    assert user.is_authenticated and user.curp == "RAOA900514MQTMLN01"
    assert (user.first_name, user.last_name) == ("Ana Sofía", "Ramírez Olvera")
    assert user.groups.filter(name="entrepreneurs").exists()
    assert not user.has_usable_password()
    assert client.session["eid_auth_time"] > 0
    assert response.request["PATH_INFO"] == "/solicitudes/"


def test_signing_in_again_finds_the_same_person(client, identity_provider, xroad_sandbox):
    sign_in_with_eidentity(client, "RAOA900514MQTMLN01")
    client.post("/salir/")
    sign_in_with_eidentity(client, "RAOA900514MQTMLN01")
    assert User.objects.filter(curp="RAOA900514MQTMLN01").count() == 1


@pytest.mark.parametrize(
    ("curp", "message"),
    [
        ("SAGR500127HQTLMB07", "persona fallecida"),
        ("LUVP930921MSPNGT06", "fue dada de baja"),
    ],
)
def test_a_deceased_or_withdrawn_curp_gets_no_account(
    client, identity_provider, xroad_sandbox, curp, message
):
    response = sign_in_with_eidentity(client, curp)
    assert response.context["user"].is_anonymous
    assert message in response.content.decode()
    assert not User.objects.filter(curp=curp).exists()


def test_registry_down_still_lets_a_valid_identity_in_with_its_names(
    client, identity_provider, xroad_sandbox
):
    from xroad_client.emulator import FaultSpec

    xroad_sandbox.inject_fault("MX-DEV/GOV/RENAPO/poblacion/personas", FaultSpec(down=True))
    response = sign_in_with_eidentity(client, "MERC851102HQTNSR00")
    user = response.context["user"]
    assert user.is_authenticated
    assert (user.first_name, user.last_name) == ("Carlos Eduardo", "Mendoza Reséndiz")


def test_the_sign_in_token_is_kept_for_the_remote_signing_service(
    client, identity_provider, xroad_sandbox
):
    from companies.signatures import remote

    sign_in_with_eidentity(client, "RAOA900514MQTMLN01")

    token = client.session["oidc_access_token"]
    assert remote.signing_credential(token) == "efirma-30001000000500000001"
