"""``split_url``: ``urllib.parse.urlsplit`` for registry URLs, without importing it on the way.

``urllib.parse`` imports ``ipaddress`` and builds its named tuples: about 3 ms of start-up, paid
on every run only to split URLs nvreq writes itself (``http://127.0.0.1:5000/v2/x/manifests/1``).
Such plain URLs (scheme ``http`` or ``https``, a host of letters, digits, dots and dashes, an
optional port up to 65535, no user info, no fragment, no white space) are split by one strict
pattern, on which ``urlsplit`` agrees attribute by attribute (a property test holds the two
equal). Every other URL is split by ``urlsplit`` itself.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from urllib.parse import SplitResult

__all__ = ["PlainUrl", "split_url"]

#: compiled on first use (re caches it)
_PLAIN = r"(https?)://([A-Za-z0-9.-]+)(?::([0-9]{1,5}))?(/[^?#\s]*)?(?:\?([^#\s]*))?"


class PlainUrl:
    """The parts of a plain URL, named as on ``urllib.parse.SplitResult``."""

    __slots__ = ("hostname", "netloc", "path", "port", "query", "scheme")

    def __init__(self, scheme: str, netloc: str, path: str, query: str, hostname: str,
                 port: int | None) -> None:
        self.scheme, self.netloc, self.path, self.query = scheme, netloc, path, query
        self.hostname, self.port = hostname, port

    def __repr__(self) -> str:
        return f"<PlainUrl {self.scheme}://{self.netloc}{self.path}>"


def split_url(url: str) -> PlainUrl | SplitResult:
    """``scheme``, ``netloc``, ``path``, ``query``, ``hostname`` and ``port`` of ``url``.

    >>> u = split_url("http://Reg.local:5000/v2/x/manifests/1?n=1")
    >>> u.scheme, u.netloc, u.path, u.query, u.hostname, u.port
    ('http', 'Reg.local:5000', '/v2/x/manifests/1', 'n=1', 'reg.local', 5000)
    >>> type(split_url("https://user@reg.local/v2/")).__name__
    'SplitResult'
    """
    m = re.fullmatch(_PLAIN, url)
    if m is not None and (m[3] is None or int(m[3]) <= 65535):
        scheme, host, port = m[1], m[2], m[3]
        return PlainUrl(scheme, host if port is None else f"{host}:{port}", m[4] or "",
                        m[5] or "", host.lower(), None if port is None else int(port))
    from urllib.parse import urlsplit

    return urlsplit(url)
