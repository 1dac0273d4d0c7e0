"""Read an image config from a registry: manifest, platform choice, config, all verified."""

from __future__ import annotations

from nvreq.formats import jsontext
from nvreq.images.digest import DigestError, compute, matches, parse_digest
from nvreq.images.documents import (
    DOCKER_LIST,
    DOCKER_MANIFEST,
    MAX_DOCUMENT,
    OCI_INDEX,
    OCI_MANIFEST,
    Descriptor,
    parse_document,
)
from nvreq.images.errors import (
    AccessDenied,
    AuthenticationRequired,
    ContentTooLarge,
    DigestMismatch,
    ImageError,
    ImageNotFound,
    RateLimited,
    RegistryError,
    UnsupportedImage,
)
from nvreq.images.httpclient import Credential, Http, Response, origin_of
from nvreq.images.info import ImageInfo
from nvreq.images.platforms import Platform
from nvreq.images.reference import Reference, api_host
from nvreq.images.resolve import env_warnings, resolve

TYPE_CHECKING = False
if TYPE_CHECKING:
    from nvreq.images.credentials import Lookup, Secret

__all__ = ["ACCEPT", "read_registry"]

ACCEPT = ",".join((OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST))


def read_registry(ref: Reference, given: str, target: Platform, source: str, http: Http, *,
                  authfile: str | None = None, creds: tuple[str, str] | None = None,
                  no_creds: bool = False) -> ImageInfo:
    """Fetch ``ref``'s manifest (following an index to ``target``) and its config; ``creds``
    replace the stored credentials, ``no_creds`` reads anonymously."""
    client = _Client(ref, http, authfile)
    if creds is not None or no_creds:
        from nvreq.images.credentials import Lookup, Secret

        client.lookup = Lookup()
        client.lookup.looked.append("--no-creds" if no_creds else "--creds")
        if creds is not None and not no_creds:
            client.lookup.secret = Secret(creds[0], creds[1], source="--creds")
    return client.read(given, target, source)


