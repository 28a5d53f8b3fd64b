"""The provider's HTML: the identity picker, error and signed-out pages, and their stylesheet.

Spanish first (`lang="es-MX"`) with an English line; no scripts and no inline styles, so
the pages work under the strict Content-Security-Policy that `html_headers` sets.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import NamedTuple
from urllib.parse import urlsplit

from sandbox.identity.models import Identity, IdentityStatus

TITLE = "Identidad digital de Querétaro (entorno de prueba)"
TITLE_EN = "Querétaro e-identity (sandbox)"

STATUS_LABELS: dict[IdentityStatus, str] = {
    "active": "CURP vigente",
    "deceased": "Persona fallecida",
    "withdrawn": "CURP dada de baja",
}

STYLESHEET = """\
body { font-family: system-ui, sans-serif; margin: 0; color: #1b1b1b; background: #f6f6f4; }
.sandbox-banner { background: #7a1f3d; color: #fff; padding: 0.75rem 1.5rem; }
.sandbox-banner p { margin: 0.2rem 0; }
main { max-width: 46rem; margin: 1.5rem auto; padding: 0 1.5rem; }
fieldset { border: 1px solid #999; border-radius: 0.4rem; padding: 0.5rem 1rem; background: #fff; }
legend { font-weight: 600; padding: 0 0.3rem; }
.identity { display: flex; gap: 0.6rem; align-items: baseline; padding: 0.5rem 0;
  border-bottom: 1px solid #e4e4e4; }
.identity:last-child { border-bottom: 0; }
.identity label { display: flex; flex-wrap: wrap; gap: 0.2rem 0.8rem; cursor: pointer; }
.curp { font-family: ui-monospace, monospace; }
.status-deceased, .status-withdrawn { color: #8a1010; font-weight: 600; }
.note { color: #555; font-size: 0.9em; }
.error { color: #8a1010; font-weight: 600; }
.actions { display: flex; gap: 1rem; margin-top: 1.2rem; }
button { font-size: 1rem; padding: 0.5rem 1.2rem; border-radius: 0.3rem; border: 1px solid #333; }
button[value="continue"] { background: #7a1f3d; color: #fff; border-color: #7a1f3d; }
dl.signing { background: #fff; border: 1px solid #999; border-radius: 0.4rem; padding: 0.5rem 1rem; }
dl.signing dt { font-weight: 600; margin-top: 0.6rem; }
dl.signing dd { margin: 0.2rem 0 0; overflow-wrap: anywhere; }
.hash { font-family: ui-monospace, monospace; word-spacing: 0.3em; }
:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
"""


class Message(NamedTuple):
    """What to tell a person, in Spanish and in English."""

    es: str
    en: str


class Picker(NamedTuple):
    client_label: str
    redirect_uri: str
    form_token: str
    action_url: str
    preselected_curp: str | None = None
    error: Message | None = None


class SigningRequest(NamedTuple):
    """What the step-up page shows before a remote signature: who asks, what is signed, with
    which certificate, and the form that confirms it."""

    client_label: str
    redirect_uri: str
    form_token: str
    action_url: str
    document: str
    digest: bytes
    holder_name: str
    holder_curp: str
    certificate_serial: str
    certificate_issuer: str
    certificate_valid_until: str


def html_headers(*, form_targets: Sequence[str] = ()) -> dict[str, str]:
    """A strict CSP; forms may post here and be redirected to `form_targets` (origins)."""
    form_action = " ".join(["'self'", *form_targets])
    policy = (
        "default-src 'none'; style-src 'self'; img-src 'self'; "
        f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
    )
    return {
        "Content-Security-Policy": policy,
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }


def origin_of(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}"


def picker_page(picker: Picker, identities: Sequence[Identity], *, stylesheet_url: str) -> str:
    options = "\n".join(
        _identity_option(index, identity, checked=identity.curp == picker.preselected_curp)
        for index, identity in enumerate(identities)
    )
    error = _error_paragraph(picker.error) if picker.error else ""
    described_by = ' aria-describedby="picker-error"' if picker.error else ""
    body = f"""\
<h1>{escape(TITLE)}</h1>
<p><strong>{escape(picker.client_label)}</strong> solicita que te identifiques.
Al continuar volverás a <span class="curp">{escape(origin_of(picker.redirect_uri))}</span>.</p>
<p lang="en">{escape(picker.client_label)} asks you to sign in. Pick a test identity.</p>
{error}<form method="post" action="{escape(picker.action_url)}">
<input type="hidden" name="form_token" value="{escape(picker.form_token)}">
<fieldset{described_by}>
<legend>Elige una identidad de prueba <span lang="en">(choose a test identity)</span></legend>
{options}
</fieldset>
<div class="actions">
<button type="submit" name="action" value="continue">Continuar</button>
<button type="submit" name="action" value="cancel" formnovalidate>Cancelar</button>
</div>
</form>"""
    return _page(TITLE, body, stylesheet_url=stylesheet_url)


def signing_page(signing: SigningRequest, *, stylesheet_url: str) -> str:
    """The step-up before a remote signature: the person sees the document and its hash and
    confirms with Firmar (or Cancelar). A plain form: it works without JavaScript."""
    document = signing.document or "(sin nombre / unnamed)"
    body = f"""\
<h1>Firma electrónica remota <span lang="en">(remote signature)</span></h1>
<p><strong>{escape(signing.client_label)}</strong> solicita tu firma con tu e.firma.
Revisa qué firmas; al continuar volverás a \
<span class="curp">{escape(origin_of(signing.redirect_uri))}</span>.</p>
<p lang="en">{escape(signing.client_label)} asks you to sign with your e.firma. Check what you \
are signing.</p>
<dl class="signing">
<dt>Documento <span lang="en">(document)</span></dt>
<dd id="document">{escape(document)}</dd>
<dt>Huella SHA-256 de lo que firmas <span lang="en">(SHA-256 hash being signed)</span></dt>
<dd class="hash" id="hash">{escape(_grouped_hex(signing.digest))}</dd>
<dt>Firmante <span lang="en">(signer)</span></dt>
<dd>{escape(signing.holder_name)} · <span class="curp">CURP {escape(signing.holder_curp)}</span></dd>
<dt>Certificado <span lang="en">(certificate)</span></dt>
<dd>No. de serie <span class="curp">{escape(signing.certificate_serial)}</span>, \
emitido por {escape(signing.certificate_issuer)}, vigente hasta \
{escape(signing.certificate_valid_until)}</dd>
</dl>
<p>Firmas una sola vez y solo esta huella: si el documento cambia, tendrás que firmar de nuevo.</p>
<p lang="en">This signs this hash only, once: if the document changes you will sign again.</p>
<form method="post" action="{escape(signing.action_url)}">
<input type="hidden" name="form_token" value="{escape(signing.form_token)}">
<div class="actions">
<button type="submit" name="action" value="continue">Firmar <span lang="en">(sign)</span>\
</button>
<button type="submit" name="action" value="cancel">Cancelar <span lang="en">(cancel)</span>\
</button>
</div>
</form>"""
    return _page(f"Firma electrónica remota · {TITLE}", body, stylesheet_url=stylesheet_url)


def _grouped_hex(digest: bytes) -> str:
    text = digest.hex()
    return " ".join(text[i : i + 8] for i in range(0, len(text), 8))


def error_page(title: Message, message: Message, *, stylesheet_url: str) -> str:
    body = f"""\
<h1>{escape(title.es)}</h1>
<p role="alert">{escape(message.es)}</p>
<p lang="en">{escape(title.en)}: {escape(message.en)}</p>"""
    return _page(f"{title.es} · {TITLE}", body, stylesheet_url=stylesheet_url)


def signed_out_page(note: Message | None, *, stylesheet_url: str) -> str:
    extra = f'<p>{escape(note.es)}</p>\n<p lang="en">{escape(note.en)}</p>' if note else ""
    body = f"""\
<h1>Sesión cerrada</h1>
<p>El proveedor de identidad de prueba no guarda sesiones: ya puedes cerrar esta ventana.</p>
<p lang="en">Signed out. The sandbox keeps no session; you may close this window.</p>
{extra}"""
    return _page(f"Sesión cerrada · {TITLE}", body, stylesheet_url=stylesheet_url)


def _identity_option(index: int, identity: Identity, *, checked: bool) -> str:
    field_id = f"identity-{index}"
    note = f' <span class="note" lang="en">{escape(identity.description)}</span>'
    return f"""\
<div class="identity">
<input type="radio" id="{field_id}" name="curp" value="{escape(identity.curp)}" required\
{" checked" if checked else ""}>
<label for="{field_id}"><span class="name">{escape(identity.name)}</span>
<span class="curp">CURP {escape(identity.curp)}</span>
<span class="status status-{identity.status}">{escape(STATUS_LABELS[identity.status])}</span>\
{note if identity.description else ""}</label>
</div>"""


def _error_paragraph(error: Message) -> str:
    return (
        f'<p class="error" id="picker-error" role="alert">{escape(error.es)} '
        f'<span lang="en">{escape(error.en)}</span></p>\n'
    )


def _page(title: str, body: str, *, stylesheet_url: str) -> str:
    return f"""\
<!DOCTYPE html>
<html lang="es-MX">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{escape(title)}</title>
<link rel="stylesheet" href="{escape(stylesheet_url)}">
</head>
<body>
<header class="sandbox-banner">
<p><strong>Entorno de prueba.</strong> No es el servicio real de identidad digital del \
Estado de Querétaro: solo personas ficticias, sin contraseña.</p>
<p lang="en">Sandbox, not the real Querétaro e-identity: fictitious people only, no password.</p>
</header>
<main>
{body}
</main>
</body>
</html>
"""
