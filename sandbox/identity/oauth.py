"""OAuth 2.0 on the wire: errors (RFC 6749 5.2, RFC 6750 3) and form-encoded bodies."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
MAX_FORM_BYTES = 64 * 1024
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


class OAuthError(Exception):
    """A refusal sent as `{"error": ..., "error_description": ...}`."""

    def __init__(
        self,
        error: str,
        description: str,
        *,
        status: int = 400,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.headers = dict(headers or {})


def invalid_request(description: str) -> OAuthError:
    return OAuthError("invalid_request", description)


def invalid_grant(description: str) -> OAuthError:
    return OAuthError("invalid_grant", description)


def oauth_error_response(error: OAuthError) -> JSONResponse:
    body = {"error": error.error, "error_description": error.description}
    return JSONResponse(body, status_code=error.status, headers={**NO_STORE, **error.headers})


async def oauth_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OAuthError)
    return oauth_error_response(exc)


def single_values(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Parameters by name; a name given twice is refused (RFC 6749 section 3.1)."""
    values: dict[str, str] = {}
    for name, value in pairs:
        if name in values:
            raise invalid_request(f"The parameter {name!r} is given more than once.")
        values[name] = value
    return values


async def read_form(request: Request) -> dict[str, str]:
    """An `application/x-www-form-urlencoded` body, as OAuth endpoints take them."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_CONTENT_TYPE:
        raise invalid_request(f"The body must be {FORM_CONTENT_TYPE}.")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise invalid_request(f"The body is larger than {MAX_FORM_BYTES} bytes.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise invalid_request("The body is not UTF-8.") from exc
    return single_values(parse_qsl(text, keep_blank_values=True))
