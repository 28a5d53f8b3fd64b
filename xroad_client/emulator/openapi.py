"""getOpenAPI's anonymiser: hide where the provider lives, as a Security Server does.

The rule is Openapi3Anonymiser's (X-Road 7.x): every ``servers[].url`` becomes the path of
that URL (``https://sat.example/api/v1`` -> ``/api/v1``, ``https://sat.example`` -> ``""``);
a URL with a variable (``{`` and ``}``) stays as it is. A document whose ``openapi`` is not
a string starting with ``3.`` is refused; one without ``openapi`` passes unchanged.

JSON is rewritten as JSON. YAML is rewritten in place, line by line, so the rest of the text
stays as the provider wrote it (a real Security Server re-serialises it; the meaning is the
same). Only the block form of ``servers:`` is rewritten.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import unquote, urlsplit

__all__ = ["OpenApiRefused", "anonymised_openapi", "anonymised_openapi_text", "server_path"]

_YAML_TOP_KEY: Final = re.compile(r"^([A-Za-z_][\w-]*|\"[^\"]*\"|'[^']*')\s*:(.*)$")
_YAML_URL: Final = re.compile(r"^(\s*(?:-\s+)?)url(\s*:\s*)(.*?)(\s+#.*)?$")
_YAML_NUMBER: Final = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


class OpenApiRefused(ValueError):
    """The description cannot be served (answered as ``Server.ServerProxy.InternalError``)."""


def server_path(url: str) -> str:
    """What a ``servers[].url`` becomes: its path, unless it holds a variable."""
    if "{" in url and "}" in url:
        return url
    try:
        return unquote(urlsplit(url).path)
    except ValueError as exc:
        raise OpenApiRefused(f"Can't parse url string: {url}") from exc


def _check_version(version: object, present: bool) -> None:
    if not present:
        return
    if isinstance(version, str) and version.startswith("3."):
        return
    raise OpenApiRefused(
        "Incompatible openapi version. Openapi version 3 or greater expected. "
        f"Given openapi document is of version {json.dumps(version)}"
    )


def anonymised_openapi(document: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of an OpenAPI document (as parsed JSON) with its server URLs anonymised."""
    _check_version(document.get("openapi"), "openapi" in document)
    result = copy.deepcopy(dict(document))
    servers = result.get("servers")
    if isinstance(servers, list):
        for server in servers:
            if isinstance(server, dict) and isinstance(server.get("url"), str):
                server["url"] = server_path(server["url"])
    return result


def anonymised_openapi_text(text: str) -> str:
    """The same for a description given as text: JSON when it is a JSON object, else YAML."""
    if text.lstrip().startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            return json.dumps(anonymised_openapi(parsed), ensure_ascii=False)
    return _anonymised_yaml(text)


def _yaml_scalar(raw: str) -> tuple[object, str]:
    """A plain or quoted YAML scalar: its value and the quote used ("" for plain)."""
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1], raw[0]
    if _YAML_NUMBER.fullmatch(raw):
        return float(raw) if any(c in raw for c in ".eE") else int(raw), ""
    return raw, ""


def _yaml_quoted(value: str, quote: str) -> str:
    if quote == "'":
        return "'" + value.replace("'", "''") + "'"
    if quote or not value or value[0] in "{[&*!|>'\"%@`#" or ": " in value:
        return json.dumps(value, ensure_ascii=False)
    return value


def _anonymised_yaml(text: str) -> str:
    lines = text.splitlines(keepends=True)
    in_servers = False
    for index, line in enumerate(lines):
        body = line.rstrip("\r\n")
        top = _YAML_TOP_KEY.match(body)
        if top is not None:
            key = top.group(1).strip("'\"")
            if key == "openapi":
                value, _ = _yaml_scalar(re.sub(r"\s+#.*$", "", top.group(2)))
                _check_version(value, True)
            in_servers = key == "servers"
            continue
        if not in_servers or not body.strip() or body.lstrip().startswith("#"):
            continue
        found = _YAML_URL.match(body)
        if found is None:
            continue
        value, quote = _yaml_scalar(found.group(3))
        if isinstance(value, str):
            new = _yaml_quoted(server_path(value), quote)
            ending = line[len(body) :]
            lines[index] = f"{found.group(1)}url{found.group(2)}{new}{found.group(4) or ''}{ending}"
    return "".join(lines)