class _Client:
    def __init__(self, ref: Reference, http: Http, authfile: str | None) -> None:
        self.ref = ref
        self.http = http
        self.authfile = authfile
        self.host = api_host(ref.domain)
        self.base, _ = http.base_url(self.host)
        self.origin = origin_of(self.base)
        self.credential: Credential | None = None
        self.lookup: Lookup | None = None
        self.warnings: list[str] = []

    def read(self, given: str, target: Platform, source: str) -> ImageInfo:
        ref = self.ref
        if ref.ignored_tag:
            self.warnings.append(f"tag {ref.ignored_tag!r} ignored: the digest is used")
        resp = self._get(f"manifests/{ref.selector}", ACCEPT, MAX_DOCUMENT, "manifest")
        top_digest = self._check_manifest(resp, ref.digest)
        top = parse_document(resp.body, resp.header("content-type"))
        found = resolve(top, top_digest, target, source, self._child, self._config)
        config = found.config
        return ImageInfo(
            reference=given, resolved=str(ref), digest=found.manifest_digest,
            platform=str(config.platform), env=config.env, transport="docker",
            index_digest=found.index_digest, manifest_digest=found.manifest_digest,
            config_digest=found.config_digest, platform_source=source, verified=True,
            warnings=tuple(self.http.warnings + self.warnings + env_warnings(config.env)),
            endpoint=ref.name,
        )

    def _check_manifest(self, resp: Response, requested: str | None) -> str:
        body = resp.body
        if requested and not matches(body, requested):
            raise DigestMismatch(f"manifest {requested}: received content has digest "
                                 f"{compute(body, requested.partition(':')[0])}")
        announced = resp.header("docker-content-digest")
        if announced:
            try:
                parse_digest(announced.strip())
            except DigestError as exc:
                if requested is None:
                    raise UnsupportedImage(f"Docker-Content-Digest: {exc}") from None
                self.warnings.append(f"Docker-Content-Digest not checked: {exc}")
            else:
                announced = announced.strip()
                if not matches(body, announced):
                    algorithm = announced.partition(":")[0]
                    raise DigestMismatch(f"Docker-Content-Digest {announced} does not match the "
                                         f"manifest received ({compute(body, algorithm)})")
                return requested or announced
        if requested:
            return requested
        self.warnings.append("the registry sent no Docker-Content-Digest; digest computed")
        return compute(body)

    def _child(self, desc: Descriptor) -> tuple[bytes, str | None]:
        if desc.size > MAX_DOCUMENT:
            raise ContentTooLarge(f"manifest {desc.digest} larger than 4 MiB (size {desc.size})")
        resp = self._get(f"manifests/{desc.digest}", ACCEPT, MAX_DOCUMENT, "manifest")
        self._check_blob(resp, desc, "manifest")
        return resp.body, resp.header("content-type")

    def _config(self, desc: Descriptor) -> bytes:
        resp = self._get(f"blobs/{desc.digest}", "*/*", desc.size, "config")
        self._check_blob(resp, desc, "config")
        return resp.body

    def _check_blob(self, resp: Response, desc: Descriptor, what: str) -> None:
        body = resp.body
        if not matches(body, desc.digest):
            algorithm = desc.digest.partition(":")[0]
            raise DigestMismatch(f"{what} {desc.digest}: received content has digest "
                                 f"{compute(body, algorithm)}")
        if len(body) != desc.size:
            raise DigestMismatch(f"{what} {desc.digest}: {len(body)} bytes, descriptor says "
                                 f"{desc.size}")
        announced = (resp.header("docker-content-digest") or "").strip()
        if announced and announced != desc.digest:
            try:
                ok = matches(body, parse_digest(announced))
            except DigestError as exc:
                self.warnings.append(f"Docker-Content-Digest not checked: {exc}")
                ok = True
            if not ok:
                raise DigestMismatch(f"Docker-Content-Digest {announced} does not match the "
                                     f"{what} received ({desc.digest})")

    def _get(self, tail: str, accept: str, cap: int, what: str) -> Response:
        url = f"{self.base}/v2/{self.ref.path}/{tail}"
        headers = {"Accept": accept}
        resp = self.http.request("GET", url, cap=cap, auth=self.credential, headers=headers)
        restarted = False
        while resp.status == 401:
            if self.credential is None:
                self._authenticate(resp)
                resp = self.http.request("GET", url, cap=cap, auth=self.credential,
                                         headers=headers)
                if resp.status != 401:
                    break
            error = _challenge_error(resp)
            if error == "insufficient_scope":
                raise AccessDenied(self._denied())
            assert self.credential is not None
            if error != "invalid_token" or self.credential.kind != "bearer" or restarted:
                raise self._auth_required(resp)
            from nvreq.images import auth

            auth.forget_token(self.credential.value.removeprefix("Bearer "))
            self.credential, restarted = None, True
            resp = self.http.request("GET", url, cap=cap, headers=headers)
        return self._status(resp, what, tail)

    def _status(self, resp: Response, what: str, tail: str) -> Response:
        status, host = resp.status, self.host
        if 200 <= status < 300:
            return resp
        code, message = _registry_error(resp.body)
        detail = f"{message or code or 'error'} ({status} from {host})"
        if status == 401:
            raise self._auth_required(resp)
        if status == 403:
            raise AccessDenied(self._denied())
        if status == 404 and what == "manifest":
            raise ImageNotFound(f"{(message or 'manifest unknown').lower()} ({status} from "
                                f"{host}){self._hint()}")
        if status == 404:
            raise RegistryError(f"config blob {tail.rpartition('/')[2]} missing from the registry")
        if status == 429:
            parts = [f"rate limited by {host} (429)"]
            for name in ("retry-after", "ratelimit-limit", "ratelimit-remaining"):
                if resp.header(name):
                    parts.append(f"{name} {resp.header(name)}")
            raise RateLimited("; ".join(parts))
        raise RegistryError(f"registry error {detail}")

    def _authenticate(self, resp: Response) -> None:
        from nvreq.images import auth  # only on a 401: anonymous pulls of open registries skip it

        challenges = auth.parse_challenges(resp.header_all("www-authenticate"))
        usable = [c for c in challenges if c.scheme in ("bearer", "basic")]
        if not usable:
            ping = self.http.request("GET", f"{self.base}/v2/", cap=1 << 20)
            challenges = auth.parse_challenges(ping.header_all("www-authenticate"))
            usable = [c for c in challenges if c.scheme in ("bearer", "basic")]
        if not usable:
            raise self._auth_required(resp)
        chosen = next((c for c in usable if c.scheme == "bearer"), usable[0])
        secret = self._secret()
        if chosen.scheme == "basic":
            if secret is None or not (secret.username and secret.password):
                raise self._auth_required(resp)
            value = auth.basic_header(secret.username, secret.password)
            self.credential = Credential(self.origin, "basic", value)
            return
        if secret is not None and secret.registry_token:
            token = secret.registry_token
        else:
            scope = chosen.params.get("scope") or f"repository:{self.ref.path}:pull"
            token = auth.fetch_token(self.http, chosen, scope, secret, self.origin)
        self.credential = Credential(self.origin, "bearer", f"Bearer {token}")

    def _secret(self) -> Secret | None:
        if self.lookup is None:
            from nvreq.images.credentials import find_credentials

            self.lookup = find_credentials(self.ref.domain, self.ref.path, authfile=self.authfile)
            self.warnings.extend(self.lookup.warnings)
        return self.lookup.secret

    def _auth_required(self, resp: Response) -> ImageError:
        lookup = self.lookup
        if lookup is None or lookup.secret is None:
            looked = ", ".join(lookup.looked) if lookup and lookup.looked else "none found"
            extra = f"; {'; '.join(lookup.warnings)}" if lookup and lookup.warnings else ""
            why = f"no credentials for {self.ref.domain} (looked in {looked}){extra}"
        else:
            why = f"the credentials from {lookup.secret.source} were rejected"
        return AuthenticationRequired(f"authentication required ({resp.status} from {self.host}); "
                                      f"{why}{self._hint()}")

    def _denied(self) -> str:
        return (f"repository does not exist or may require authentication ({self.host})"
                f"{self._hint()}")

    def _hint(self) -> str:
        if self.ref.domain != "registry-1.docker.io":
            return ""
        path = self.ref.path if "/" in self.ref.path else f"library/{self.ref.path}"
        return f"; did you mean docker.io/{path}?"


def _challenge_error(resp: Response) -> str | None:
    from nvreq.images import auth

    for challenge in auth.parse_challenges(resp.header_all("www-authenticate")):
        if "error" in challenge.params:
            return challenge.params["error"]
    return None


def _registry_error(body: bytes) -> tuple[str, str]:
    try:
        doc = jsontext.loads(body.decode("utf-8"))
        first = doc["errors"][0]
        return str(first.get("code", ""))[:200], str(first.get("message", ""))[:200]
    except (ValueError, UnicodeDecodeError, KeyError, IndexError, TypeError, AttributeError):
        return "", ""
