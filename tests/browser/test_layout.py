"""How the shell holds at the sizes people use: the signed-in header on one line at 1280 px,
and the documents table on a 390 px phone with its download link in view. Screenshots of each
case go to the test's temporary folder (or $LAYOUT_SCREENSHOTS) for a person to look at."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from companies.filing.names import normalise_name
from companies.models import Company, Document, LegalForm
from portal import roles
from tests.factories import EntrepreneurFactory, UserFactory, complete_application

pytestmark = pytest.mark.django_db(transaction=True)
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def shot(page: Page, tmp_path: Path, name: str) -> None:
    folder = Path(os.environ.get("LAYOUT_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def signed_in(new_page, user, viewport: dict[str, int], live_server) -> Page:
    client = Client()
    client.force_login(user)
    page = new_page()
    page.set_viewport_size(viewport)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page


def header_is_one_line(page: Page) -> None:
    """The brand, every link, the person's name, sign-out and the language button share one row."""
    row = page.locator(".header-row").bounding_box()
    items = page.locator(".header-row .brand, .nav-list > li, .language-switch button")
    assert row is not None and items.count() > 4
    tops = set()
    for n in range(items.count()):
        box = items.nth(n).bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= DESKTOP["width"], items.nth(n).inner_text()
        tops.add(round(box["y"] + box["height"] / 2))
    assert max(tops) - min(tops) <= 4, f"items on more than one line: {sorted(tops)}"
    assert row["height"] < 64


@pytest.mark.parametrize("language", ["es-MX", "en"])
def test_an_entrepreneurs_header_fits_one_line_at_1280(
    legal_forms, live_server, new_page, tmp_path, language
):
    ana = EntrepreneurFactory(first_name="Ana Sofía", last_name="Ramírez Olvera")
    page = signed_in(new_page, ana, DESKTOP, live_server)
    if language == "en":
        page.context.add_cookies(
            [{"name": "django_language", "value": "en", "url": live_server.url}]
        )
    page.goto("/solicitudes/")
    shot(page, tmp_path, f"header-entrepreneur-{language}")
    header_is_one_line(page)


@pytest.mark.parametrize("language", ["es-MX", "en"])
def test_a_supervisors_header_fits_one_line_at_1280(
    legal_forms, live_server, new_page, tmp_path, language
):
    """A supervisor sees every staff link: the longest header there is."""
    rosa = UserFactory(
        username="registradora",
        role=roles.SUPERVISORS,
        is_staff=True,
        first_name="Rosa María",
        last_name="Hernández Trejo",
    )
    page = signed_in(new_page, rosa, DESKTOP, live_server)
    if language == "en":
        page.context.add_cookies(
            [{"name": "django_language", "value": "en", "url": live_server.url}]
        )
    page.goto("/")
    shot(page, tmp_path, f"header-supervisor-{language}")
    header_is_one_line(page)


def company_with_document_rows() -> Company:
    ana = EntrepreneurFactory()
    application = complete_application(ana)
    company = Company.objects.create(
        registration_number="QRO-2026-000042",
        name="Tortillería La Esperanza, S.A.S.",
        normalised_name=normalise_name("Tortillería La Esperanza"),
        legal_form=LegalForm.objects.get(code="sas"),
        rfc="TES261126AB1",
        application=application,
        registered_at=datetime(2026, 12, 2, 20, 5, tzinfo=UTC),
    )
    for kind in Document.Kind.values:
        Document.objects.create(
            company=company,
            kind=kind,
            version=1,
            title=kind,
            file=f"documentos/{kind}.pdf",
            size=48_213,
            sha256="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            issued_at=datetime(2026, 12, 2, 20, 6, tzinfo=UTC),
        )
    return company


def test_on_a_phone_the_documents_table_shows_the_download_link(
    legal_forms, live_server, new_page, tmp_path
):
    company = company_with_document_rows()
    page = new_page()
    page.set_viewport_size(PHONE)
    page.goto(f"/empresas/{company.registration_number}/")
    link = page.locator("table.documents").get_by_role("link", name="Descargar PDF (47.1 KB)")
    expect(link).to_be_visible()
    shot(page, tmp_path, "documents-phone")
    box = link.bounding_box()  # where it is without scrolling sideways
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    scroller = page.locator(".table-scroll").filter(has=page.locator("table.documents"))
    assert scroller.evaluate("e => e.scrollWidth <= e.clientWidth"), "the table hides columns"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
