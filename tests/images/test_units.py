"""Parsers of the image readers, as tables and properties: references (§2.3), digests, Go-style
JSON (§1.3), documents (§3.5), platforms (§3.6), challenges (§3.3), credentials keys (§4.2),
network policy (§3.1, §3.4), URL splitting, tar headers (§2.7), and the image value types."""

from __future__ import annotations

import base64
import contextlib
import copy
import hashlib
import io
import json
import pickle
import tarfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nvreq.images import ImageInfo, ImageResult
from nvreq.images.auth import check_realm, parse_challenges
from nvreq.images.credentials import auth_key, find_credentials
from nvreq.images.digest import DigestError, compute, parse_digest
from nvreq.images.documents import Descriptor, choose, parse_config, parse_document
from nvreq.images.errors import (
    ArchiveError,
    AuthenticationRequired,
    ConfigFileError,
    ContentTooLarge,
    ImageError,
    InvalidImageConfig,
    InvalidReference,
    PlatformMismatch,
    PlatformNotFound,
    UnsupportedImage,
)
from nvreq.images.jsondecode import decode_json
from nvreq.images.netpolicy import no_proxy_matches
from nvreq.images.platforms import Platform, parse_platform, rank
from nvreq.images.reference import parse_reference
from nvreq.images.resolve import env_warnings
from nvreq.images.tar import Member, open_tar
from nvreq.images.urls import PlainUrl, split_url
from nvreq.images.value import FrozenInstanceError

H64 = "a" * 64


# --- references ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "canonical", "familiar"), [
    ("ubuntu", "docker.io/library/ubuntu:latest", "ubuntu:latest"),
    ("nvidia/cuda:12.4.1-base-ubuntu22.04", "docker.io/nvidia/cuda:12.4.1-base-ubuntu22.04",
     "nvidia/cuda:12.4.1-base-ubuntu22.04"),
    ("index.docker.io/nvidia/cuda", "docker.io/nvidia/cuda:latest", "nvidia/cuda:latest"),
    ("docker.io/ubuntu", "docker.io/library/ubuntu:latest", "ubuntu:latest"),
    ("nvcr.io/nvidia/pytorch:24.05-py3", "nvcr.io/nvidia/pytorch:24.05-py3",
     "nvcr.io/nvidia/pytorch:24.05-py3"),
    ("localhost/foo", "localhost/foo:latest", "localhost/foo:latest"),
    (f"127.0.0.1:5000/test/cuda@sha256:{H64}", f"127.0.0.1:5000/test/cuda@sha256:{H64}",
     f"127.0.0.1:5000/test/cuda@sha256:{H64}"),
    (f"ubuntu:22.04@sha256:{H64}", f"docker.io/library/ubuntu@sha256:{H64}",
     f"ubuntu@sha256:{H64}"),
    ("foo.tar", "docker.io/library/foo.tar:latest", "foo.tar:latest"),
    ("registry-1.docker.io/ubuntu", "registry-1.docker.io/ubuntu:latest",
     "registry-1.docker.io/ubuntu:latest"),
    ("[::1]:5000/a/b:c", "[::1]:5000/a/b:c", "[::1]:5000/a/b:c"),
    ("a__b/c--d.e_f:T_1.x-y", "docker.io/a__b/c--d.e_f:T_1.x-y", "a__b/c--d.e_f:T_1.x-y"),
])
def test_reference_normalisation(text: str, canonical: str, familiar: str) -> None:
    ref = parse_reference(text)
    assert str(ref) == canonical and ref.familiar == familiar
    assert parse_reference(canonical) == ref.__class__(ref.domain, ref.path, ref.tag, ref.digest)


