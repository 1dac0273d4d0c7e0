"""Registry authentication: challenges (RFC 7235), Basic, and Bearer tokens.

Tokens live in memory only, keyed by (realm, service, scope, credential identity).
"""

from __future__ import annotations

import _thread
import re
import time
from urllib.parse import urlencode, urlsplit

from nvreq.formats import jsontext
from nvreq.images.errors import AuthenticationRequired
from nvreq.images.httpclient import Credential, Http, Origin, origin_of
from nvreq.images.netpolicy import address_class
from nvreq.images.value import Value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from nvreq.images.credentials import Secret

__all__ = ["Challenge", "basic_header", "fetch_token", "forget_token", "parse_challenges"]

MAX_TOKEN_BODY = 1 << 20
_MIN_LIFETIME = 60
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_BARE = re.compile(r"[^\s,\"]+")
_ISSUED = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})"
                     r"(?:\.[0-9]+)?(?:Z|\+00:?00)$")
_cache: dict[tuple[str, str, str, str], tuple[str, float]] = {}
_lock = _thread.allocate_lock()  # threading.Lock itself, without importing threading


class Challenge(Value):
    """One ``WWW-Authenticate`` challenge: lower-case scheme and parameters."""

    __slots__ = _fields = ("scheme", "params")
    _unhashed = ("params",)
    scheme: str
    params: dict[str, str]

    def __init__(self, scheme: str, params: dict[str, str] | None = None) -> None:
        self._init(scheme, {} if params is None else params)


def parse_challenges(values: list[str]) -> list[Challenge]:
    """Every challenge in every header value; unknown schemes are kept for the caller to skip.

    >>> parse_challenges(['Bearer realm="https://a/t",service="r", Basic realm="x"'])
    [Challenge(scheme='bearer', params={'realm': 'https://a/t', 'service': 'r'}), \
Challenge(scheme='basic', params={'realm': 'x'})]
    """
    out: list[Challenge] = []
    for value in values:
        pos, n = 0, len(value)
        current: Challenge | None = None
        while pos < n:
            while pos < n and value[pos] in " \t,":
                pos += 1
            m = _TOKEN.match(value, pos)
            if not m:
                break
            word, pos = m.group(), m.end()
            after = pos
            while after < n and value[after] in " \t":
                after += 1
            if after < n and value[after] == "=" and current is not None:
                pos = after + 1
                while pos < n and value[pos] in " \t":
                    pos += 1
                text, pos = _param_value(value, pos)
                current.params[word.lower()] = text
            else:
                current = Challenge(word.lower(), {})
                out.append(current)
                pos = after
                token68 = re.compile(r"[A-Za-z0-9._~+/-]+=*(?=\s*(,|$))").match(value, pos)
                if token68:
                    pos = token68.end()
    return out


def _param_value(value: str, pos: int) -> tuple[str, int]:
    if pos < len(value) and value[pos] == '"':
        chars, pos = [], pos + 1
        while pos < len(value) and value[pos] != '"':
            if value[pos] == "\\" and pos + 1 < len(value):
                pos += 1
            chars.append(value[pos])
            pos += 1
        return "".join(chars), pos + 1
    m = _BARE.match(value, pos)
    return (m.group(), m.end()) if m else ("", pos)


def basic_header(user: str, password: str) -> str:
    """``Basic base64(user:password)``."""
    import base64

    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def check_realm(realm: str, registry: Origin) -> None:
    """Refuse a realm that could steer credentials somewhere they should not go."""
    parts = urlsplit(realm)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AuthenticationRequired(f"token realm is not an absolute URL ({_clean(realm)})")
    if parts.scheme == "http" and registry[0] == "https":
        raise AuthenticationRequired(f"refusing plain-http token realm {_clean(realm)} of an "
                                     "https registry")
    realm_class = address_class(parts.hostname)
    if realm_class is not None and realm_class != address_class(registry[1]):
        raise AuthenticationRequired(f"refusing token realm {_clean(realm)}: {realm_class} "
                                     f"address for registry {registry[1]}")


