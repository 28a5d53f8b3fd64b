"""The registry's documents (certificate, articles, register) and the seal on them."""

from __future__ import annotations

import re
from decimal import Decimal
from io import BytesIO, StringIO
from pathlib import Path

import pytest
import segno
from defusedxml import ElementTree
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from pypdf import PdfReader
from weasyprint.urls import path2url

from companies.documents import codes, rendering, seal
from companies.filing import versions
from companies.filing.articles import clauses
from companies.models import Company, Signature
from tests.factories import CompanyFounderFactory, complete_application, registered_company
from tests.pdf import flip, text_of

pytestmark = pytest.mark.django_db

PDFAID = "http://www.aiim.org/pdfa/ns/id/"
PDF_NS = "http://ns.adobe.com/pdf/1.3/"


def in_spanish(message: str) -> str:
    with translation.override("es-mx"):
        return translation.gettext(message)


# -- What the documents say ----------------------------------------------------------------


def test_certificate_shows_the_register_entry_and_the_verification_code(company):
    text = text_of(rendering.render_certificate(company))
    for expected in (
        f"QRO-{timezone.localdate().year}-000123",  # the register's 123rd entry of the year
        "Tortillería La Esperanza, S.A.S.",
        "TES261126AB1",
        "MXN 10,000.00",
        "Av. Zaragoza 10",
        "C.P. 76000",
        "Ana Sofía Ramírez Olvera",  # the administrator
        codes.code_of(company),
    ):
        assert expected in text
    assert "Carlos Eduardo Mendoza Reséndiz" not in text  # not an administrator


def test_certificate_says_the_rfc_is_being_issued_until_the_tax_registry_gives_it(applicant):
    company = registered_company(complete_application(applicant), number=123)
    text = text_of(rendering.render_certificate(company))
    assert in_spanish("being issued by the tax registry") in text
    assert "en trámite" in text


def test_articles_have_the_clauses_founders_and_each_founders_signature(company):
    application = company.application
    text = text_of(rendering.render_articles(company))
    with translation.override("es-mx"):
        chosen = clauses(application, application.articles)
    for clause in chosen:
        assert clause.title in text
    assert " ".join(chosen[3].text.split()) in text  # the duration chosen in the options
    assert "Ana Sofía Ramírez Olvera" in text and "Carlos Eduardo Mendoza Reséndiz" in text
    assert "6,000.00" in text and "4,000.00" in text and "10,000.00" in text
    assert "RAOA************01" in text and "MERC************00" in text
    assert "RAOA900514MQTMLN01" not in text and "MERC851102HQTNSR00" not in text
    assert versions.current(application).sha256 in text


def test_a_founder_without_an_approval_is_listed_without_a_hash(applicant):
    application = complete_application(applicant)
    company = registered_company(application, number=123)
    Signature.objects.filter(founder__curp="MERC851102HQTNSR00").delete()
    lines = rendering.signature_lines(application, list(application.founders.all()))
    assert [(line.masked_curp, bool(line.sha256)) for line in lines] == [
        ("RAOA************01", True),
        ("MERC************00", False),
    ]
    assert company.registration_number in text_of(rendering.render_articles(company))


@pytest.mark.parametrize(
    ("legal_form", "title"),
    [("sas", "Register of shares"), ("s-de-rl-de-cv", "Register of partners")],
)
def test_the_register_is_of_shares_or_of_partners_by_legal_form(applicant, legal_form, title):
    company = registered_company(complete_application(applicant, legal_form=legal_form), number=123)
    text = text_of(rendering.render_register(company))
    assert in_spanish(title) in text
    assert "Ana Sofía Ramírez Olvera" in text and "Carlos Eduardo Mendoza Reséndiz" in text
    assert "6,000.00" in text and "60.00" in text and "40.00" in text


def test_masked_curp_shows_the_first_four_and_last_two_characters():
    assert rendering.mask_curp("RAOA900514MQTMLN01") == "RAOA************01"


def test_a_company_without_an_application_has_no_documents(company):
    company.application = None
    with pytest.raises(rendering.DocumentError, match=f"QRO-{timezone.localdate().year}-000123"):
        rendering.render_certificate(company)


# -- The verification code and the QR ------------------------------------------------------


def test_verification_code_is_stable_grouped_unambiguous_and_keyed(company, settings):
    code = codes.code_of(company)
    assert re.fullmatch(r"([2-9A-HJ-NP-Z]{4}-){3}[2-9A-HJ-NP-Z]{4}", code)
    assert codes.code_of(Company.objects.get(pk=company.pk)) == code
    other = Company(registration_number="QRO-2026-000124")
    assert codes.code_of(other) != code
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert codes.derive(company.registration_number) != code
    unstored = Company(registration_number=company.registration_number)  # registered before codes
    assert codes.code_of(unstored) != code
    assert codes.code_of(company) == code  # stored at registration: a new key orphans no code


