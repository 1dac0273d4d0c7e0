"""Network policy: loopback and address classes, ``NO_PROXY``, TLS contexts."""

from __future__ import annotations

import functools
import os

from nvreq.formats.digits import is_digits, uint

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl

__all__ = ["address_class", "is_loopback", "no_proxy_matches", "tls_context"]


def is_loopback(host: str) -> bool:
    """``localhost``, ``127.0.0.0/8`` or ``::1``.

    >>> is_loopback("127.0.0.2"), is_loopback("localhost"), is_loopback("10.0.0.1")
    (True, True, False)
    """
    name = host.lower().strip("[]")
    parts = name.split(".")
    if len(parts) == 4 and all(is_digits(p) for p in parts):
        return parts[0] == "127" and all(uint(p, 255) is not None for p in parts)
    return name == "localhost" or (":" in name and address_class(name) == "loopback")


def address_class(host: str) -> str | None:
    """``loopback``, ``private``, ``link-local``, ``unspecified`` for IP literals; else None."""
    import ipaddress

    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return "loopback" if host.lower() == "localhost" else None
    if ip.is_loopback:
        return "loopback"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_link_local:
        return "link-local"
    if ip.is_private:
        return "private"
    return None


def no_proxy_matches(host: str, port: int) -> bool:
    """Whether ``NO_PROXY`` exempts ``host:port``: ``*``, domain suffixes, IPs, optional ports."""
    value = os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or ""
    host = host.lower().strip("[]")
    for item in (x.strip().lower() for x in value.split(",")):
        if not item:
            continue
        if item == "*":
            return True
        name, _, item_port = item.rpartition(":") if item.count(":") == 1 else (item, "", "")
        if item_port and item_port != str(port):
            continue
        name = name.lstrip("*")
        if host == name.lstrip(".") or (name.startswith(".") and host.endswith(name)) or (
            not name.startswith(".") and host.endswith("." + name)
        ):
            return True
    return False


@functools.cache
def tls_context(hostport: str | None, *, verify: bool = True) -> ssl.SSLContext:
    """A TLS 1.2+ context, built once per (host, mode): the system CAs plus the ``certs.d`` CAs
    and client certificates of :mod:`nvreq.images.certs`."""
    import ssl

    from nvreq.images.certs import cert_files, load_certs

    files = cert_files(hostport)
    if not verify:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        ctx = _default_verified() if not files else ssl.create_default_context()
    load_certs(ctx, files, authorities=verify)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


@functools.cache
def _default_verified() -> ssl.SSLContext:
    import ssl

    return ssl.create_default_context()
