"""Does a loopback or insecure peer speak TLS? A ClientHello probe without the ``ssl`` module.

nvreq tries https first and falls back to plain http only when the peer answers in
plain HTTP or drops the handshake. Any TLS server answers a ClientHello with a TLS record (a
handshake, 0x16, or an alert, 0x15), whatever it thinks of the offer; a plain HTTP server
answers ``HTTP/1.1 400`` or closes. Sending a fixed ClientHello over a plain socket tells the two
apart without importing ``ssl`` (about 18 ms of start-up) on the plain-http path.
"""

from __future__ import annotations

import os

from nvreq.images.wire import open_socket

__all__ = ["client_hello", "speaks_tls"]

_SUITES = bytes.fromhex("130113021303c02bc02fc02cc030cca9cca8c013c014009c009d002f0035")
_GROUPS = bytes.fromhex("001d00170018")
_SIGNATURES = bytes.fromhex("040305030603080408050806040105010601")


def _u16(n: int) -> bytes:
    return n.to_bytes(2, "big")


def client_hello() -> bytes:
    """A TLS 1.2 ClientHello record (TLS 1.3 servers still answer it, if only with an alert)."""
    extensions = (b"\x00\x0a" + _u16(len(_GROUPS) + 2) + _u16(len(_GROUPS)) + _GROUPS
                  + b"\x00\x0b\x00\x02\x01\x00"
                  + b"\x00\x0d" + _u16(len(_SIGNATURES) + 2) + _u16(len(_SIGNATURES))
                  + _SIGNATURES)
    body = (b"\x03\x03" + os.urandom(32) + b"\x00" + _u16(len(_SUITES)) + _SUITES + b"\x01\x00"
            + _u16(len(extensions)) + extensions)
    handshake = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + _u16(len(handshake)) + handshake


def speaks_tls(host: str, port: int, timeout: float) -> bool:
    """True when the peer answers a ClientHello with a TLS record; raises ``TimeoutError``."""
    with open_socket(host, port, timeout) as sock:
        try:
            sock.sendall(client_hello())
            first = sock.recv(1)
        except TimeoutError:
            raise
        except OSError:
            return False
    return first in (b"\x15", b"\x16")
