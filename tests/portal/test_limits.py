"""Requests too large to read get the portal's own page, in the person's language, whatever
DEBUG says; a field typed too long gets its own message with the text kept."""

from urllib.parse import urlencode

import pytest
from django import forms
from django.conf import settings
from django.urls import reverse

from companies.documents import forms as document_forms
from companies.filing import forms as filing_forms
from companies.filing import founder_forms
from companies.review import forms as review_forms
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
FORM_MODULES = (filing_forms, founder_forms, review_forms, document_forms)
SAVED = "Preparación y venta de tacos y tortas al público."


@pytest.fixture
def draft(client, applicant):
    client.force_login(applicant)
    return ApplicationFactory(filer=applicant, purpose=SAVED, activity_codes=["722514"])


def purpose_step(application) -> str:
    return reverse("companies:step", args=[application.public_id, "objeto"])


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def post_purpose(client, application, purpose: str):
    body = urlencode({"purpose": purpose, "activity_codes": "722514"})
    return client.post(purpose_step(application), body, content_type=FORM)


def test_a_5_mb_purpose_gets_its_own_message_and_the_text_back(client, draft, debug):
    typed = ("Venta de tacos al público. " * (5 * 1024 * 1024 // 27)).strip()
    response = post_purpose(client, draft, typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        f"Escribe el objeto social en un máximo de 4000 caracteres; escribiste {len(typed)}."
        in page
    )
    assert typed in page  # in the text area, whole: the person cuts it down there
    draft.refresh_from_db()
    assert draft.purpose == SAVED


def over_the_limit() -> str:
    return "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)


def test_a_body_over_the_limit_gets_the_portals_page_in_spanish(client, draft, debug):
    response = post_purpose(client, draft, over_the_limit())
    assert response.status_code == 413
    page = response.content.decode()
    assert "Lo que enviaste es demasiado grande" in page
    assert f'href="{purpose_step(draft)}"' in page  # back to the step: its saved draft
    draft.refresh_from_db()
    assert draft.purpose == SAVED


def test_a_body_over_the_limit_gets_the_portals_page_in_english(in_english, draft, debug):
    response = post_purpose(in_english, draft, over_the_limit())
    assert response.status_code == 413
    assert "What you sent is too large" in response.content.decode()


def test_too_many_fields_get_the_portals_page(client, draft, debug):
    fields = {f"field{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post(purpose_step(draft), urlencode(fields), content_type=FORM)
    assert response.status_code == 413
    assert "Lo que enviaste es demasiado grande" in response.content.decode()


def test_the_page_links_back_to_the_page_the_form_was_on(client, draft):
    response = client.post(
        reverse("companies:dashboard"),
        urlencode({"q": over_the_limit()}),
        content_type=FORM,
        headers={"Referer": "http://testserver" + purpose_step(draft)},
    )
    assert f'href="http://testserver{purpose_step(draft)}"' in response.content.decode()
    response = client.post(
        reverse("companies:dashboard"),
        urlencode({"q": over_the_limit()}),
        content_type=FORM,
        headers={"Referer": "https://elsewhere.example/"},
    )
    assert "elsewhere.example" not in response.content.decode()


def free_text_fields() -> list[object]:
    classes = [
        c
        for module in FORM_MODULES
        for c in vars(module).values()
        if isinstance(c, type) and issubclass(c, forms.BaseForm) and c.__module__ == module.__name__
    ]
    return [
        pytest.param(field, id=f"{form.__name__}.{name}")
        for form in classes
        for name, field in form.base_fields.items()
        if type(field) in (forms.CharField, forms.EmailField)
    ]


@pytest.mark.parametrize("field", free_text_fields())
def test_every_free_text_field_has_a_limit_and_says_it_in_its_own_words(field):
    assert field.max_length is not None and field.max_length <= 4000
    assert "max_length" in field.error_messages  # not Django's "Ensure this value has at most…"


def test_a_field_over_its_limit_is_named_with_its_limit_and_what_was_typed():
    form = filing_forms.OfficeForm(data={"street": "Avenida " * 20, "interior_number": "9" * 21})
    assert form.errors["street"] == [
        "Escribe la calle en un máximo de 120 caracteres; escribiste 159."
    ]
    assert form.errors["interior_number"] == [
        "Escribe el número interior en un máximo de 20 caracteres; escribiste 21."
    ]
