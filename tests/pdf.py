"""Reading the PDFs the portal issues, as a person (their text) or a forger (one byte changed)."""

from __future__ import annotations

from io import BytesIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PdfFileWriter
from pypdf import PdfReader


def text_of(pdf: bytes) -> str:
    """The PDF's text with whitespace collapsed, so that wrapped lines read as one."""
    pages = PdfReader(BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def flip(data: bytes, position: int) -> bytes:
    """``data`` with one bit of the byte at ``position`` changed."""
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]


def blank_pdf() -> bytes:
    """A one-page PDF with nothing on it."""
    writer = PdfFileWriter()
    box = generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)])
    page = {
        generic.pdf_name("/Type"): generic.pdf_name("/Page"),
        generic.pdf_name("/MediaBox"): box,
    }
    writer.insert_page(generic.DictionaryObject(page))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
