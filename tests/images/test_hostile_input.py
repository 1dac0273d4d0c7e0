"""Hostile peers and documents: dripping, endless, deep, huge numbers (regressions of the
hardening campaign; each input once crashed or hung nvreq)."""

from __future__ import annotations

import re

import pytest

from nvreq.errors import NvreqError
from nvreq.images import read_image
from nvreq.images.archive import _choose
from nvreq.images.auth import _parse_token
from nvreq.images.documents import parse_config
from nvreq.images.errors import (
    AuthenticationRequired,
    ImageNotFound,
    InvalidImageConfig,
    InvalidReference,
    TransportError,
)
from nvreq.images.tarheader import pax
from tests.images.hostile import Script, drip, endless, hostile_server, once

AMD = "linux/amd64"
HEAD = b"HTTP/1.1 200 OK\r\n"


@pytest.mark.parametrize("script", [
    drip(HEAD + b"X-Slow: header\r\n" * 400, 0.02),
    drip(HEAD + b"Content-Length: 4000\r\n\r\n" + b"{" * 4000, 0.005),
    endless(HEAD + b"Transfer-Encoding: chunked\r\n\r\n0\r\n", b"X-Trailer: y\r\n", 0.02),
    endless(HEAD + b"Transfer-Encoding: chunked\r\n\r\n", b"1\r\n{\r\n", 0.02),
], ids=["headers", "body", "chunked-trailers", "chunks"])
def test_a_dripping_peer_stops_at_the_deadline_with_elapsed_time_and_endpoint(
        script: Script) -> None:
    with hostile_server(script) as where, pytest.raises(TransportError) as caught:
        read_image(f"{where}/x/y:1", platform=AMD, timeout=0.5)
    message = str(caught.value)
    assert re.search(r"timed out after [0-9.]+ s", message), message
    assert where in message and "limited to 0.5 s (--timeout)" in message


def test_a_tls_handshake_that_drips_stops_at_the_deadline() -> None:
    with hostile_server(endless(b"\x16", b"\x03", 0.05)) as where, \
            pytest.raises(TransportError, match="timed out after"):
        read_image(f"{where}/x/y:1", platform=AMD, timeout=0.5, insecure_registries=[where])


@pytest.mark.parametrize("script", [
    endless(b"", b"HTTP/1.1 100 Continue\r\n\r\n"),
    once(HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + b"1_0\r\n"),
    once(HEAD + b"Content-Length: " + b"9" * 5000 + b"\r\n\r\n"),
    once(b"HTTP/1.1 " + b"2" * 5000 + b" OK\r\n\r\n"),
    once(b"HTTP/1.1 404 Not Found\r\nContent-Length: 200000\r\n\r\n" + b"[" * 200000),
    once(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 200000\r\n\r\n" + b"{\"a\":" * 40000),
], ids=["interim-flood", "chunk-size-with-underscore", "huge-content-length", "huge-status",
        "deep-error-body", "deep-401-body"])
def test_a_lying_peer_gives_a_clear_error(script: Script) -> None:
    with hostile_server(script) as where, pytest.raises(NvreqError):
        read_image(f"{where}/x/y:1", platform=AMD, timeout=5)


def test_token_with_an_expiry_of_400_digits_is_refused() -> None:
    body = b'{"token": "t", "expires_in": ' + b"9" * 400 + b"}"
    with pytest.raises(AuthenticationRequired, match="expires_in out of range"):
        _parse_token(body, "auth.example")


def test_token_nested_200000_deep_is_malformed() -> None:
    with pytest.raises(AuthenticationRequired, match="malformed JSON"):
        _parse_token(b"[" * 200_000, "auth.example")


def test_config_with_a_number_of_5000_digits_is_read() -> None:
    config = (b'{"architecture": "amd64", "os": "linux", "size": ' + b"1" * 5000
              + b', "config": {"Env": ["A=1"]}}')
    assert parse_config(config).env == ("A=1",)


def test_config_nested_200000_deep_is_refused() -> None:
    with pytest.raises(InvalidImageConfig, match="nested too deeply"):
        parse_config(b'{"x": ' + b"[" * 200_000)


@pytest.mark.parametrize(("selector", "error"), [
    ("@" + "9" * 5000, ImageNotFound), ("@" + "1" * 4301, ImageNotFound),
    ("@²", InvalidReference), ("@1_0", InvalidReference), ("@-1", InvalidReference)])
def test_archive_selector_of_any_size(selector: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        _choose([{"RepoTags": ["a:1"]}], selector, "x.tar")


def test_pax_record_lengths_of_any_size_stop_the_records() -> None:
    assert pax(b"9" * 5000 + b" path=x\n") == {}
    assert pax(b"1_0 path=x\n") == {}
    assert pax(b"11 path=ab\n") == {"path": "ab"}
