"""The agency API's errors: a stable English ``code`` for programs, a message for people.

Every refusal is JSON ``{"code": ..., "message": ..., "errors": [...]}``; codes never change
meaning once published (agencies branch on them), messages may be reworded and translated.
A 304 Not Modified carries no body at all, as HTTP requires.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError

logger = logging.getLogger(__name__)


class ErrorCode(enum.StrEnum):
    MISSING_CLIENT = "missing_client"
    INVALID_CLIENT = "invalid_client"
    ACCESS_DENIED = "access_denied"
    UNTRUSTED_CONNECTION = "untrusted_connection"
    NOT_FOUND = "not_found"
    INVALID_RFC = "invalid_rfc"
    INVALID_CURSOR = "invalid_cursor"
    INVALID_QUERY = "invalid_query"
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


def from_validation(exc: ValidationError) -> ApiError:
    problems = [
        FieldProblem(field=str(error["loc"][-1]) if error.get("loc") else "", message=error["msg"])
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

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("agency API failed on %s", request.path)
        message = _("The register could not answer; try again later.")
        return api_error(request, ApiError(ErrorCode.INTERNAL_ERROR, message, status=500))
