"""Every benchmark, one after the other, and at the end one table of their headline figures:
what `make bench` runs.

    python benchmarks/summary.py [script ...]    (default: every benchmarks/*.py but _*.py)

The convention: besides its own report, a benchmark prints one line per headline figure,
at the end of ``main()``:

    HEADLINE <name> <number> <what the number is, in words>

``<name>`` has no spaces (``register_api``, ``queue_at_100000``); ``<number>`` is the ratio to
the benchmark's baseline where there is one (the agency API against the bare Django view: 0.61,
more is better, said in ``<what>``), otherwise the figure itself with its unit in ``<what>``
(``0.76`` "s from submission to registered, p50"). The runner passes each script's output
through as it comes, lists a script that printed no headline, and exits non-zero after the
table if any script failed.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PREFIX = "HEADLINE "


@dataclass(frozen=True)
class Headline:
    script: str
    name: str
    number: str
    what: str


def run(script: Path) -> tuple[list[Headline], int, float]:
    """The script's headlines, its exit code and how long it took; its output passes through."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=HERE.parent,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    assert process.stdout is not None
    headlines = []
    for line in process.stdout:
        print(line, end="", flush=True)
        if line.startswith(PREFIX):
            name, number, what = [*line[len(PREFIX) :].split(maxsplit=2), "", ""][:3]
            headlines.append(Headline(script.name, name, number, what.strip()))
    return headlines, process.wait(), time.perf_counter() - started


def table(rows: list[Headline], failed: list[str], silent: list[str]) -> str:
    name_width = max([len(r.name) for r in rows] + [len("figure")])
    lines = [f"  {'figure':<{name_width}}  {'value':>8}  what", "  " + "-" * (name_width + 40)]
    lines += [f"  {r.name:<{name_width}}  {r.number:>8}  {r.what}" for r in rows]
    lines += [f"  {script}: FAILED" for script in failed]
    lines += [f"  {script}: printed no HEADLINE line" for script in silent]
    return "\n".join(lines)


def main() -> int:
    chosen = [HERE / name for name in sys.argv[1:]] or sorted(
        p for p in HERE.glob("*.py") if not p.name.startswith("_") and p.name != "summary.py"
    )
    rows: list[Headline] = []
    failed: list[str] = []
    silent: list[str] = []
    for script in chosen:
        print(f"== {script.name}", flush=True)
        headlines, code, seconds = run(script)
        print(f"   ({seconds:.0f} s)\n", flush=True)
        rows += headlines
        if code != 0:
            failed.append(script.name)
        elif not headlines:
            silent.append(script.name)
    print("== Headlines")
    print(table(rows, failed, silent))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
