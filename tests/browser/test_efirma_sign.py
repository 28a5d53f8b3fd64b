"""Signing with the e.firma in Chromium (static/js/efirma.js on companies/_efirma_form.html):
the page reads the founder's .cer and .key, decrypts the key with the password, signs the bytes
the server hands out, and sends only the certificate and the signature. The endpoints are the
stand-ins of tests/browser/efirma_site.py; CSP is never bypassed."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, unquote_to_bytes

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from playwright.sync_api import Page, expect

from tests.browser import efirma_site

pytestmark = pytest.mark.urls("tests.browser.efirma_site")

WRONG_PASSWORD = "La contraseña de la clave privada no es correcta."
MISMATCH = "Este .key no es la clave privada de este .cer."
NOT_CERTIFICATE = "Este archivo no es un certificado de e.firma."
CER_DAMAGED = "El archivo del certificado (.cer) está dañado o incompleto."
KEY_DAMAGED = "El archivo de la clave privada (.key) está dañado o incompleto."
NOT_KEY = "Esta no es una clave privada de e.firma (.key)."
TOO_LARGE = "Este archivo pesa más de 64 KB"
MISSING = "Elige tu archivo .cer y tu archivo .key"
FAILED = "No se pudo enviar la firma."

# Every way a page can read a file, counted, so a test can tell a file was refused unread.
COUNT_READS = """
window.__reads = 0;
for (const [owner, names] of [
  [Blob.prototype, ["arrayBuffer", "text", "stream", "slice"]],
  [FileReader.prototype, ["readAsArrayBuffer", "readAsBinaryString", "readAsText", "readAsDataURL"]],
]) {
  for (const name of names) {
    const original = owner[name];
    owner[name] = function (...args) { window.__reads += 1; return original.apply(this, args); };
  }
}
"""


@pytest.fixture(autouse=True)
def nothing_received():
    efirma_site.received.clear()
    yield
    efirma_site.received.clear()


@pytest.fixture
def people(efirma_folder) -> Path:
    return efirma_folder / "personas"


@pytest.fixture
def signing_page(new_page, live_server):
    """The test page in Spanish, every request it makes recorded as (method, url, body)."""

    def make(path: str = "/prueba-efirma/", *, locale: str = "es-MX") -> Page:
        page = new_page(locale=locale)
        page.requests = []
        page.on(
            "request", lambda r: page.requests.append((r.method, r.url, r.post_data_buffer or b""))
        )
        page.add_init_script(COUNT_READS)
        page.base_url = live_server.url
        page.goto(path)
        expect(page.locator("[data-efirma]")).to_be_visible()  # the script has run
        return page

    return make


def upload(page: Page, cer: bytes, key: bytes, password: str) -> None:
    page.get_by_label("Certificado (.cer)").set_input_files(
        {"name": "mi.cer", "mimeType": "application/pkix-cert", "buffer": cer}
    )
    page.get_by_label("Clave privada (.key)").set_input_files(
        {"name": "mi.key", "mimeType": "application/octet-stream", "buffer": key}
    )
    page.get_by_label("Contraseña de la clave privada").fill(password)
    page.get_by_role("button", name="Firmar con mi e.firma").click()


def message(page: Page):
    return page.locator("[data-efirma-message]")


def posts(page: Page) -> list[tuple[str, bytes]]:
    return [(url, body) for method, url, body in page.requests if method != "GET"]


def private_key(people: Path, name: str, password: str) -> rsa.RSAPrivateKey:
    key = serialization.load_der_private_key(
        (people / f"{name}.key").read_bytes(), password.encode()
    )
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def key_material(people: Path, name: str, key_file: bytes, password: str) -> list[bytes]:
    """What must never leave the page: the password, the .key file, the decrypted key in its
    usual encodings, and its secret numbers as text and as big-endian bytes."""
    key = private_key(people, name, f"demo-{name}")
    numbers = key.private_numbers()
    encodings = [
        key.private_bytes(serialization.Encoding.DER, form, serialization.NoEncryption())
        for form in (
            serialization.PrivateFormat.PKCS8,
            serialization.PrivateFormat.TraditionalOpenSSL,
        )
    ]
    secrets = [password.encode(), key_file, *encodings]
    for number in (numbers.d, numbers.p, numbers.q):
        secrets += [number.to_bytes((number.bit_length() + 7) // 8), f"{number:x}".encode()]
        secrets.append(str(number).encode())
    return secrets + [base64.b64encode(secret) for secret in secrets]


def assert_signed_with(
    people: Path, page: Page, name: str, key_file: bytes, password: str, *, variant: str = "ok"
):
    """The page sent exactly two requests (four when told to sign again): the certificate (a
    multipart file, with the founder's id) to the prepare URL, then a signature over the bytes
    to sign that verifies with the certificate to the finish URL the answer named; nothing
    else, and nothing of the key, left the page."""
    page.wait_for_url("**/prueba-efirma/listo/firmado/")
    certificate_der = (people / f"{name}.cer").read_bytes()
    sent = posts(page)
    rounds = 2 if variant == "primero" else 1
    assert [url.removeprefix(page.base_url) for url, _ in sent] == [
        f"/prueba-efirma/preparar/{variant}/",
        f"/prueba-efirma/terminar/{variant}/",
    ] * rounds
    # The endpoints received what the browser sent, request by request (Chromium does not
    # report a multipart body holding a file, so the server's record of it is checked below).
    assert [what for what, *_ in efirma_site.received] == ["prepare", "finish"] * rounds
    for (what, _, _, body), (_, sent_body) in zip(efirma_site.received, sent, strict=True):
        assert what == "prepare" or body == sent_body
    public_key = x509.load_der_x509_certificate(certificate_der).public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    signatures = []
    to_sign = [efirma_site.TO_SIGN, efirma_site.TO_SIGN_AGAIN][:rounds]
    for turn, signed_bytes in enumerate(to_sign):
        (_, asked, files, _), (_, finished, finished_files, finish_body) = efirma_site.received[
            2 * turn : 2 * turn + 2
        ]
        assert asked == {"founder": [efirma_site.FOUNDER]}
        assert files == {"certificate": certificate_der}
        assert finished_files == {} and set(finished) == {"signature"}
        assert parse_qs(finish_body.decode("ascii")) == finished
        [signature_text] = finished["signature"]
        signature = base64.b64decode(signature_text, validate=True)
        assert base64.b64encode(signature).decode("ascii") == signature_text  # nothing after it
        assert len(signature) == public_key.key_size // 8
        public_key.verify(signature, signed_bytes, padding.PKCS1v15(), hashes.SHA256())
        signatures.append(signature)
    secrets = key_material(people, name, key_file, password)
    for _, url, body in page.requests:
        seen = [url.encode(), body, unquote_to_bytes(body.replace(b"+", b" ")), *signatures]
        assert not any(secret in each for secret in secrets for each in seen)
        assert url.startswith(page.base_url)  # no CDN: every request to the portal
    for _, fields, files, body in efirma_site.received:  # what reached the server, as it came
        seen = [body, *files.values(), *(v.encode() for vs in fields.values() for v in vs)]
        assert not any(secret in each for secret in secrets for each in seen)
    conflict = "the server responded with a status of 409 (Conflict)"  # Chromium's, when asked
    assert page.console_errors == ([f"Failed to load resource: {conflict}"] if rounds > 1 else [])


def test_ana_signs_and_only_her_certificate_and_the_signature_are_sent(signing_page, people):
    page = signing_page()
    key_file = (people / "ana.key").read_bytes()
    upload(page, (people / "ana.cer").read_bytes(), key_file, "demo-ana")
    assert_signed_with(people, page, "ana", key_file, "demo-ana")


def test_a_key_encrypted_with_3des_as_sat_writes_it_signs_too(signing_page, people, tmp_path):
    """SAT's .key files are PBES2 with DES-EDE3-CBC and PBKDF2's default HMAC-SHA1, which
    WebCrypto cannot decrypt; the vendored library can."""
    plain = tmp_path / "ana.pem"
    plain.write_bytes(
        private_key(people, "ana", "demo-ana").private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    sat_key = subprocess.run(
        ["openssl", "pkcs8", "-topk8", "-v2", "des3", "-v2prf", "hmacWithSHA1", "-in", str(plain),
         "-outform", "DER", "-passout", "pass:Clave SAT 2026"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    info = subprocess.run(
        ["openssl", "asn1parse", "-inform", "DER"], input=sat_key, check=True, capture_output=True
    ).stdout
    assert b"des-ede3-cbc" in info and b"hmacWithSHA256" not in info
    page = signing_page()
    upload(page, (people / "ana.cer").read_bytes(), sat_key, "Clave SAT 2026")
    assert_signed_with(people, page, "ana", sat_key, "Clave SAT 2026")


def test_a_wrong_password_is_told_in_the_page_and_nothing_is_sent(signing_page, people):
    page = signing_page()
    upload(page, (people / "ana.cer").read_bytes(), (people / "ana.key").read_bytes(), "demo-luz")
    expect(message(page)).to_contain_text(WRONG_PASSWORD)
    expect(page.get_by_label("Contraseña de la clave privada")).to_have_value("")
    expect(page.get_by_label("Contraseña de la clave privada")).to_be_focused()
    assert posts(page) == [] and efirma_site.received == []
    assert page.console_errors == []


def test_the_wrong_password_message_is_in_english_for_an_english_page(signing_page, people):
    page = signing_page(locale="en")  # the page was laid out in English by gettext
    page.get_by_label("Certificate (.cer)").set_input_files(people / "ana.cer")
    page.get_by_label("Private key (.key)").set_input_files(people / "ana.key")
    page.get_by_label("Password of the private key").fill("demo-ana-2")
    page.get_by_role("button", name="Sign with my e.firma").click()
    expect(message(page)).to_contain_text("The password of the private key is not correct.")
    assert posts(page) == []


def test_a_key_of_another_person_is_refused_before_anything_is_sent(signing_page, people):
    page = signing_page()
    cer = (people / "ana.cer").read_bytes()
    upload(page, cer, (people / "carlos.key").read_bytes(), "demo-carlos")
    expect(message(page)).to_contain_text(MISMATCH)
    assert posts(page) == [] and efirma_site.received == []


@pytest.mark.parametrize(
    ("cer", "key", "expected"),
    [
        ("garbage", "ana.key", CER_DAMAGED),
        ("truncated", "ana.key", CER_DAMAGED),
        ("ana.key", "ana.key", NOT_CERTIFICATE),
        ("ana.cer", "garbage", KEY_DAMAGED),
        ("ana.cer", "truncated", KEY_DAMAGED),
        ("ana.cer", "ana.cer", NOT_KEY),
        ("ana.cer", "plain", NOT_KEY),
    ],
)
def test_files_that_are_not_an_efirma_are_told_apart(signing_page, people, cer, key, expected):
    ana_cer, ana_key = (people / "ana.cer").read_bytes(), (people / "ana.key").read_bytes()
    plain = private_key(people, "ana", "demo-ana").private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    files = {
        "ana.cer": ana_cer,
        "ana.key": ana_key,
        "plain": plain,  # a PKCS#8 key without a password is not what SAT hands out
        "garbage": bytes(range(256)) * 8,
    }
    page = signing_page()
    upload(
        page,
        ana_cer[: len(ana_cer) // 2] if cer == "truncated" else files[cer],
        ana_key[: len(ana_key) - 40] if key == "truncated" else files[key],
        "demo-ana",
    )
    expect(message(page)).to_contain_text(expected)
    assert posts(page) == [] and efirma_site.received == []
    assert page.console_errors == []


@pytest.mark.parametrize("which", ["cer", "key"])
def test_a_file_over_64_kb_is_refused_before_it_is_read(signing_page, people, which):
    big = b"0" * (64 * 1024 + 1)
    cer, key = (people / "ana.cer").read_bytes(), (people / "ana.key").read_bytes()
    page = signing_page()
    upload(page, big if which == "cer" else cer, big if which == "key" else key, "demo-ana")
    expect(message(page)).to_contain_text(TOO_LARGE)
    assert page.evaluate("window.__reads") == 0  # neither file: both sizes are checked first
    assert posts(page) == []


def test_a_missing_file_is_asked_for(signing_page):
    page = signing_page()
    page.get_by_label("Contraseña de la clave privada").fill("demo-ana")
    page.get_by_role("button", name="Firmar con mi e.firma").click()
    expect(message(page)).to_contain_text(MISSING)
    expect(page.get_by_label("Certificado (.cer)")).to_be_focused()
    assert posts(page) == []


def test_the_servers_refusal_is_shown_and_nothing_is_signed(signing_page, people):
    page = signing_page("/prueba-efirma/revocado/")
    upload(page, (people / "ana.cer").read_bytes(), (people / "ana.key").read_bytes(), "demo-ana")
    expect(message(page)).to_contain_text(efirma_site.REFUSAL)
    assert [what for what, *_ in efirma_site.received] == ["prepare"]


def test_when_someone_signed_first_the_page_prepares_again_and_signs_the_new_bytes(
    signing_page, people
):
    page = signing_page("/prueba-efirma/primero/")
    key_file = (people / "ana.key").read_bytes()
    upload(page, (people / "ana.cer").read_bytes(), key_file, "demo-ana")
    assert_signed_with(people, page, "ana", key_file, "demo-ana", variant="primero")


def test_it_prepares_again_only_once(signing_page, people):
    page = signing_page("/prueba-efirma/otra-vez/")
    upload(page, (people / "ana.cer").read_bytes(), (people / "ana.key").read_bytes(), "demo-ana")
    expect(message(page)).to_contain_text("Otra persona firmó primero.")
    assert [what for what, *_ in efirma_site.received] == ["prepare", "finish"] * 2
    expect(page.get_by_role("button", name="Firmar con mi e.firma")).to_be_enabled()


def test_a_signature_waiting_for_sat_is_told_and_the_page_stays(signing_page, people):
    page = signing_page("/prueba-efirma/espera/")
    upload(page, (people / "ana.cer").read_bytes(), (people / "ana.key").read_bytes(), "demo-ana")
    expect(message(page)).to_contain_text("Esperamos al SAT.")
    assert page.url.endswith("/prueba-efirma/espera/")
    assert [what for what, *_ in efirma_site.received] == ["prepare", "finish"]


def test_a_server_that_fails_is_told_and_the_founder_can_try_again(signing_page, people):
    page = signing_page("/prueba-efirma/averiado/")
    upload(page, (people / "ana.cer").read_bytes(), (people / "ana.key").read_bytes(), "demo-ana")
    expect(message(page)).to_contain_text(FAILED)
    expect(page.get_by_role("button", name="Firmar con mi e.firma")).to_be_enabled()
    assert [what for what, *_ in efirma_site.received] == ["prepare", "finish"]


def test_without_javascript_the_form_is_not_offered(new_page, live_server):
    """The inputs have no name either: a form submitted without the script sends none of them."""
    page = new_page(javascript=False)
    page.goto("/prueba-efirma/")
    expect(page.locator("[data-efirma]")).to_be_hidden()
    names = page.locator("[data-efirma] input:not([type=hidden])").evaluate_all(
        "inputs => inputs.map(input => input.name)"
    )
    assert names == ["", "", ""]


def test_the_form_and_its_messages_have_no_axe_violations(new_page, live_server, people):
    from tests.browser.test_accessibility import violations

    page = new_page(bypass_csp=True)  # only so that axe itself can be injected
    page.goto("/prueba-efirma/")
    expect(page.locator("[data-efirma]")).to_be_visible()
    assert violations(page) == []
    upload(page, (people / "ana.cer").read_bytes(), (people / "ana.key").read_bytes(), "x")
    expect(message(page)).to_contain_text(WRONG_PASSWORD)
    assert violations(page) == []