@pytest.mark.parametrize(("text", "error", "message"), [
    ("Ubuntu", InvalidReference, "repository name must be lowercase"),
    (H64, InvalidReference, "cannot specify 64-byte hexadecimal strings"),
    ("a/b:" + "t" * 129, InvalidReference, "invalid reference format"),
    ("a" * 256, InvalidReference, "must not be more than 255 characters"),
    (f"x@blake3:{H64}", UnsupportedImage, 'unsupported digest algorithm "blake3"'),
    ("x@sha256:" + "A" * 64, InvalidReference, "lower-case hex"),
    ("x@sha256:abcd", InvalidReference, "invalid reference format"),
    ("x@sha512:" + "a" * 64, InvalidReference, "expected 128 lower-case hex digits"),
    ("", InvalidReference, "invalid reference format"),
    ("a//b", InvalidReference, "invalid reference format"),
])
def test_reference_errors(text: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as ctx:
        parse_reference(text)
    assert message in str(ctx.value) and "\n" not in str(ctx.value)


@given(st.text(alphabet="abcAB09_.-:/@", max_size=40))
@settings(max_examples=400)
def test_reference_parser_raises_only_its_errors_and_round_trips(text: str) -> None:
    try:
        ref = parse_reference(text)
    except (InvalidReference, UnsupportedImage):
        return
    assert parse_reference(str(ref)) == parse_reference(str(parse_reference(str(ref))))
    assert str(parse_reference(str(ref))) == str(ref)


def test_digest_validation() -> None:
    assert parse_digest(f"sha256:{H64}") == f"sha256:{H64}"
    for bad in ("sha256:../../x", "sha256", f"SHA256:{H64}", 5):
        with pytest.raises(DigestError):
            parse_digest(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("algorithm", ["sha256", "sha512"])
@given(data=st.binary(max_size=300))
@settings(max_examples=50)
def test_compute_equals_hashlib(algorithm: str, data: bytes) -> None:
    assert compute(data, algorithm) == f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}"


def test_compute_refuses_other_algorithms_as_hashlib_does() -> None:
    with pytest.raises(ValueError, match="unsupported hash type"):
        compute(b"x", "thread")


# --- the value types (frozen, slotted, equal by field, as frozen dataclasses) --------------------

def test_image_info_is_a_frozen_value_whose_origins_do_not_count() -> None:
    a = ImageInfo("r", "oci:r", None, "linux/amd64", ("A=1",), origins={"A": "Dockerfile:2"})
    b = ImageInfo("r", "oci:r", None, "linux/amd64", ("A=1",))
    assert a == b and hash(a) == hash(b) and b.origins == {}
    assert a != ImageInfo("r", "oci:r", None, "linux/amd64", ("A=2",))
    assert a != ("r", "oci:r", None, "linux/amd64", ("A=1",))
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'env'"):
        a.env = ()  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del a.env
    for twin in (copy.copy(a), copy.deepcopy(a), pickle.loads(pickle.dumps(a))):
        assert twin == a and twin.origins == a.origins and twin is not a
    assert repr(a) == "<ImageInfo('oci:r', 'linux/amd64', 1 env)>"
    assert not hasattr(a, "__dict__") and ImageInfo.__match_args__[:3] == (
        "reference", "resolved", "digest")


def test_value_repr_equality_and_hash_follow_the_fields() -> None:
    digest = f"sha256:{H64}"
    d = Descriptor("application/x", digest, 3, Platform("linux", "arm64", "v8"), {"k": "v"})
    assert repr(d) == (f"Descriptor(media_type='application/x', digest='{digest}', size=3, "
                       "platform=<Platform('linux/arm64/v8')>, annotations={'k': 'v'}, "
                       "artifact_type=None)")
    plain = Descriptor("application/x", digest, 3, Platform("linux", "arm64", "v8"))
    assert d != plain and hash(d) == hash(plain)  # annotations: compared, not hashed
    assert repr(ImageResult("r")) == "ImageResult(reference='r', info=None, error=None)"
    assert {Platform("linux", "amd64"), Platform("linux", "amd64", "")} == {
        Platform("linux", "amd64")}
    member = Member("a", "file", 1, 512)
    member.data = b"x"
    assert member == Member("a", "file", 1, 512, "", b"x") and member.__hash__ is None


# --- Go-style JSON -------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "message"), [
    (b"\xef\xbb\xbf{}", "malformed JSON"),
    ('{"a":1}'.encode("utf-16"), "not UTF-8"),
    (b'{"a":"\xff"}', "not UTF-8"),
    (b"[NaN]", "NaN is not valid JSON"),
    (b"[-Infinity]", "-Infinity is not valid JSON"),
    (b'["\\ud800"]', "lone UTF-16 surrogate"),
    (b'{"\\udfff":1}', "lone UTF-16 surrogate"),
    (b"[" * 100000, "nested too deeply"),
    (b'{"a":', "malformed JSON"),
    (b'["a\x01"]', "malformed JSON"),
])
def test_json_rejections(data: bytes, message: str) -> None:
    with pytest.raises(InvalidImageConfig) as ctx:
        decode_json(data, "config")
    assert message in str(ctx.value)


