"""Payments stand-in: payment references (líneas de captura) for the state's fees.

X-Road: `MX-DEV/GOV/QRO-FINANZAS/pagos`, service `referencias`. The portal creates a
reference and polls its status; `POST .../pay` plays the bank that collects the money.
A reference is pending until paid, and expired when unpaid past its `expires_at`.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import re
import secrets
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from stdnum import luhn

from sandbox.providers.http import (
    RegistryError,
    error_reply,
    invalid_field,
    json_body,
    json_reply,
    openapi_document,
    optional_text,
    path_parameter,
    read_json_object,
    registry_app,
    required_text,
)
from sandbox.providers.seed import load_records

PAYMENT_REFERENCES_FILE = "payment_references.json"
CURRENCY = "MXN"
VALIDITY = datetime.timedelta(days=3)
MEXICO_CENTRAL = datetime.timezone(datetime.timedelta(hours=-6), "CST")

PaymentStatus = Literal["pending", "paid", "expired"]
PAYMENT_STATUSES: tuple[PaymentStatus, ...] = ("pending", "paid", "expired")
Clock = Callable[[], datetime.datetime]

_REFERENCE = re.compile(r"^QRO[0-9]{10}$")
_AMOUNT = re.compile(r"^[0-9]{1,9}(\.[0-9]{1,2})?$")


def mexico_now() -> datetime.datetime:
    return datetime.datetime.now(MEXICO_CENTRAL).replace(microsecond=0)


def reference_with_check_digit(serial: str) -> str:
    """`QRO` + a 9-digit serial + a Luhn check digit, e.g. QRO0000000018."""
    return f"QRO{serial}{luhn.calc_check_digit(serial)}"


def parse_reference(raw: str) -> str:
    reference = raw.upper()
    if not _REFERENCE.match(reference) or not luhn.is_valid(reference[3:]):
        message = f"Reference {raw!r} must be QRO and 10 digits, the last a Luhn check digit."
        raise RegistryError(400, "invalid_reference", message)
    return reference


def parse_amount(body: dict[str, Any]) -> Decimal:
    value = body.get("amount")
    if not isinstance(value, str) or not _AMOUNT.match(value) or Decimal(value) <= 0:
        raise invalid_field("amount", "a positive amount in pesos as a string, e.g. '1450.00'.")
    return Decimal(value).quantize(Decimal("0.01"))


def _timestamp(moment: datetime.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")


@dataclasses.dataclass
class PaymentReference:
    reference: str
    amount: Decimal
    concept: str
    created_at: datetime.datetime
    expires_at: datetime.datetime
    paid_at: datetime.datetime | None = None
    client_key: str | None = None

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> PaymentReference:
        paid_at = record["paid_at"]
        return cls(
            reference=record["reference"],
            amount=Decimal(record["amount"]),
            concept=record["concept"],
            created_at=datetime.datetime.fromisoformat(record["created_at"]),
            expires_at=datetime.datetime.fromisoformat(record["expires_at"]),
            paid_at=None if paid_at is None else datetime.datetime.fromisoformat(paid_at),
            client_key=record["client_key"],
        )

    def status(self, now: datetime.datetime) -> PaymentStatus:
        if self.paid_at is not None:
            return "paid"
        return "expired" if now >= self.expires_at else "pending"

    def describe(self, now: datetime.datetime) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "amount": f"{self.amount:.2f}",
            "currency": CURRENCY,
            "concept": self.concept,
            "status": self.status(now),
            "created_at": _timestamp(self.created_at),
            "expires_at": _timestamp(self.expires_at),
            "paid_at": _timestamp(self.paid_at),
            "client_key": self.client_key,
        }


class PaymentRegistry:
    """Payment references of this instance: the seed ones plus those created since."""

    def __init__(self, references: list[PaymentReference], clock: Clock) -> None:
        self.clock = clock
        self._by_reference = {r.reference: r for r in references}
        self._by_client_key = {r.client_key: r for r in references if r.client_key}

    @classmethod
    def from_seed(cls, data_dir: Path | str | None, clock: Clock) -> PaymentRegistry:
        records = load_records(data_dir, PAYMENT_REFERENCES_FILE)
        return cls([PaymentReference.from_record(record) for record in records], clock)

    def reference(self, reference: str) -> PaymentReference:
        found = self._by_reference.get(reference)
        if found is None:
            message = f"No payment reference {reference} was issued."
            raise RegistryError(404, "reference_not_found", message)
        return found

    def create(
        self, *, amount: Decimal, concept: str, client_key: str | None
    ) -> tuple[PaymentReference, bool]:
        """The reference for this request and whether it is new (False on a re-post)."""
        existing = self._by_client_key.get(client_key) if client_key else None
        if existing is not None:
            if (existing.amount, existing.concept) != (amount, concept):
                message = f"Client key {client_key!r} was used for another amount or concept."
                raise RegistryError(409, "client_key_conflict", message)
            return existing, False
        now = self.clock()
        created = PaymentReference(
            reference=self._unused_reference(),
            amount=amount,
            concept=concept,
            created_at=now,
            expires_at=now + VALIDITY,
            client_key=client_key,
        )
        self._by_reference[created.reference] = created
        if client_key:
            self._by_client_key[client_key] = created
        return created, True

    def pay(self, reference: str) -> PaymentReference:
        """Record the bank's payment; paying a paid reference again changes nothing."""
        found = self.reference(reference)
        now = self.clock()
        if found.status(now) == "expired":
            message = f"Reference {reference} expired at {_timestamp(found.expires_at)}."
            raise RegistryError(409, "reference_expired", message)
        if found.paid_at is None:
            found.paid_at = now
        return found

    def _unused_reference(self) -> str:
        while True:
            reference = reference_with_check_digit(f"{secrets.randbelow(10**9):09d}")
            if reference not in self._by_reference:
                return reference


