"""certs.d as docker and skopeo read it: CAs, client pairs, the first existing directory."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from nvreq.images.certs import CertFiles, cert_dirs, cert_files, load_certs
from nvreq.images.errors import ConfigFileError


@pytest.fixture
def certs_d(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    folder = tmp_path / ".config" / "containers" / "certs.d"
    folder.mkdir(parents=True)
    return folder


def test_the_home_directory_comes_first(certs_d: Path) -> None:
    assert cert_dirs() == (str(certs_d), "/etc/containers/certs.d", "/etc/docker/certs.d")


def test_cas_and_client_pairs_are_found(certs_d: Path) -> None:
    host = certs_d / "r.example:5000"
    host.mkdir()
    for name in ("ca.crt", "client.cert", "client.key", "README"):
        (host / name).write_text("x")
    assert cert_files("r.example:5000") == CertFiles(
        str(host), (str(host / "ca.crt"),), ((str(host / "client.cert"),
                                               str(host / "client.key")),))
    assert not cert_files("other.example")


@pytest.mark.parametrize(("names", "message"), [
    (["client.cert"], "missing key client.key for client certificate client.cert"),
    (["client.key"], "missing client certificate client.cert for key client.key"),
])
def test_an_unpaired_certificate_or_key_is_an_error(certs_d: Path, names: list[str],
                                                     message: str) -> None:
    (certs_d / "r.example").mkdir()
    for name in names:
        (certs_d / "r.example" / name).write_text("x")
    with pytest.raises(ConfigFileError, match=message):
        cert_files("r.example")


def test_an_unusable_certificate_names_the_files_not_their_contents(certs_d: Path) -> None:
    host = certs_d / "r.example"
    host.mkdir()
    (host / "client.cert").write_text("not a certificate")
    (host / "client.key").write_text("SECRET-KEY-MATERIAL")
    with pytest.raises(ConfigFileError) as ctx:
        load_certs(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT), cert_files("r.example"))
    assert str(host / "client.cert") in str(ctx.value) and "SECRET" not in str(ctx.value)


def test_a_file_where_a_directory_belongs_is_an_error(certs_d: Path) -> None:
    (certs_d / "r.example").write_text("x")
    with pytest.raises(ConfigFileError, match="is not a directory"):
        cert_files("r.example")