def test_json_accepts_surrogate_pairs() -> None:
    assert decode_json(b'["\\ud83d\\ude00"]', "x") == ["\U0001f600"]


def _config(inner: str, top: str = '"architecture":"amd64","os":"linux"') -> bytes:
    return ("{" + top + ',"config":{' + inner + "}}").encode()


@pytest.mark.parametrize(("data", "message"), [
    (_config('"Env":["A=1"],"env":["A=2"]'), 'keys "Env" and "env" both present in \'config\''),
    (_config('"Env":["A=1"],"Env":["A=2"]'), 'keys "Env" and "Env" both present'),
    (_config('"ENV":["A=1"]'), 'key "ENV" in \'config\' is read as "Env"'),
    (_config('"Env":[]', '"architecture":"amd64","os":"linux","OS":"windows"'),
     'keys "os" and "OS" both present in \'(top level)\''),
    (_config('"Env":[]', '"architecture":"amd64","os":"linux","oſ":"windows"'),
     'keys "os" and "oſ" both present'),
    (_config('"Env":"A=1"'), "expected a list of KEY=VALUE strings in 'config.Env'"),
    (_config('"Env":["A=1",7]'), "expected a KEY=VALUE string in 'config.Env[1]'"),
    (_config('"Env":["A=1","FOO"]'), "invalid environment variable: FOO in 'config.Env[1]'"),
    (_config('"Env":[]', '"architecture":"amd64"'), "missing 'os'"),
])
def test_config_rejections(data: bytes, message: str) -> None:
    with pytest.raises(InvalidImageConfig) as ctx:
        parse_config(data)
    assert message in str(ctx.value)


def test_kelvin_sign_folds_like_go() -> None:
    data = b'{"architecture":"amd64","os":"linux","config":{"Env":["A=1"]},"\xe2\x84\xaaey":1}'
    assert parse_config(data).env == ("A=1",)
    data = ('{"\u212aernel":1,"kernel":2,"architecture":"amd64","os":"linux"}').encode()
    with pytest.raises(InvalidImageConfig, match='keys "\u212aernel" and "kernel"'):
        parse_config(data)


def test_config_env_rules() -> None:
    assert parse_config(_config('"Env":null')).env == ()
    assert parse_config(b'{"architecture":"amd64","os":"linux"}').env == ()
    env = parse_config(_config('"Env":["A=x=y","B=","A=2","Labels":1]'.replace(
        ',"Labels":1', ""))).env
    assert env == ("A=x=y", "B=", "A=2")
    assert env_warnings(env) == ["config.Env[2] overrides config.Env[0] (A)"]
    maps = _config('"Env":["A=1"],"Labels":{"x":"1","X":"2"}')
    assert parse_config(maps).env == ("A=1",)


@given(st.binary(max_size=200))
@settings(max_examples=300)
def test_documents_never_fail_unexpectedly(data: bytes) -> None:
    for parse in (parse_document, parse_config):
        with contextlib.suppress(ImageError):
            parse(data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=4),
    max_leaves=20)


@given(json_values)
@settings(max_examples=300)
def test_decode_json_round_trips_plain_values(value: object) -> None:
    assert decode_json(json.dumps(value).encode(), "x") == value


# --- documents and platforms ---------------------------------------------------------------------