async def create_reference(registry: PaymentRegistry, request: Request) -> Response:
    body = await read_json_object(request)
    reference, created = registry.create(
        amount=parse_amount(body),
        concept=required_text(body, "concept", max_length=200),
        client_key=optional_text(body, "client_key", max_length=100),
    )
    status_code = 201 if created else 200
    return JSONResponse(reference.describe(registry.clock()), status_code=status_code)


async def reference_status(registry: PaymentRegistry, request: Request) -> Response:
    reference = registry.reference(parse_reference(request.path_params["reference"]))
    return JSONResponse(reference.describe(registry.clock()))


async def pay_reference(registry: PaymentRegistry, request: Request) -> Response:
    reference = registry.pay(parse_reference(request.path_params["reference"]))
    return JSONResponse(reference.describe(registry.clock()))


def create_app(data_dir: Path | str | None = None, *, clock: Clock = mexico_now) -> Starlette:
    """A fresh payments registry loaded from `data_dir`; `clock` lets tests move time."""
    registry = PaymentRegistry.from_seed(data_dir, clock)
    routes = [
        Route("/v1/referencias", functools.partial(create_reference, registry), methods=["POST"]),
        Route(
            "/v1/referencias/{reference}",
            functools.partial(reference_status, registry),
            methods=["GET"],
        ),
        Route(
            "/v1/referencias/{reference}/pay",
            functools.partial(pay_reference, registry),
            methods=["POST"],
        ),
    ]
    return registry_app(routes, OPENAPI)


_TIMESTAMP = {"type": "string", "format": "date-time"}

_REFERENCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "reference",
        "amount",
        "currency",
        "concept",
        "status",
        "created_at",
        "expires_at",
        "paid_at",
        "client_key",
    ],
    "properties": {
        "reference": {"type": "string", "pattern": "^QRO[0-9]{10}$"},
        "amount": {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$", "example": "1450.00"},
        "currency": {"type": "string", "enum": [CURRENCY]},
        "concept": {"type": "string"},
        "status": {"type": "string", "enum": list(PAYMENT_STATUSES)},
        "created_at": _TIMESTAMP,
        "expires_at": _TIMESTAMP,
        "paid_at": {"type": ["string", "null"], "format": "date-time"},
        "client_key": {"type": ["string", "null"]},
    },
}

_NEW_REFERENCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["amount", "concept"],
    "properties": {
        "amount": {"type": "string", "pattern": r"^[0-9]{1,9}(\.[0-9]{1,2})?$"},
        "concept": {"type": "string", "maxLength": 200},
        "client_key": {
            "type": "string",
            "maxLength": 100,
            "description": "Idempotency key: the same key returns the same reference.",
        },
    },
}

_REFERENCE_PARAMETER = path_parameter(
    "reference", "QRO + 10 digits (Luhn).", {"type": "string", "pattern": "^QRO[0-9]{10}$"}
)

OPENAPI = openapi_document(
    title="Referencias de pago (sandbox)",
    description="Payment references for state fees: create, follow, and (bank) mark paid.",
    paths={
        "/v1/referencias": {
            "post": {
                "operationId": "createPaymentReference",
                "summary": "Issue a payment reference, valid for three days",
                "requestBody": json_body(
                    "NewPaymentReference",
                    {
                        "amount": "1450.00",
                        "concept": "Derechos de inscripción, solicitud E24-2025-000042",
                        "client_key": "solicitud-42-derechos",
                    },
                ),
                "responses": {
                    "201": json_reply("Issued.", "PaymentReference"),
                    "200": json_reply("Already issued for this client_key.", "PaymentReference"),
                    "400": error_reply("Malformed body (invalid_json, invalid_request)."),
                    "409": error_reply("client_key used for another amount or concept."),
                },
            }
        },
        "/v1/referencias/{reference}": {
            "get": {
                "operationId": "getPaymentReference",
                "summary": "Whether a reference is pending, paid or expired",
                "parameters": [_REFERENCE_PARAMETER],
                "responses": {
                    "200": json_reply("The reference and its status.", "PaymentReference"),
                    "400": error_reply("Malformed reference (invalid_reference)."),
                    "404": error_reply("Never issued (reference_not_found)."),
                },
            }
        },
        "/v1/referencias/{reference}/pay": {
            "post": {
                "operationId": "payPaymentReference",
                "summary": "The bank collects the payment (sandbox only)",
                "parameters": [_REFERENCE_PARAMETER],
                "responses": {
                    "200": json_reply("Paid (again: unchanged).", "PaymentReference"),
                    "400": error_reply("Malformed reference (invalid_reference)."),
                    "404": error_reply("Never issued (reference_not_found)."),
                    "409": error_reply("Expired before payment (reference_expired)."),
                },
            }
        },
    },
    schemas={"PaymentReference": _REFERENCE_SCHEMA, "NewPaymentReference": _NEW_REFERENCE_SCHEMA},
)