def fetch_token(http: Http, challenge: Challenge, scope: str, secret: Secret | None,
                registry: Origin) -> str:
    """A bearer token for ``scope``, from the cache or the realm."""
    realm = challenge.params.get("realm", "")
    service = challenge.params.get("service", "")
    check_realm(realm, registry)
    identity = _identity(secret)
    key = (realm, service, scope, identity)
    with _lock:
        cached = _cache.get(key)
    if cached and cached[1] - 5 > time.time():
        return cached[0]
    realm_origin = origin_of(realm)
    query = {"scope": scope}
    if service:
        query["service"] = service
    credential: Credential | None = None
    method, body, headers = "GET", None, {}
    if secret and secret.identity_token:
        method = "POST"
        form = {"grant_type": "refresh_token", "refresh_token": secret.identity_token,
                "client_id": "nvreq", **query}
        body = urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        url = realm
    else:
        if secret and secret.username and secret.password:
            if realm_origin[0] == "http" and registry[0] == "https":
                raise AuthenticationRequired("refusing to send credentials to a plain-http realm")
            query["account"] = secret.username
            credential = Credential(realm_origin, "basic",
                                    basic_header(secret.username, secret.password))
        sep = "&" if urlsplit(realm).query else "?"
        url = realm + sep + urlencode(query)
    resp = http.request(method, url, cap=MAX_TOKEN_BODY, auth=credential, headers=headers,
                        body=body, check=lambda target: check_realm(target, registry))
    host = realm_origin[1]
    if resp.status in (401, 403):
        raise AuthenticationRequired(f"the token server {host} rejected the credentials "
                                     f"({resp.status})")
    if resp.status != 200:
        raise AuthenticationRequired(f"token request to {host} failed ({resp.status})")
    token, lifetime = _parse_token(resp.body, host)
    with _lock:
        _cache[key] = (token, lifetime)
    return token


def forget_token(token: str) -> None:
    """Drop ``token`` from the cache (after ``invalid_token``)."""
    with _lock:
        for key in [k for k, v in _cache.items() if v[0] == token]:
            del _cache[key]


def _identity(secret: Secret | None) -> str:
    if secret is None:
        return "anonymous"
    import hashlib

    material = f"{secret.username}\0{secret.password}\0{secret.identity_token}".encode()
    return hashlib.sha256(material).hexdigest()


def _parse_token(body: bytes, host: str) -> tuple[str, float]:
    try:
        doc = jsontext.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise AuthenticationRequired(f"the token server {host} sent malformed JSON") from None
    if not isinstance(doc, dict):
        raise AuthenticationRequired(f"the token server {host} sent malformed JSON")
    token = doc.get("token") or doc.get("access_token")
    if not isinstance(token, str) or not token:
        raise AuthenticationRequired(f"the token server {host} sent no token")
    expires = doc.get("expires_in")
    if isinstance(expires, (int, float)) and not -(2**63) <= expires < 2**63:
        raise AuthenticationRequired(f"the token server {host} sent an expires_in out of range")
    lifetime = expires if isinstance(expires, int) and expires >= _MIN_LIFETIME else _MIN_LIFETIME
    start = time.time()
    issued = doc.get("issued_at")
    stamp = _ISSUED.match(issued) if isinstance(issued, str) else None
    if stamp:
        year, month, day, hour, minute, second = (int(g) for g in stamp.groups())
        start = _epoch(year, month, day, hour, minute, second)
    return token, start + lifetime


def _epoch(year: int, month: int, day: int, hour: int, minute: int, second: int) -> float:
    """Seconds since 1970 of a UTC time (days-from-civil; no ``calendar``/``datetime`` import).

    >>> _epoch(2024, 3, 1, 12, 0, 0) == 1709294400
    True
    """
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
    return float(days * 86400 + hour * 3600 + minute * 60 + second)


def _clean(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}{parts.path}"
