"""Reading the PDFs the portal issues, as a person (their text) or a forger (one byte changed)."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader


def text_of(pdf: bytes) -> str:
    """The PDF's text with whitespace collapsed, so that wrapped lines read as one."""
    pages = PdfReader(BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def flip(data: bytes, position: int) -> bytes:
    """``data`` with one bit of the byte at ``position`` changed."""
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]