OCI_M = "application/vnd.oci.image.manifest.v1+json"


def _index(*platforms: dict[str, str] | None, extra: dict[str, object] | None = None) -> bytes:
    entries = []
    for i, p in enumerate(platforms):
        entry: dict[str, object] = {"mediaType": OCI_M, "digest": f"sha256:{i:064x}", "size": 1}
        if p is not None:
            entry["platform"] = p
        entries.append(entry)
    return json.dumps({"schemaVersion": 2, "manifests": entries, **(extra or {})}).encode()


@pytest.mark.parametrize(("wanted", "offered", "expected"), [
    ("linux/amd64", ["linux/arm64", "linux/amd64"], 1),
    ("linux/arm64", ["linux/amd64", "linux/arm64/v8"], 1),
    ("linux/arm64/v8", ["linux/arm64"], 0),
    ("linux/amd64/v3", ["linux/amd64", "linux/amd64/v2", "linux/amd64/v4"], 1),
    ("linux/amd64/v2", ["linux/amd64/v2", "linux/amd64/v2"], 0),
    ("linux/arm64/v8.2", ["linux/arm64/v8.1", "linux/arm64/v8.2"], 1),
    ("linux/arm64/v9.1", ["linux/arm64/v8.6", "linux/arm64/v8.7"], 0),
    ("LINUX/x86_64", ["linux/amd64"], 0),
    ("linux/arm/v7", ["linux/arm/v6", "linux/arm/v7"], 1),
])
def test_platform_choice(wanted: str, offered: list[str], expected: int) -> None:
    parts = [dict(zip(("os", "architecture", "variant"), p.split("/"), strict=False))
             for p in offered]
    doc = parse_document(_index(*parts))
    assert choose(doc, parse_platform(wanted), "sha256:x").digest == f"sha256:{expected:064x}"


def test_no_fallback_and_attestations_excluded() -> None:
    doc = parse_document(_index({"os": "unknown", "architecture": "unknown"},
                                {"os": "linux", "architecture": "amd64", "variant": "v3"},
                                {"os": "linux", "architecture": "386"}))
    with pytest.raises(PlatformNotFound) as ctx:
        choose(doc, parse_platform("linux/amd64"), "sha256:idx")
    assert str(ctx.value) == ("no image for linux/amd64 in index sha256:idx; available: "
                              "linux/amd64/v3, linux/386")
    last = parse_document(_index({"os": "linux", "architecture": "arm64"}, None))
    assert choose(last, parse_platform("linux/amd64"), "x").digest == f"sha256:{1:064x}"


def test_rank_properties() -> None:
    amd = parse_platform("linux/amd64")
    assert rank(amd, parse_platform("linux/amd64/v1")) == 0
    assert rank(amd, parse_platform("windows/amd64")) is None
    assert rank(parse_platform("linux/arm64"), parse_platform("linux/arm64/v8.2")) is None


@pytest.mark.parametrize(("data", "ctype", "error", "message"), [
    (b'{"schemaVersion":2,"manifests":[],"config":{}}', None, InvalidImageConfig, "contradict"),
    (b'{"schemaVersion":1}', None, UnsupportedImage, "schema1"),
    (b'{"schemaVersion":true,"manifests":[]}', None, InvalidImageConfig, "integer 2"),
    (b'{"schemaVersion":2,"mediaType":"text/x","manifests":[]}', None, UnsupportedImage,
     "unsupported manifest media type text/x"),
    (b'{"schemaVersion":2,"SchemaVersion":2,"manifests":[]}', None, InvalidImageConfig,
     "both present"),
    (_index(extra={"Manifests": []}), None, InvalidImageConfig, "both present"),
    (json.dumps({"schemaVersion": 2, "config": {"mediaType": "application/vnd.oci.image.config"
                 ".v1+json", "digest": f"sha256:{H64}", "size": 5 << 20}, "layers": []}).encode(),
     OCI_M, ContentTooLarge, "config larger than 4 MiB"),
    (json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": OCI_M,
                 "digest": "sha256:../../etc/passwd", "size": 1}]}).encode(), None,
     InvalidImageConfig, "invalid digest"),
])
def test_document_rejections(data: bytes, ctype: str | None, error: type[Exception],
                             message: str) -> None:
    with pytest.raises(error, match=message):
        parse_document(data, ctype)


