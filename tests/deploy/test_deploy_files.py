"""deploy/ stays true to the code: what the env template lists, settings read; what the systemd
units start, exists; the proxy checks the health view the portal has."""

import importlib
import re
import shlex
from configparser import ConfigParser
from pathlib import Path

import pytest
from django.core.management import get_commands
from django.urls import resolve

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
INSTALLED = "/opt/empresa24/"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
# Read by a library rather than by portal/settings.py.
READ_ELSEWHERE = {"PROMETHEUS_MULTIPROC_DIR"}


def template_variables() -> list[str]:
    text = (DEPLOY / "empresa24.env.template").read_text(encoding="utf-8")
    return re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE)


def read_by_settings(name: str) -> bool:
    source = (ROOT / "portal" / "settings.py").read_text(encoding="utf-8")
    base = name.removesuffix("_FILE")
    secret = f'env.env_secret("{base}")' in source
    return f'"{name}"' in source or (name.endswith("_FILE") and secret)


def test_the_env_template_lists_only_variables_the_settings_read():
    names = template_variables()
    assert len(names) > 30
    unknown = [n for n in names if not read_by_settings(n) and n not in READ_ELSEWHERE]
    assert unknown == []


def test_the_env_template_holds_no_secret_values():
    for name in template_variables():
        if any(word in name for word in ("SECRET", "PASSWORD", "TOKEN", "ACCESS_KEY")):
            assert name.endswith("_FILE"), f"{name}: give a *_FILE path, not the secret"


def unit(path: Path) -> ConfigParser:
    parser = ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser


def exec_lines(path: Path) -> list[list[str]]:
    lines = [
        line.split("=", 1)[1]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith(("ExecStart=", "ExecStartPre="))
    ]
    return [shlex.split(line) for line in lines]


def local(program: str) -> Path:
    assert program.startswith(INSTALLED), program
    return ROOT / program.removeprefix(INSTALLED)


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_every_unit_starts_a_command_that_exists(path: Path):
    assert unit(path).has_section("Service")
    commands = [c for c in exec_lines(path) if not c[0].startswith("/bin/")]
    assert commands
    for command in commands:
        program = Path(command[0]).name
        if program == "gunicorn":
            config = command[command.index("-c") + 1]
            assert local(config).is_file()
            module, attribute = command[-1].split(":")
            assert callable(getattr(importlib.import_module(module), attribute))
        elif program == "celery":
            assert command[command.index("-A") + 1] == "portal"
            assert command[command.index("-A") + 2] in {"worker", "beat"}
            importlib.import_module("portal.celery")
            if "--queues" in command:
                assert command[command.index("--queues") + 1] == "celery"  # the default queue
        elif program == "python":
            assert command[1] == "manage.py"
            assert command[2] in get_commands()
        else:
            pytest.fail(f"{path.name}: unknown program {command[0]}")


def test_exactly_one_beat_and_the_workers_take_late_acknowledged_tasks():
    beats = [p for p in UNITS if any("beat" in c for cmd in exec_lines(p) for c in cmd)]
    assert [p.name for p in beats] == ["empresa24-beat.service"]
    from portal.celery import app

    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost


def test_the_proxy_checks_the_portals_health_view():
    text = (DEPLOY / "nginx" / "empresa24.conf").read_text(encoding="utf-8")
    assert "location = /healthz" in text
    assert resolve("/healthz").view_name == "healthz"
    upstreams = re.findall(r"^\s*server\s+[\d.]+:(\d+)", text, flags=re.MULTILINE)
    assert len(upstreams) == 2
    bind = (DEPLOY / "gunicorn.conf.py").read_text(encoding="utf-8")
    assert all(f":{port}" in bind for port in upstreams)
