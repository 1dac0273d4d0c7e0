"""Mirrors, --creds and client certificates against real loopback registries.

Two `docker-registry` instances stand for an air-gapped site: the primary is unreachable (a
loopback port nothing listens on) and the mirror serves. A third mirror serves tampered content,
a fourth needs basic auth, a fifth needs a client certificate (TLS with ``clientcas``).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from nvreq.cli.main import main
from nvreq.images import read_image
from nvreq.images.errors import AuthenticationRequired, BlockedRegistry, TransportError
from nvreq.images.netpolicy import tls_context
from tests.images import world as w

pytestmark = pytest.mark.registry

AMD = "linux/amd64"
LOGICAL = "nvcr.example/nvidia/cuda:multi"


@dataclass
class Site:
    work: Path
    mirror: str
    dead: str
    tampered: str
    basic: str
    basic_mirror: str
    client: str
    client_dir: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with w.running(tmp_path_factory, "mirrors") as (world, work):
        yield _build(world, work)


def _build(world: w.World, work: Path) -> Site:
    layout = w.build_layout(work)
    port, _ = world.registry("mirror")
    mirror = f"127.0.0.1:{port}"
    w.skopeo_copy(f"oci:{layout}:multi", f"docker://{mirror}/cache/cuda:multi", "--all")
    port, root = world.registry("tampered")
    tampered = f"127.0.0.1:{port}"
    w.skopeo_copy(f"oci:{layout}:amd64", f"docker://{tampered}/cache/cuda:multi")
    for config in (root / "data").rglob("data"):
        body = config.read_bytes()
        if b"CUDA_VERSION=12.0.1" in body:
            config.write_bytes(body.replace(b"CUDA_VERSION=12.0.1", b"CUDA_VERSION=11.8.0"))
    auth = work / "htpasswd"
    auth.write_text(w.HTPASSWD)
    basic_auth = f"auth:\n  htpasswd:\n    realm: test-realm\n    path: {auth}\n"
    creds = f"--dest-creds={w.USER}:{w.PASSWORD}"
    port, _ = world.registry("basic", basic_auth)
    basic = f"127.0.0.1:{port}"
    w.skopeo_copy(f"oci:{layout}:multi", f"docker://{basic}/test/cuda:multi", "--all", creds)
    port, _ = world.registry("basic-mirror", basic_auth)
    basic_mirror = f"127.0.0.1:{port}"
    w.skopeo_copy(f"oci:{layout}:multi", f"docker://{basic_mirror}/test/cuda:multi", "--all",
                  creds)
    client, client_dir = _client_cert_registry(world, work, layout)
    return Site(work, mirror, f"127.0.0.1:{w.free_port()}", tampered, basic, basic_mirror,
                client, client_dir)


def _client_cert_registry(world: w.World, work: Path, layout: Path) -> tuple[str, Path]:
    """A TLS registry that requires a client certificate signed by its own CA."""
    pki = work / "pki"
    pki.mkdir()
    w.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
           str(pki / "ca.key"), "-out", str(pki / "ca.pem"), "-days", "30", "-subj",
           "/CN=test-client-ca"])
    w.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(pki / "client.key"),
           "-out", str(pki / "client.csr"), "-subj", "/CN=test-client"])
    w.run(["openssl", "x509", "-req", "-in", str(pki / "client.csr"), "-CA", str(pki / "ca.pem"),
           "-CAkey", str(pki / "ca.key"), "-CAcreateserial", "-out", str(pki / "client.cert"),
           "-days", "30"])
    port, root = world.registry("client", f"    clientcas:\n      - {pki / 'ca.pem'}\n",
                                tls=True)
    host = f"127.0.0.1:{port}"
    certs = work / "skopeo-certs"
    certs.mkdir()
    for name in ("client.cert", "client.key"):
        (certs / name).write_bytes((pki / name).read_bytes())
    (certs / "registry.crt").write_bytes((root / "cert.pem").read_bytes())
    w.skopeo_copy(f"oci:{layout}:amd64", f"docker://{host}/test/cuda:single",
                  f"--dest-cert-dir={certs}")
    return host, certs


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch HOME with no credentials, certificates or registries.conf of its own."""
    for name in ("DOCKER_CONFIG", "REGISTRY_AUTH_FILE", "DOCKER_AUTH_CONFIG", "XDG_CONFIG_HOME",
                 "CONTAINERS_REGISTRIES_CONF"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    tls_context.cache_clear()
    return tmp_path


def conf(home: Path, text: str) -> str:
    path = home / "registries.conf"
    path.write_text(text)
    return str(path)


def air_gapped(site: Site, home: Path, *mirrors: str) -> str:
    entries = "".join(f'[[registry.mirror]]\nlocation = "{m}"\n' for m in mirrors)
    return conf(home, f'[[registry]]\nprefix = "nvcr.example/nvidia"\n'
                      f'location = "{site.dead}/nvidia"\n{entries}')


def test_the_mirror_serves_when_the_primary_is_unreachable(site: Site, home: Path) -> None:
    info = read_image(LOGICAL, platform=AMD,
                      registries_conf=air_gapped(site, home, f"{site.mirror}/cache"))
    assert info.resolved == "nvcr.example/nvidia/cuda:multi"
    assert info.endpoint == f"{site.mirror}/cache/cuda"
    assert "CUDA_VERSION=12.0.1" in info.env and info.verified
    assert info.env == tuple(w.skopeo_env(f"docker://{site.mirror}/cache/cuda:multi",
                                          "--override-arch", "amd64"))


def test_an_unreachable_mirror_falls_through_with_a_note(site: Site, home: Path) -> None:
    path = conf(home, f'[[registry]]\nlocation = "{site.mirror}"\n'
                      f'[[registry.mirror]]\nlocation = "{site.dead}"\n')
    info = read_image(f"{site.mirror}/cache/cuda:multi", platform=AMD, registries_conf=path)
    assert info.endpoint == f"{site.mirror}/cache/cuda"
    assert any(n.startswith(f"mirror {site.dead}/cache/cuda: cannot connect") and
               n.endswith("tried the next endpoint") for n in info.warnings)


def test_a_mirror_serving_other_content_is_refused_and_the_next_one_serves(
        site: Site, home: Path) -> None:
    path = air_gapped(site, home, f"{site.tampered}/cache", f"{site.mirror}/cache")
    info = read_image(LOGICAL, platform=AMD, registries_conf=path)
    assert info.endpoint == f"{site.mirror}/cache/cuda" and "CUDA_VERSION=12.0.1" in info.env
    assert any(f"mirror {site.tampered}/cache/cuda" in n and "digest" in n for n in info.warnings)


def test_when_every_endpoint_fails_the_primarys_error_lists_the_mirrors(
        site: Site, home: Path) -> None:
    path = air_gapped(site, home, f"{site.tampered}/cache")
    with pytest.raises(TransportError) as ctx:
        read_image(LOGICAL, platform=AMD, registries_conf=path)
    text = str(ctx.value)
    assert f"cannot connect to {site.dead}" in text and "mirrors also failed" in text
    assert f"{site.tampered}/cache/cuda" in text


def test_a_blocked_registry_is_not_contacted(site: Site, home: Path) -> None:
    path = conf(home, f'[[registry]]\nlocation = "{site.mirror}"\nblocked = true\n')
    with pytest.raises(BlockedRegistry, match="is blocked in"):
        read_image(f"{site.mirror}/cache/cuda:multi", platform=AMD, registries_conf=path)


def test_check_reports_the_endpoint_that_served(site: Site, home: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = air_gapped(site, home, f"{site.mirror}/cache")
    code = main(["check", LOGICAL, "--host", "preset:h100-r550", "--registries-conf", path,
                 "-o", "json"])
    out, err = capsys.readouterr()
    (entry,) = json.loads(out)["results"]
    assert code == 0 and entry["report"]["image"]["endpoint"] == f"{site.mirror}/cache/cuda"
    assert f"was served by the mirror {site.mirror}/cache/cuda" in err


def test_creds_authenticate_without_stored_credentials(site: Site, home: Path) -> None:
    with pytest.raises(AuthenticationRequired):
        read_image(f"{site.basic}/test/cuda:multi", platform=AMD)
    info = read_image(f"{site.basic}/test/cuda:multi", platform=AMD,
                      creds=(w.USER, w.PASSWORD))
    assert "CUDA_VERSION=12.0.1" in info.env


def test_no_creds_ignores_stored_credentials(site: Site, home: Path) -> None:
    (home / ".docker").mkdir()
    (home / ".docker" / "config.json").write_text(json.dumps(
        {"auths": {site.basic: {"username": w.USER, "password": w.PASSWORD}}}))
    assert read_image(f"{site.basic}/test/cuda:multi", platform=AMD).env
    with pytest.raises(AuthenticationRequired, match=r"looked in --no-creds"):
        read_image(f"{site.basic}/test/cuda:multi", platform=AMD, no_creds=True)


def test_creds_are_not_sent_to_a_mirror_on_another_host(site: Site, home: Path) -> None:
    path = conf(home, f'[[registry]]\nlocation = "{site.basic}"\n'
                      f'[[registry.mirror]]\nlocation = "{site.basic_mirror}"\n')
    info = read_image(f"{site.basic}/test/cuda:multi", platform=AMD, registries_conf=path,
                      creds=(w.USER, w.PASSWORD))
    assert info.endpoint == f"{site.basic}/test/cuda"
    assert any(f"mirror {site.basic_mirror}/test/cuda: authentication required" in n
               for n in info.warnings)


def test_password_stdin_and_no_secret_in_any_output(site: Site, home: Path,
                                                     capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{w.PASSWORD}\n"))
    code = main(["env", f"{site.basic}/test/cuda:multi", "--platform", AMD, "--creds", w.USER,
                 "--password-stdin", "--debug", "-o", "json"])
    out, err = capsys.readouterr()
    assert code == 0 and "CUDA_VERSION=12.0.1" in out
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong-secret-7f3a\n"))
    code = main(["env", f"{site.basic}/test/cuda:multi", "--platform", AMD, "--creds", w.USER,
                 "--password-stdin", "--debug"])
    out2, err2 = capsys.readouterr()
    assert code == 2 and "credentials from --creds were rejected" in err2
    for text in (out, err, out2, err2):
        assert w.PASSWORD not in text and "wrong-secret-7f3a" not in text


@pytest.mark.parametrize(("argv", "message"), [
    (["--password-stdin"], "--password-stdin needs --creds USER"),
    (["--creds", ":pw"], "the user is empty"),
    (["--creds", "u:pw", "--password-stdin"], "both give a password"),
    (["--creds", "u"], "--creds USER without a password"),
])
def test_creds_options_refuse_what_cannot_work(capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch,
                                               argv: list[str], message: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["env", "127.0.0.1:1/x:1", *argv]) == 2
    assert message in capsys.readouterr().err


def test_a_client_certificate_from_certs_d(site: Site, home: Path) -> None:
    ref = f"{site.client}/test/cuda:single"
    folder = home / ".config" / "containers" / "certs.d" / site.client
    folder.mkdir(parents=True)
    (folder / "registry.crt").write_bytes((site.client_dir / "registry.crt").read_bytes())
    with pytest.raises(TransportError):
        read_image(ref, platform=AMD)
    for name in ("client.cert", "client.key"):
        (folder / name).write_bytes((site.client_dir / name).read_bytes())
    tls_context.cache_clear()
    assert "CUDA_VERSION=12.0.1" in read_image(ref, platform=AMD).env


def test_env_names_the_mirror_and_its_json_is_valid(site: Site, home: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from tests.test_schemas import validate

    path = air_gapped(site, home, f"{site.mirror}/cache")
    assert main(["env", LOGICAL, "--platform", AMD, "--registries-conf", path]) == 0
    assert f"mirror:    {site.mirror}/cache/cuda" in capsys.readouterr().out
    assert main(["env", LOGICAL, "--platform", AMD, "--registries-conf", path, "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["endpoint"] == f"{site.mirror}/cache/cuda"
    validate(doc)


def _skopeo_login(home: Path, registry: str, *extra: str) -> None:
    env = {**os.environ, **w.LOOPBACK_ENV, "HOME": str(home),
           "XDG_RUNTIME_DIR": str(home / "run")}
    done = subprocess.run(["skopeo", "login", "--tls-verify=false", "-u", w.USER,
                           "--password-stdin", *extra, registry], input=w.PASSWORD,
                          capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr


def test_the_file_skopeo_login_writes_is_found_where_skopeo_writes_it(site: Site,
                                                                       home: Path) -> None:
    (home / "run").mkdir(mode=0o700)
    _skopeo_login(home, site.basic)
    assert (home / "run" / "containers" / "auth.json").is_file()
    assert "CUDA_VERSION=12.0.1" in read_image(f"{site.basic}/test/cuda:multi", platform=AMD).env


def test_an_authfile_skopeo_login_writes_is_read_with_authfile(site: Site, home: Path) -> None:
    (home / "run").mkdir(mode=0o700)
    _skopeo_login(home, site.basic, "--authfile", str(home / "mine.json"))
    with pytest.raises(AuthenticationRequired):
        read_image(f"{site.basic}/test/cuda:multi", platform=AMD)
    assert read_image(f"{site.basic}/test/cuda:multi", platform=AMD,
                      authfile=str(home / "mine.json")).env


def test_timeout_bounds_the_whole_read_mirrors_included(site: Site, home: Path) -> None:
    import socket

    # a mirror that accepts connections and never answers uses up the whole --timeout, so the
    # primary (refusing connections) is not even tried: the error is the timeout, not a refusal
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        path = air_gapped(site, home, f"127.0.0.1:{port}/cache")
        with pytest.raises(TransportError) as ctx:
            read_image(LOGICAL, platform=AMD, registries_conf=path, timeout=1.0)
    primary, _, mirrors = str(ctx.value).partition("(mirrors also failed")
    assert "took longer than 1 s (--timeout)" in primary and f"127.0.0.1:{port}/cache" in mirrors
