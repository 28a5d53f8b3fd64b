"""The repository alone runs the X-Road vectors: a user's clone has no shared/ folder beside it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.xroad_client import vectors

REPOSITORY = Path(__file__).resolve().parents[2]


def test_the_vectors_are_read_from_inside_the_repository(monkeypatch):
    monkeypatch.delenv("XROAD_VECTORS", raising=False)
    path = vectors.vectors_path().resolve()
    assert path.is_relative_to(REPOSITORY)
    assert path.is_file()


def test_the_vendored_vectors_keep_their_source_and_all_nineteen_cases():
    data = json.loads(vectors.VENDORED.read_text(encoding="utf-8"))
    assert data["schema"] == "xroad test vectors v1"
    assert "nordic-institute/X-Road" in data["generated_from"]
    assert len(data["vectors"]) == 19
    assert len({v["name"] for v in data["vectors"]}) == 19
