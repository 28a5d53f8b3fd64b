"""Identifiers: parsing, formatting, per-part percent-encoding and the strict character set."""

from __future__ import annotations

import pytest

from xroad_client import (
    ClientId,
    IdentifierError,
    IdentifierWarning,
    RepresentedParty,
    SecurityServerId,
    ServiceId,
    parse_rest_target,
)
from xroad_client.rest import rest_target


def test_member_and_subsystem_round_trip_through_the_path_form() -> None:
    member = ClientId.parse("EE/GOV/70000310")
    subsystem = ClientId.parse("EE/GOV/70000310/sub")
    assert (member.object_type, subsystem.object_type) == ("MEMBER", "SUBSYSTEM")
    assert subsystem.member == member and member.subsystem("sub") == subsystem
    assert (member.encode(), str(subsystem)) == ("EE/GOV/70000310", "EE/GOV/70000310/sub")


def test_each_part_is_percent_encoded_on_its_own() -> None:
    client = ClientId("EE", "BUSINESS", "consumer", "sub/system")
    service = ServiceId(ClientId("EE", "BUSINESS", "producer", "s/ub"), "öäå")
    assert client.encode() == "EE/BUSINESS/consumer/sub%2Fsystem"
    assert (
        rest_target(service, "/path%3B/")
        == "/r1/EE/BUSINESS/producer/s%2Fub/%C3%B6%C3%A4%C3%A5/path%3B/"
    )
    assert ClientId.decode(client.encode()) == client
    assert ServiceId.decode(service.encode()) == service


def test_provider_paths_are_encoded_once_and_queries_refused() -> None:
    service = ServiceId.parse("MX/GOB/SAT/rfc/validate")
    assert rest_target(service, "rfc/AB C/ñ") == "/r1/MX/GOB/SAT/rfc/validate/rfc/AB%20C/%C3%B1"
    assert (
        rest_target(service, "/already%20encoded")
        == "/r1/MX/GOB/SAT/rfc/validate/already%20encoded"
    )
    assert rest_target(service) == "/r1/MX/GOB/SAT/rfc/validate"


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("EE/GOV", "2 part"),
        ("EE/GOV/1/2/3", "5 part"),
        ("EE//70000310", "member class"),
        ("EE/GOV/70000310/", "subsystem code"),
        ("EE/GOV/70%FF", "percent-encoded UTF-8"),
        ("EE/GOV/70\r\nX-Evil: 1", "control character"),
        ("", "non-empty"),
    ],
)
def test_malformed_client_ids_are_refused_with_a_clear_reason(text: str, complaint: str) -> None:
    with pytest.raises(IdentifierError, match=complaint):
        ClientId.parse(text)


def test_identifiers_refuse_empty_parts_at_construction() -> None:
    with pytest.raises(IdentifierError, match="service code"):
        ServiceId(ClientId("EE", "GOV", "1", "sub"), "")
    with pytest.raises(IdentifierError, match="subsystem code"):
        ClientId("EE", "GOV", "1", "")


def test_rest_form_needs_a_subsystem() -> None:
    member_service = ClientId("EE", "GOV", "1").service("getPerson", "v1")
    with pytest.raises(IdentifierError, match="subsystem"):
        member_service.encode()
    assert str(member_service) == "EE/GOV/1/getPerson/v1"


def test_characters_outside_the_strict_set_warn_by_default() -> None:
    with pytest.warns(IdentifierWarning, match=r"outside the X-Road strict set \('&Ñ'\)"):
        client = ClientId.parse("MX/PM/MAÑA850101&A1")
    assert client.member_code == "MAÑA850101&A1"


def test_strict_mode_refuses_characters_outside_the_strict_set() -> None:
    with pytest.raises(IdentifierError, match=r"allowed are A-Z a-z 0-9"):
        ClientId.parse("MX/PM/MAÑA850101", strict=True)
    with pytest.raises(IdentifierError, match="service code"):
        ServiceId.parse("MX/GOB/SAT/rfc/valid ate", strict=True)
    ServiceId.parse("MX/GOB/SAT/rfc/v(1)+x,y-z.w=q?", strict=True)


@pytest.mark.parametrize(
    ("target", "service_path", "query"),
    [
        ("/r1/EE/GOV/1/sub/svc", "", ""),
        ("/r1/EE/GOV/1/sub/svc/", "/", ""),
        ("/r1/EE/GOV/1/sub/svc/a%2Fb/c?x=1&y=%20", "/a%2Fb/c", "x=1&y=%20"),
    ],
)
def test_rest_targets_keep_the_provider_path_encoded(
    target: str, service_path: str, query: str
) -> None:
    parsed = parse_rest_target(target)
    assert parsed.service == ServiceId(ClientId("EE", "GOV", "1", "sub"), "svc")
    assert (parsed.protocol_version, parsed.service_path, parsed.query) == (
        "r1",
        service_path,
        query,
    )


@pytest.mark.parametrize(
    "target", ["/r1/EE/GOV/1/sub", "/rx/EE/GOV/1/sub/svc", "r1/EE/GOV/1/sub/svc", "/"]
)
def test_malformed_rest_targets_are_refused(target: str) -> None:
    with pytest.raises(IdentifierError):
        parse_rest_target(target)


def test_security_server_and_represented_party_forms() -> None:
    server = SecurityServerId.parse("EE/GOV/70000310/ss1")
    assert (
        server.owner == ClientId("EE", "GOV", "70000310")
        and server.encode() == "EE/GOV/70000310/ss1"
    )
    assert RepresentedParty("12345", "COM").encode() == "COM/12345"
    assert RepresentedParty("a/b").encode() == "a%2Fb"
    with pytest.raises(IdentifierError, match="member"):
        SecurityServerId(ClientId("EE", "GOV", "1", "sub"), "ss1")