def test_unknown_media_types_are_skipped_not_errors() -> None:
    doc = json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.example+json", "digest": f"sha256:{H64}", "size": 1},
        {"mediaType": OCI_M, "digest": f"sha256:{'b' * 64}", "size": 1,
         "platform": {"os": "linux", "architecture": "amd64"}}]}).encode()
    assert choose(parse_document(doc), parse_platform("linux/amd64"), "x").digest.endswith("b" * 64)


def test_check_platform_variant() -> None:
    from nvreq.images.documents import check_platform

    cfg = parse_config(b'{"architecture":"arm64","os":"linux","variant":"v8"}')
    check_platform(cfg, parse_platform("linux/arm64"), "t")
    with pytest.raises(PlatformMismatch, match="image is linux/arm64/v8, target is linux/amd64"):
        check_platform(cfg, parse_platform("linux/amd64"), "t")


# --- challenges, realms, proxies, credentials ----------------------------------------------------

@pytest.mark.parametrize(("headers", "expected"), [
    (['Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
      'scope="repository:library/ubuntu:pull"'],
     [("bearer", {"realm": "https://auth.docker.io/token", "service": "registry.docker.io",
                  "scope": "repository:library/ubuntu:pull"})]),
    (['Basic realm="x, y"', "bearer realm=http://a/t"],
     [("basic", {"realm": "x, y"}), ("bearer", {"realm": "http://a/t"})]),
    (['Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"'],
     [("newauth", {"realm": "apps", "type": "1", "title": 'Login to "apps"'}),
      ("basic", {"realm": "simple"})]),
    (["Negotiate abc123==, Basic realm=r"], [("negotiate", {}), ("basic", {"realm": "r"})]),
    ([""], []),
])
def test_challenge_parsing(headers: list[str], expected: list[tuple[str, dict[str, str]]]) -> None:
    assert [(c.scheme, c.params) for c in parse_challenges(headers)] == expected


@given(st.text(max_size=80))
@settings(max_examples=300)
def test_challenge_parser_never_fails(text: str) -> None:
    parse_challenges([text])


@pytest.mark.parametrize(("realm", "registry", "ok"), [
    ("https://auth.docker.io/token", ("https", "registry-1.docker.io", 443), True),
    ("http://auth.example/token", ("https", "r.example", 443), False),
    ("https://10.0.0.5/token", ("https", "r.example", 443), False),
    ("https://169.254.169.254/token", ("https", "r.example", 443), False),
    ("http://127.0.0.1:9/token", ("http", "127.0.0.1", 5000), True),
    ("http://localhost:9/token", ("http", "127.0.0.1", 5000), True),
    ("https://127.0.0.1/token", ("https", "r.example", 443), False),
    ("/token", ("https", "r.example", 443), False),
    ("file:///etc/passwd", ("https", "r.example", 443), False),
])
def test_realm_validation(realm: str, registry: tuple[str, str, int], ok: bool) -> None:
    if ok:
        check_realm(realm, registry)
    else:
        with pytest.raises(AuthenticationRequired, match="realm"):
            check_realm(realm, registry)


def test_only_loopback_or_insecure_hosts_may_use_http() -> None:
    """No connection is made to decide: a public host is https, verified, always."""
    from nvreq.images.httpclient import Http

    assert Http().base_url("registry.example.com") == ("https://registry.example.com", True)
    assert Http().base_url("10.1.2.3:5000") == ("https://10.1.2.3:5000", True)


def _parts(parts: object) -> tuple[object, ...]:
    """The attributes nvreq reads, with a bad port as its error (urlsplit raises on access)."""
    try:
        port: object = parts.port  # type: ignore[attr-defined]
    except ValueError as exc:
        port = str(exc)
    names = ("scheme", "netloc", "path", "query", "hostname")
    return (*(getattr(parts, n) for n in names), port)


