"""The agency API's errors: a stable English ``code`` for programs, a message for people.

Every refusal is JSON ``{"code": ..., "message": ..., "errors": [...]}``; codes never change
meaning once published (agencies branch on them), messages may be reworded. The API speaks
Spanish whatever the caller's Accept-Language: every URL of it runs under ``in_spanish``, and
what would otherwise reach the agency in English (pydantic's validation messages, ninja's 404
and 405, an address the API does not have) is worded here. A 304 Not Modified carries no body
at all, as HTTP requires.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

logger = logging.getLogger(__name__)
LANGUAGE = "es-mx"


class ErrorCode(enum.StrEnum):
    MISSING_CLIENT = "missing_client"
    INVALID_CLIENT = "invalid_client"
    ACCESS_DENIED = "access_denied"
    UNTRUSTED_CONNECTION = "untrusted_connection"
    NOT_FOUND = "not_found"
    INVALID_RFC = "invalid_rfc"
    INVALID_CURSOR = "invalid_cursor"
    INVALID_QUERY = "invalid_query"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    INTERNAL_ERROR = "internal_error"


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


class ApiError(Exception):
    """A refusal the client can act on; the exception handler turns it into the JSON body."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        status: int = 400,
        errors: Sequence[FieldProblem] = (),
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.errors = tuple(errors)

    def body(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "message": self.message,
            "errors": [{"field": e.field, "message": e.message} for e in self.errors],
        }


def company_not_found(number: str) -> ApiError:
    return ApiError(
        ErrorCode.NOT_FOUND,
        _("No company with registration number %(number)s is in the register.")
        % {"number": number},
        status=404,
    )


# A failed query parameter gets its own code where agencies need to tell the cases apart.
FIELD_CODES = {"after": ErrorCode.INVALID_CURSOR, "rfc": ErrorCode.INVALID_RFC}


# pydantic's error types as the parameters of this API can meet them; its own messages are
# English. Placeholders are the error's context (``ge``, ``max_length``...).
VALIDATION_MESSAGES = {
    "missing": gettext_noop("This parameter is required."),
    "int_parsing": gettext_noop("Write a whole number, with digits only."),
    "int_type": gettext_noop("Write a whole number, with digits only."),
    "int_from_float": gettext_noop("Write a whole number, with digits only."),
    "greater_than_equal": gettext_noop("It must be %(ge)s or more."),
    "greater_than": gettext_noop("It must be more than %(gt)s."),
    "less_than_equal": gettext_noop("It must be %(le)s or less."),
    "less_than": gettext_noop("It must be less than %(lt)s."),
    "string_too_long": gettext_noop("It can have at most %(max_length)s characters."),
    "string_too_short": gettext_noop("It needs at least %(min_length)s characters."),
    "literal_error": gettext_noop("It must be one of: %(expected)s."),
    "enum": gettext_noop("It must be one of: %(expected)s."),
}
INVALID_VALUE = gettext_noop("This value is not valid.")


def validation_message(error: dict[str, Any]) -> str:
    """A pydantic error in words for people, in the active language."""
    template = VALIDATION_MESSAGES.get(str(error.get("type", "")), INVALID_VALUE)
    context = {key: str(value) for key, value in (error.get("ctx") or {}).items()}
    if "expected" in context:  # pydantic joins the choices with an English "or"
        context["expected"] = context["expected"].replace(" or ", ", ")
    try:
        return _(template) % context if "%(" in template else _(template)
    except (KeyError, ValueError, TypeError):
        return _(INVALID_VALUE)


def from_validation(exc: ValidationError) -> ApiError:
    problems = [
        FieldProblem(
            field=str(error["loc"][-1]) if error.get("loc") else "",
            message=validation_message(error),
        )
        for error in exc.errors
    ]
    codes = {FIELD_CODES[p.field] for p in problems if p.field in FIELD_CODES}
    code = codes.pop() if len(codes) == 1 else ErrorCode.INVALID_QUERY
    message = _("The request's parameters are not valid: see errors for each one.")
    return ApiError(code, message, errors=problems)


def install_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return api.create_response(request, exc.body(), status=exc.status)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api_error(request, from_validation(exc))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api_error(request, unknown_address())

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api_error(request, from_http_error(exc.status_code))

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("agency API failed on %s", request.path)
        message = _("The register could not answer; try again later.")
        return api_error(request, ApiError(ErrorCode.INTERNAL_ERROR, message, status=500))


def unknown_address() -> ApiError:
    message = _("The API has no such address: its operations are listed in openapi.json.")
    return ApiError(ErrorCode.NOT_FOUND, message, status=404)


def from_http_error(status: int) -> ApiError:
    """ninja's own refusals (authentication, throttling), whose messages are English."""
    if status == 401:
        message = _("Requests must carry the X-Road-Client header of the calling subsystem.")
        return ApiError(ErrorCode.MISSING_CLIENT, message, status=401)
    if status == 403:
        return ApiError(ErrorCode.ACCESS_DENIED, _("This subsystem may not do this."), status=403)
    if status == 404:
        return unknown_address()
    return ApiError(
        ErrorCode.INVALID_QUERY, _("The register cannot answer this request."), status=status
    )


def method_not_allowed(allowed: str) -> ApiError:
    message = _("This address only answers %(methods)s.") % {"methods": allowed}
    return ApiError(ErrorCode.METHOD_NOT_ALLOWED, message, status=405)


View = Callable[..., HttpResponseBase]


def in_spanish(view: View) -> View:
    """One URL of the API, answered in Spanish, its refusals outside ninja's handlers as JSON
    errors too (the root, which raises 404; a method an address does not take)."""

    @wraps(view)
    def spanish(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with translation.override(LANGUAGE):
            try:
                response = view(request, *args, **kwargs)
            except Http404:
                return as_response(unknown_address())
            if response.status_code == 405:
                allowed = response.get("Allow", "")
                response = as_response(method_not_allowed(allowed))
                response["Allow"] = allowed
            return response

    return spanish


def as_response(error: ApiError) -> JsonResponse:
    return JsonResponse(error.body(), status=error.status)


def no_such_address(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return as_response(unknown_address())
