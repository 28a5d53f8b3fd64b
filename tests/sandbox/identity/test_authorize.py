"""The authorization endpoint: what it refuses, and the identity picker it shows."""

from __future__ import annotations

import re

import httpx
import pytest

from .flow import (
    ANA,
    IDENTITIES,
    ISSUER,
    PATRICIA,
    REDIRECT_URI,
    ROBERTO,
    authorize_params,
    form_token,
    new_pkce,
    redirect_query,
)

pytestmark = pytest.mark.anyio


def checked_curps(page: str) -> list[str]:
    return re.findall(r'name="curp" value="([A-Z0-9]+)" required checked', page)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"code_challenge": None, "code_challenge_method": None}, "invalid_request"),
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": "too-short"}, "invalid_request"),
        ({"nonce": None}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "profile email"}, "invalid_scope"),
        ({"prompt": "none"}, "login_required"),
        ({"prompt": "sometimes"}, "invalid_request"),
        ({"max_age": "five minutes"}, "invalid_request"),
    ],
)
async def test_bad_authorization_request_goes_back_to_the_client_with_an_error(
    client: httpx.AsyncClient, changes: dict[str, str | None], error: str
) -> None:
    response = await client.get("/authorize", params=authorize_params(new_pkce(), **changes))

    query = redirect_query(response)
    assert response.headers["location"].startswith(REDIRECT_URI)
    assert (query["error"], query["state"], query["iss"]) == (error, "state-123", ISSUER)
    assert query["error_description"]


async def test_authorization_request_without_pkce_says_pkce_is_required(
    client: httpx.AsyncClient,
) -> None:
    params = authorize_params(new_pkce(), code_challenge=None, code_challenge_method=None)

    query = redirect_query(await client.get("/authorize", params=params))

    assert "PKCE is required" in query["error_description"]


async def test_authorization_request_without_state_is_refused(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/authorize", params=authorize_params(new_pkce(), state=None))

    query = redirect_query(response)
    assert query["error"] == "invalid_request"
    assert "state" not in query


@pytest.mark.parametrize(
    "changes",
    [
        {"client_id": "nobody"},
        {"client_id": None},
        {"redirect_uri": "https://evil.test/oidc/callback/"},
        {"redirect_uri": "https://portal.test/oidc/callback"},
        {"redirect_uri": None},
    ],
)
async def test_unknown_client_or_redirect_uri_is_shown_to_the_person_not_redirected(
    client: httpx.AsyncClient, changes: dict[str, str | None]
) -> None:
    response = await client.get("/authorize", params=authorize_params(new_pkce(), **changes))

    assert response.status_code == 400
    assert "location" not in response.headers
    assert 'lang="es-MX"' in response.text
    assert "no está registrad" in response.text


async def test_repeated_parameter_is_refused(client: httpx.AsyncClient) -> None:
    params = httpx.QueryParams(authorize_params(new_pkce())).add("state", "another")

    response = await client.get("/authorize", params=params)

    assert response.status_code == 400
    assert "more than once" in response.text


async def test_picker_lists_the_identities_with_name_curp_and_status(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/authorize", params=authorize_params(new_pkce()))

    page = response.text
    assert response.status_code == 200
    assert "Identidad digital de Querétaro (entorno de prueba)" in page
    assert '<html lang="es-MX">' in page
    assert 'lang="en"' in page
    for index, identity in enumerate(IDENTITIES):
        assert f'id="identity-{index}" name="curp" value="{identity.curp}"' in page
        assert f'<label for="identity-{index}">' in page
        assert identity.name in page
    assert "CURP vigente" in page
    assert "Persona fallecida" in page
    assert "CURP dada de baja" in page
    assert checked_curps(page) == []


async def test_picker_has_no_inline_script_or_style_and_a_strict_csp(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/authorize", params=authorize_params(new_pkce()))

    page = response.text.lower()
    assert "<script" not in page
    assert "<style" not in page
    assert " style=" not in page
    assert not re.search(r"\son[a-z]+=", page)
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "form-action 'self' https://portal.test" in csp
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', response.text)
    assert stylesheet is not None
    css = await client.get(stylesheet.group(1))
    assert (css.status_code, css.headers["content-type"]) == (200, "text/css; charset=utf-8")


async def test_login_hint_preselects_that_curp(client: httpx.AsyncClient) -> None:
    params = authorize_params(new_pkce(), login_hint=ROBERTO.curp.lower())

    response = await client.get("/authorize", params=params)

    assert checked_curps(response.text) == [ROBERTO.curp]


async def test_login_hint_of_nobody_preselects_nothing(client: httpx.AsyncClient) -> None:
    params = authorize_params(new_pkce(), login_hint="RAOA900514MQTMLN93")

    response = await client.get("/authorize", params=params)

    assert checked_curps(response.text) == []


async def test_cancel_goes_back_with_access_denied(client: httpx.AsyncClient) -> None:
    token = form_token(await client.get("/authorize", params=authorize_params(new_pkce())))

    response = await client.post("/authorize", data={"form_token": token, "action": "cancel"})

    query = redirect_query(response)
    assert response.headers["location"].startswith(REDIRECT_URI)
    assert (query["error"], query["state"]) == ("access_denied", "state-123")
    assert "code" not in query


async def test_choosing_nobody_shows_the_picker_again_with_an_error(
    client: httpx.AsyncClient,
) -> None:
    token = form_token(await client.get("/authorize", params=authorize_params(new_pkce())))

    response = await client.post("/authorize", data={"form_token": token, "action": "continue"})

    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert f'value="{token}"' in response.text
    retry = await client.post("/authorize", data={"form_token": token, "curp": PATRICIA.curp})
    assert "code" in redirect_query(retry)


async def test_form_is_single_use(client: httpx.AsyncClient) -> None:
    token = form_token(await client.get("/authorize", params=authorize_params(new_pkce())))
    await client.post("/authorize", data={"form_token": token, "curp": ANA.curp})

    response = await client.post("/authorize", data={"form_token": token, "curp": ANA.curp})

    assert response.status_code == 400
    assert "location" not in response.headers


async def test_form_posted_from_another_browser_is_refused(
    client: httpx.AsyncClient,
) -> None:
    token = form_token(await client.get("/authorize", params=authorize_params(new_pkce())))
    client.cookies.clear()

    response = await client.post("/authorize", data={"form_token": token, "curp": ANA.curp})

    assert response.status_code == 400
    assert "location" not in response.headers


async def test_form_with_a_made_up_token_is_refused(client: httpx.AsyncClient) -> None:
    await client.get("/authorize", params=authorize_params(new_pkce()))

    response = await client.post("/authorize", data={"form_token": "guess", "curp": ANA.curp})

    assert response.status_code == 400


async def test_code_goes_to_the_registered_redirect_uri_with_state_and_issuer(
    client: httpx.AsyncClient,
) -> None:
    token = form_token(await client.get("/authorize", params=authorize_params(new_pkce())))

    response = await client.post("/authorize", data={"form_token": token, "curp": ANA.curp})

    assert response.status_code == 303
    assert response.headers["location"].startswith(f"{REDIRECT_URI}?code=")
    query = redirect_query(response)
    assert (query["state"], query["iss"]) == ("state-123", ISSUER)