_URL_PIECES = st.tuples(
    st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "//", "http:", ""]),
    st.text(alphabet="aZ09.-_@[]:%é ", max_size=12),
    st.sampled_from(["", ":", ":0", ":80", ":5000", ":65535", ":65536", ":99999", ":x1",
                     ":123456"]),
    st.text(alphabet="/?#@=&%. \t\nxé", max_size=16),
)


@given(_URL_PIECES | st.text(max_size=40).map(lambda t: ("", t, "", "")))
@settings(max_examples=600)
def test_split_url_agrees_with_urlsplit(pieces: tuple[str, str, str, str]) -> None:
    from urllib.parse import urlsplit

    url = "".join(pieces)
    try:
        expected: object = _parts(urlsplit(url))
    except ValueError as exc:
        expected = exc
    try:
        got: object = _parts(split_url(url))
    except ValueError as exc:
        got = exc
    assert type(got) is type(expected)
    if not isinstance(expected, ValueError):
        assert got == expected


@pytest.mark.parametrize(("url", "plain"), [
    ("http://127.0.0.1:5000/v2/test/cuda/manifests/multi", True),
    ("https://Registry-1.Docker.IO/v2/library/ubuntu/blobs/sha256:ab?x=1&y", True),
    ("http://localhost", True), ("https://r.example:65536/v2/", False),
    ("https://u:p@r.example/v2/", False), ("http://[::1]:5000/v2/", False),
    ("https://r.example/v2/#frag", False), ("HTTPS://r.example/", False),
])
def test_split_url_fast_path_takes_only_plain_urls(url: str, plain: bool) -> None:
    assert isinstance(split_url(url), PlainUrl) is plain


@pytest.mark.parametrize(("value", "host", "port", "matched"), [
    ("*", "a.example", 443, True), (".example.com", "r.example.com", 443, True),
    ("example.com", "r.example.com", 443, True), ("example.com", "example.com", 443, True),
    ("example.com", "badexample.com", 443, False), ("r.example:5000", "r.example", 443, False),
    ("r.example:5000", "r.example", 5000, True), ("10.1.2.3", "10.1.2.3", 80, True), ("", "a", 1,
                                                                                     False),
])
def test_no_proxy(value: str, host: str, port: int, matched: bool,
                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", value)
    assert no_proxy_matches(host, port) is matched


def test_auth_keys_and_docker_hub_aliases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert auth_key("docker.io") == "https://index.docker.io/v1/"
    assert auth_key("127.0.0.1:5000") == "127.0.0.1:5000"
    secret = base64.b64encode(b"u:pw-secret-9\x00\x00").decode()
    for key in ("https://index.docker.io/v1/", "docker.io", "registry-1.docker.io",
                "https://index.docker.io/v2/"):
        doc = {"auths": {"other": {}, key: {"auth": secret}}}
        (tmp_path / "a.json").write_text(json.dumps(doc))
        found = find_credentials("docker.io", "library/ubuntu", authfile=str(tmp_path / "a.json"))
        assert found.secret is not None and found.secret.password == "pw-secret-9", key
        assert "pw-secret-9" not in repr(found.secret) + repr(found)


@pytest.fixture
def no_creds_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch HOME, XDG_CONFIG_HOME and XDG_RUNTIME_DIR with no credentials anywhere."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("DOCKER_CONFIG", "REGISTRY_AUTH_FILE", "DOCKER_AUTH_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    return tmp_path


def _auth(path: Path, user: str, key: str = "r.example") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"auths": {key: {
        "auth": base64.b64encode(f"{user}:pw".encode()).decode()}}}))