def dark_modules(svg: str) -> tuple[int, set[tuple[int, int]]]:
    """Read segno's SVG back: its size and the (row, column) of each dark module.

    segno draws each row's dark runs as horizontal strokes ("M x y" / "m dx dy" then "h n") on
    the module's centre line (y + 0.5)."""
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    path = re.search(r'<path[^>]* d="([^"]+)"', svg).group(1)
    x = y = 0.0
    dark = set()
    for command, numbers in re.findall(r"([MmHh])([-\d.\s]+)", path):
        values = [float(n) for n in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        else:
            end = values[0] if command == "H" else x + values[0]
            dark |= {(int(y), column) for column in range(int(x), int(end))}
            x = end
    return size, dark


def test_the_qr_code_on_the_certificate_encodes_the_verification_url(company, settings):
    settings.PORTAL_BASE_URL = "https://empresa24.queretaro.gob.mx"
    html = rendering.document_html(rendering.CERTIFICATE, rendering.certificate_context, company)
    svg = re.search(r"<svg.*?</svg>", html, re.DOTALL).group(0)
    url = f"https://empresa24.queretaro.gob.mx/verificar/{codes.code_of(company)}"
    assert url in html  # printed for people too

    expected = segno.make(url, error="m", micro=False)
    border = 4
    size, dark = dark_modules(svg)
    assert size == len(expected.matrix) + 2 * border
    assert dark == {
        (row + border, column + border)
        for row, line in enumerate(expected.matrix)
        for column, module in enumerate(line)
        if module
    }
    different = segno.make(url.replace("verificar", "verify"), error="m", micro=False)
    assert different.matrix != expected.matrix  # the comparison does tell URLs apart


# -- PDF/A, tags, fonts --------------------------------------------------------------------


def xmp_values(reader: PdfReader, namespace: str, name: str) -> set[str]:
    """A property of the XMP packet, written as an attribute or as an element."""
    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    key = f"{{{namespace}}}{name}"
    found = set()
    for element in ElementTree.fromstring(metadata).iter():
        if key in element.attrib:
            found.add(element.attrib[key])
        if element.tag == key and element.text:
            found.add(element.text)
    return found


@pytest.mark.parametrize(
    "render", [rendering.render_certificate, rendering.render_articles, rendering.render_register]
)
def test_documents_are_tagged_pdf_a_3u_in_spanish_with_embedded_fonts(company, render):
    reader = PdfReader(BytesIO(render(company)))
    root = reader.trailer["/Root"]
    assert xmp_values(reader, PDFAID, "part") == {"3"}
    assert xmp_values(reader, PDFAID, "conformance") == {"U"}
    assert root["/Lang"] == "es-MX"
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    assert reader.metadata.title.endswith("Tortillería La Esperanza, S.A.S.")
    assert "/OutputIntents" in root
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            described = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            assert "/FontFile2" in described["/FontDescriptor"]  # embedded
            assert "E24-" in font["/BaseFont"]  # ours, from static/fonts


# -- Loading resources -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/print.css",
        "https://example.com/fonts/DejaVuSans.ttf",
        "ftp://example.com/logo.png",
        "data:text/css,body{color:red}",
        "file:///etc/passwd",
        path2url(str(rendering.STATIC_DIR.parent / "pyproject.toml")),
        path2url(str(rendering.STATIC_DIR)) + "../pyproject.toml",
        "file://example.com" + str(rendering.STYLESHEET),
    ],
)
def test_the_url_fetcher_refuses_anything_but_our_static_files(url):
    with pytest.raises(rendering.ResourceRefused):
        rendering.StaticFilesOnly(rendering.STATIC_DIR).fetch(url)


def test_the_url_fetcher_serves_our_static_files():
    fetcher = rendering.StaticFilesOnly(rendering.STATIC_DIR)
    response = fetcher.fetch(path2url(str(rendering.STATIC_DIR / "fonts" / "DejaVuSans.ttf")))
    assert response.read() == (rendering.STATIC_DIR / "fonts" / "DejaVuSans.ttf").read_bytes()


def test_a_document_that_asks_for_the_network_is_not_rendered():
    html = (
        '<html lang="es-MX"><title>x</title><img src="https://example.com/logo.png" alt=""></html>'
    )
    with pytest.raises(rendering.ResourceRefused):
        rendering.write_pdf(html)


