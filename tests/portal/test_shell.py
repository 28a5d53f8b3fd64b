import logging
import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from portal import roles
from portal.logging import RequestIdFilter

pytestmark = pytest.mark.django_db


def test_home_page_is_spanish_by_default(client: Client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="es-mx">' in html
    assert "Abre tu empresa en 24 horas" in html
    assert 'href="#main"' in html and 'id="main"' in html


def test_language_switch_turns_the_portal_english_and_back(client: Client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    assert '<html lang="en">' in response.content.decode()
    assert "Open your company in 24 hours" in response.content.decode()
    response = client.post("/i18n/setlang/", {"language": "es-mx", "next": "/"}, follow=True)
    assert "Abre tu empresa en 24 horas" in response.content.decode()


def test_unknown_url_gives_the_404_page_in_the_users_language(client: Client):
    response = client.get("/no-existe/")
    assert response.status_code == 404
    assert "No encontramos esta página" in response.content.decode()
    client.post("/i18n/setlang/", {"language": "en"})
    response = client.get("/no-existe/")
    assert "We could not find this page" in response.content.decode()


def test_post_without_csrf_token_gets_403_page_not_a_crash():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("portal:sign_in"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Tu formulario caducó" in response.content.decode()


def test_csp_forbids_inline_scripts_and_pages_have_none(client: Client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy)
    assert script_src is not None
    assert "'unsafe-inline'" not in script_src.group(1)
    assert "'unsafe-eval'" not in policy
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", response.content.decode(), re.S)
    assert scripts, "htmx must be loaded"
    assert all("src=" in attributes and body.strip() == "" for attributes, body in scripts)


def test_htmx_sends_the_csrf_token_from_body(client: Client):
    html = client.get("/").content.decode()
    assert re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"[^\"]+\"\}'>", html)


def test_every_response_carries_a_request_id_and_logs_it(client: Client, caplog):
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.INFO, logger="portal.access"):
        response = client.get("/", headers={"X-Request-ID": "proxy-given-id-123"})
    assert response.headers["X-Request-ID"] == "proxy-given-id-123"
    access = [r for r in caplog.records if r.name == "portal.access"]
    assert access and access[-1].request_id == "proxy-given-id-123"
    assert access[-1].status == 200


def test_unsafe_request_id_is_replaced_with_a_fresh_one(client: Client):
    response = client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_roles_exist_with_their_permissions():
    clerks = Group.objects.get(name=roles.CLERKS)
    supervisors = Group.objects.get(name=roles.SUPERVISORS)
    entrepreneurs = Group.objects.get(name=roles.ENTREPRENEURS)
    assert set(clerks.permissions.values_list("codename", flat=True)) == {"review_applications"}
    assert "supervise_review" in supervisors.permissions.values_list("codename", flat=True)
    assert list(entrepreneurs.permissions.values_list("codename", flat=True)) == [
        "file_applications"
    ]
    assert Group.objects.filter(name=roles.ADMINS).exists()


def test_the_clerks_are_the_active_clerks_and_supervisors_by_name(
    applicant, clerk, second_clerk, supervisor
):
    from tests.factories import UserFactory

    clerk.first_name, second_clerk.first_name, supervisor.first_name = "Rosa", "Luis", "Marta"
    for person in (clerk, second_clerk, supervisor):
        person.save()
    UserFactory(username="se-fue", role=roles.CLERKS, is_active=False)
    UserFactory(username="admin", role=roles.ADMINS)
    assert list(roles.clerks()) == [second_clerk, supervisor, clerk]


def test_sign_out_ends_the_session(client: Client, django_user_model):
    user = django_user_model.objects.create_user("ana")
    client.force_login(user)
    client.post(reverse("portal:sign_out"))
    assert client.get("/").context["user"].is_anonymous


def test_favicon_ico_leads_to_the_svg_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/static/img/favicon.svg")


POST_ONLY = ["portal:sign_out", "companies:new"]


@pytest.mark.parametrize("name", POST_ONLY)
@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("es-mx", "Esta dirección solo recibe un formulario"),
        ("en", "This address only takes a form"),
    ],
)
def test_get_on_a_post_only_address_answers_405_with_a_page_saying_what_to_do(
    client: Client, applicant, settings, name, language, words
):
    from django.utils import translation

    client.force_login(applicant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse(name), headers={"Referer": "http://testserver/solicitudes/"})
    html = response.content.decode()
    assert response.status_code == 405
    assert "POST" in response["Allow"] and "GET" not in response["Allow"]
    assert f'<html lang="{language}">' in html and 'id="main"' in html  # the site's shell
    assert words in html
    assert 'href="http://testserver/solicitudes/"' in html
    translation.deactivate()


def test_the_405_page_never_links_back_to_another_site(client: Client):
    response = client.get(reverse("portal:sign_out"), headers={"Referer": "https://evil.example/"})
    assert response.status_code == 405 and "evil.example" not in response.content.decode()


def test_a_form_sent_to_a_page_that_takes_none_gets_the_page_too(client: Client):
    response = client.post("/")
    assert response.status_code == 405 and response["Allow"] == "GET"
    assert "Esta página no recibe formularios" in response.content.decode()


@pytest.mark.parametrize(
    ("level", "spoken"),
    [("WARNING", "Atención:"), ("ERROR", "Problema:"), ("SUCCESS", None), ("INFO", None)],
)
def test_a_warning_is_told_in_words_not_only_in_colour(rf, level, spoken):
    """Screen readers do not see the border's colour: a warning or a problem says so in words."""
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.template.loader import render_to_string
    from django.utils import translation

    request = rf.get("/")
    request.user = AnonymousUser()
    with translation.override("es-mx"):
        page = render_to_string(
            "base.html",
            {"messages": [Message(getattr(constants, level), "Ana quedó en la solicitud.")]},
            request=request,
        )
    item = page.split('<ul class="messages">')[1].split("</ul>")[0]
    if spoken:
        assert f'<span class="visually-hidden">{spoken} </span>Ana quedó' in item
    else:
        assert "visually-hidden" not in item