def test_lookup_order_is_containers_images(no_creds_home: Path) -> None:
    home = no_creds_home
    files = [home / "run" / "containers" / "auth.json", home / "xdg" / "containers" / "auth.json",
             home / ".docker" / "config.json"]
    for n, path in enumerate(files):
        _auth(path, f"user{n}")
    (home / ".dockercfg").write_text(json.dumps({"r.example": {
        "auth": base64.b64encode(b"legacy:pw").decode()}}))
    for n, path in enumerate(files):
        found = find_credentials("r.example", "ns/img")
        assert found.secret is not None and found.secret.username == f"user{n}"
        assert found.looked == [str(path)]
        path.unlink()
    found = find_credentials("r.example", "ns/img")
    assert found.secret is not None and found.secret.username == "legacy"


def test_registry_auth_file_is_the_only_file_read(no_creds_home: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _auth(no_creds_home / "xdg" / "containers" / "auth.json", "xdg")
    (no_creds_home / "only.json").write_text("{}")
    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(no_creds_home / "only.json"))
    found = find_credentials("r.example", "ns/img")
    assert found.secret is None and found.looked == [str(no_creds_home / "only.json")]


@pytest.mark.parametrize(("text", "where"), [
    ("{not json", "line 1, column 2"),
    ('{\n  "auths": {\n    "r.example": {"auth": "x"},\n  }\n}', "line 4, column 3"),
    ("[]", "expected a JSON object"),
])
def test_a_malformed_credentials_file_is_an_error_naming_file_and_line(
        no_creds_home: Path, text: str, where: str) -> None:
    path = no_creds_home / "xdg" / "containers" / "auth.json"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    with pytest.raises(ConfigFileError) as ctx:
        find_credentials("r.example", "ns/img")
    assert str(path) in str(ctx.value) and where in str(ctx.value)


def test_an_entry_without_a_user_is_skipped_with_a_warning(no_creds_home: Path) -> None:
    path = no_creds_home / "xdg" / "containers" / "auth.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(
        {"auths": {"r.example": {"auth": base64.b64encode(b":nouser").decode()},
                   "r.example/ns": {"auth": base64.b64encode(b"u:pw").decode()}}}))
    found = find_credentials("r.example", "ns/img")
    assert found.secret is not None and found.secret.username == "u"
    found = find_credentials("r.example", "other/img")
    assert found.secret is None and any("empty user" in x for x in found.warnings)


# --- tar headers ---------------------------------------------------------------------------------

def _tar_bytes(members: dict[str, bytes], fmt: int = tarfile.PAX_FORMAT) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.mark.parametrize("fmt", [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
def test_tar_long_names_and_formats(tmp_path: Path, fmt: int) -> None:
    long = "blobs/sha256/" + "f" * 64 if fmt == tarfile.USTAR_FORMAT else "d/" * 80 + "x.json"
    path = tmp_path / "t.tar"
    path.write_bytes(_tar_bytes({"./manifest.json": b"[]", long: b"12345"}, fmt))
    index = open_tar(path, "t")
    assert index.read("manifest.json", 10) == b"[]" and index.read(long, 10) == b"12345"
    with pytest.raises(ContentTooLarge):
        index.read(long, 4)


@given(st.binary(min_size=0, max_size=3000))
@settings(max_examples=200)
def test_tar_reader_refuses_garbage_cleanly(tmp_path_factory: pytest.TempPathFactory,
                                            data: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "x.tar"
    path.write_bytes(_tar_bytes({"manifest.json": b"[]"})[:512] + data)
    with contextlib.suppress(ArchiveError, ContentTooLarge, UnsupportedImage):
        open_tar(path, "x").read("manifest.json", 100)


@settings(max_examples=200)
@given(st.one_of(st.binary(max_size=200), st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["auths", "credHelpers", "credsStore",
                                                             "r.example", "auth", "username",
                                                             "password", "identitytoken"]),
                                            inner, max_size=4)),
    max_leaves=10).map(lambda doc: json.dumps(doc).encode())))
def test_any_credentials_file_reads_or_is_a_config_file_error(
        tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("auth") / "auth.json"
    path.write_bytes(data)
    try:
        found = find_credentials("r.example", "ns/img", authfile=str(path))
    except ConfigFileError as exc:
        assert str(path) in str(exc)
        return
    assert found.looked == [str(path)]