def test_fonts_and_stylesheet_are_built_once_and_reused(company, monkeypatch):
    built = {"fonts": 0, "stylesheets": 0}
    real_fonts, real_css = rendering.FontConfiguration, rendering.CSS

    def counting_fonts():
        built["fonts"] += 1
        return real_fonts()

    def counting_css(**kwargs):
        built["stylesheets"] += 1
        return real_css(**kwargs)

    monkeypatch.setattr(rendering, "FontConfiguration", counting_fonts)
    monkeypatch.setattr(rendering, "CSS", counting_css)
    rendering.resources.cache_clear()
    try:
        rendering.render_certificate(company)
        rendering.render_articles(company)
        rendering.render_register(company)
        assert built == {"fonts": 1, "stylesheets": 1}
        assert rendering.resources.cache_info().hits >= 2
    finally:
        rendering.resources.cache_clear()


# -- The seal --------------------------------------------------------------------------------


@pytest.fixture
def sealed_certificate(company) -> tuple[bytes, bytes]:
    pdf = rendering.render_certificate(company)
    return pdf, seal.seal_pdf(pdf)


def test_the_seal_validates_and_leaves_the_pdf_a_as_it_was(sealed_certificate):
    pdf, sealed = sealed_certificate
    check = seal.validate_seal(sealed)
    assert check == seal.SealCheck(valid=True, intact=True, signer=seal.REGISTRY_NAME, problem="")
    assert sealed.startswith(pdf)  # an incremental update: the drawn PDF/A is untouched
    reader = PdfReader(BytesIO(sealed))
    assert xmp_values(reader, PDFAID, "part") == {"3"}
    assert xmp_values(reader, PDFAID, "conformance") == {"U"}
    assert xmp_values(reader, PDF_NS, "Producer") == {reader.metadata.producer}
    signature = reader.get_fields()[seal.SEAL_FIELD]["/V"]
    assert signature["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert signature["/Name"] == seal.REGISTRY_NAME


def test_the_articles_can_be_sealed_too(company):
    assert seal.validate_seal(seal.seal_pdf(rendering.render_articles(company))).valid


def test_one_altered_byte_in_the_signed_bytes_breaks_the_seal(sealed_certificate):
    _, sealed = sealed_certificate
    # Line 2 is a binary comment: the file still reads, and only the digest can tell.
    check = seal.validate_seal(flip(sealed, len(b"%PDF-1.7\n%") + 1))
    assert not check.valid and not check.intact
    with translation.override("es-mx"):
        assert check.problem == translation.gettext("The document was changed after it was sealed.")


def test_one_altered_byte_anywhere_in_the_signed_ranges_breaks_the_seal(sealed_certificate):
    _, sealed = sealed_certificate
    numbers = re.search(rb"/ByteRange\s*\[\s*(\d+) (\d+) (\d+) (\d+)", sealed).groups()
    first, first_length, second, second_length = (int(n) for n in numbers)
    signed = [*range(first, first + first_length), *range(second, second + second_length)]
    for position in signed[:: len(signed) // 40]:
        check = seal.validate_seal(flip(sealed, position))  # never raises, whatever the damage
        assert not check.valid and check.problem, position


def test_a_seal_made_with_another_key_is_not_the_registrys(company, settings, tmp_path):
    trusted = settings.SEAL_CERT_PATH
    call_command(
        "make_seal_key", key=tmp_path / "k.pem", cert=tmp_path / "c.pem", stdout=StringIO()
    )
    settings.SEAL_KEY_PATH, settings.SEAL_CERT_PATH = tmp_path / "k.pem", tmp_path / "c.pem"
    forged = seal.seal_pdf(rendering.render_certificate(company))
    settings.SEAL_CERT_PATH = trusted
    check = seal.validate_seal(forged)
    assert check.intact and not check.valid
    assert check.problem


def test_a_seal_key_replaced_in_its_place_seals_the_next_document(company, settings, tmp_path):
    """The key is read once per process, and read again when its file changes."""
    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    call_command("make_seal_key", key=key, cert=cert, stdout=StringIO())
    settings.SEAL_KEY_PATH, settings.SEAL_CERT_PATH = key, cert
    pdf = rendering.render_register(company)
    assert seal.validate_seal(seal.seal_pdf(pdf)).valid
    call_command("make_seal_key", key=key, cert=cert, force=True, stdout=StringIO())
    check = seal.validate_seal(seal.seal_pdf(pdf))
    assert check.valid, check.problem


def test_an_unsealed_pdf_has_no_seal(company):
    check = seal.validate_seal(rendering.render_register(company))
    assert not check.valid and not check.intact and check.signer == ""


def test_sealing_without_a_key_says_which_file_is_missing(settings, tmp_path):
    settings.SEAL_KEY_PATH = tmp_path / "missing-key.pem"
    with pytest.raises(seal.SealUnavailable, match=r"missing-key\.pem"):
        seal.seal_pdf(b"%PDF-1.7\n")


def test_seal_paths_default_to_the_var_folder(settings):
    del settings.SEAL_KEY_PATH
    del settings.SEAL_CERT_PATH
    assert seal.key_path() == Path(settings.VAR_DIR) / "seal" / "seal-key.pem"
    assert seal.cert_path() == Path(settings.VAR_DIR) / "seal" / "seal-cert.pem"


def test_make_seal_key_keeps_an_existing_key_unless_forced(tmp_path):
    key, cert = tmp_path / "seal" / "k.pem", tmp_path / "seal" / "c.pem"
    call_command("make_seal_key", key=key, cert=cert, stdout=StringIO())
    first = key.read_bytes()
    assert key.stat().st_mode & 0o777 == 0o600
    with pytest.raises(CommandError, match="--force"):
        call_command("make_seal_key", key=key, cert=cert, stdout=StringIO())
    assert key.read_bytes() == first
    call_command("make_seal_key", key=key, cert=cert, force=True, stdout=StringIO())
    assert key.read_bytes() != first


def test_sas_articles_state_the_revenue_cap_from_the_legal_forms_data(applicant):
    sas = complete_application(applicant)
    assert sas.legal_form is not None
    sas.legal_form.revenue_cap = Decimal("7076469.38")
    sas.legal_form.save()
    with translation.override("es-mx"):
        text = " ".join(c.text for c in clauses(sas, sas.articles))
    assert "7,076,469.38" in text
    assert "controlar al mismo tiempo una sociedad de otra forma" in text
    sa = complete_application(applicant, legal_form="sa-de-cv")
    assert not [c for c in clauses(sa, sa.articles) if "7,076,469.38" in c.text]


# -- A company among the founders --------------------------------------------------------------


@pytest.fixture
def company_with_a_company_founder(applicant):
    application = complete_application(
        applicant,
        legal_form="sa-de-cv",
        founders=[("RAOA900514MQTMLN01", "Ana Sofía", "Ramírez", "Olvera", "6000", True)],
    )
    CompanyFounderFactory(application=application, contribution=Decimal("4000"))
    return registered_company(application, number=124)


def test_a_company_founder_is_shown_by_name_masked_rfc_and_representative(
    company_with_a_company_founder,
):
    represented = in_spanish("represented by %(person)s") % {
        "person": "Carlos Eduardo Mendoza Reséndiz"
    }
    for render in (rendering.render_articles, rendering.render_register):
        text = text_of(render(company_with_a_company_founder))
        assert "Constructora Jurica, S.A. de C.V." in text
        assert "CJU1******85" in text and "CJU150610I85" not in text
        assert represented in text
        assert "MERC851102HQTNSR00" not in text and "MERC************00" not in text
        assert "RAOA************01" in text  # Ana, a person, still by her masked CURP


def test_the_signature_of_a_company_is_its_representatives(company_with_a_company_founder):
    application = company_with_a_company_founder.application
    lines = rendering.signature_lines(application, list(application.founders.all()))
    company_line = next(line for line in lines if line.is_company)
    assert (
        company_line.name,
        company_line.masked_rfc,
        company_line.representative,
        bool(company_line.sha256),
    ) == (
        "Constructora Jurica, S.A. de C.V.",
        "CJU1******85",
        "Carlos Eduardo Mendoza Reséndiz",
        True,
    )
    html = rendering.document_html(
        rendering.ARTICLES, rendering.articles_context, company_with_a_company_founder
    )
    signed_for = in_spanish("represented by %(person)s, who signed on its behalf") % {
        "person": "Carlos Eduardo Mendoza Reséndiz"
    }
    assert signed_for in html


def test_masked_rfc_keeps_the_first_four_and_last_two_characters():
    assert rendering.mask_rfc("CJU150610I85") == "CJU1******85"


def test_the_register_numbers_the_shares_and_the_articles_count_them(applicant):
    application = complete_application(applicant, legal_form="sa-de-cv")
    application.share_value = Decimal("1000")
    application.save()
    company = registered_company(application, number=123)
    text = text_of(rendering.render_register(company))
    assert "núm. 1 a 6" in text and "núm. 7 a 10" in text
    assert "valor nominal de MXN 1,000.00" in text
    articles = text_of(rendering.render_articles(company))
    assert "10 acciones nominativas con valor nominal de MXN 1,000.00 cada una" in articles


def test_partners_hold_one_part_each_and_no_share_numbers(applicant):
    company = registered_company(
        complete_application(applicant, legal_form="s-de-rl-de-cv"), number=123
    )
    assert "núm. 1 a" not in text_of(rendering.render_register(company))
    articles = text_of(rendering.render_articles(company))
    assert "Cada socio tiene una parte social, del valor de su aportación." in articles
