import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOG = Path(__file__).resolve().parents[2] / "locale" / "es_MX" / "LC_MESSAGES" / "django.po"


def test_every_message_has_a_reviewed_spanish_translation():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="es_MX")
    untranslated = [
        m.id
        for m in catalog
        if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []
    assert len(catalog) > 50


# Participles that would agree with a person's gender ("fue verificada"); we do not reliably
# know it, so messages about a person use wording that reads right for anyone.
GENDERED = re.compile(
    r"\b(verificad|agregad|añadid|invitad|registrad|inscrit|quitad|eliminad|rechazad|fallecid)"
    r"[oa]s?\b",
    re.IGNORECASE,
)
ABOUT_A_PERSON = ("%(person)s", "%(filer)s", "%(clerk)s")


def test_messages_about_a_person_read_right_whatever_their_gender():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="es_MX")
    gendered = [
        m.string
        for m in catalog
        if isinstance(m.id, str)
        and isinstance(m.string, str)
        and any(p in m.id for p in ABOUT_A_PERSON)
        and GENDERED.search(m.string)
    ]
    assert gendered == []


def test_each_message_is_translated_once():
    """Two branches may each add the same English words with different Spanish ("Filed by":
    presentado, presentada); gettext keeps one of them silently, so the catalogue must not hold
    a message twice in the same context (the other one gets a context of its own)."""
    seen: dict[tuple[str | None, str], int] = {}
    current_context: str | None = None
    duplicates = []
    for number, line in enumerate(CATALOG.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("msgctxt "):
            current_context = line[len("msgctxt ") :]
        elif line.startswith("msgid ") and line != 'msgid ""':
            key = (current_context, line[len("msgid ") :])
            if key in seen:
                duplicates.append((line, seen[key], number))
            seen[key] = number
            current_context = None
        elif line.startswith("msgid "):
            current_context = None
    assert duplicates == []
