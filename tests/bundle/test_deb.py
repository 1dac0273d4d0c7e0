"""Reading a .deb's control file: every compression dpkg-deb writes, and bad archives refused
with a message naming the file, never a traceback."""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nvreq.bundle import deb
from nvreq.bundle.deb import read_control
from nvreq.errors import DebError
from tests.bundle.debs import STACK, ar_archive, build, by_name, needs_dpkg, tar_bytes

CONTROL = b"Package: x\nVersion: 1.0\nArchitecture: all\n"


@needs_dpkg
@pytest.mark.parametrize("compression", ["none", "gzip", "xz", "zstd"])
def test_reads_what_dpkg_deb_wrote(tmp_path: Path, compression: str) -> None:
    [path] = build([by_name("nvidia-container-toolkit")], tmp_path, compression=compression)
    suffix = {"none": "", "gzip": ".gz", "xz": ".xz", "zstd": ".zst"}[compression]
    assert f"control.tar{suffix} ".encode() in path.read_bytes()[:200]
    expected = subprocess.run(["dpkg-deb", "-f", str(path)], capture_output=True, text=True,
                              check=True).stdout
    assert read_control(str(path)) == expected


@needs_dpkg
def test_the_whole_stack_reads_as_dpkg_deb_shows_it(tmp_path: Path) -> None:
    for path in build(STACK, tmp_path):
        expected = subprocess.run(["dpkg-deb", "-f", str(path)], capture_output=True, text=True,
                                  check=True).stdout
        assert read_control(str(path)) == expected


def _deb(tmp_path: Path, members: list[tuple[str, bytes]], name: str = "bad.deb") -> str:
    """A package of ``members``, with an empty ``data.tar`` after them."""
    path = tmp_path / name
    path.write_bytes(ar_archive([*members, ("data.tar", tar_bytes({}))]))
    return str(path)


def test_a_hand_made_archive_reads(tmp_path: Path) -> None:
    path = _deb(tmp_path, [("debian-binary", b"2.0\n"),
                           ("control.tar.gz", tar_bytes({"./control": CONTROL}, "w:gz"))])
    assert read_control(path) == CONTROL.decode()


@pytest.mark.parametrize(("members", "message"), [
    ([("debian-binary", b"2.0\n")], "no control.tar member"),
    ([("control.tar", tar_bytes({"control": CONTROL}))], "first member is not debian-binary"),
    ([("debian-binary", b"3.0\n"), ("control.tar", b"")], "debian-binary is not 2.x"),
    ([("debian-binary", b"2.0\n"), ("control.tar.bz2", b"")], "unsupported control member"),
    ([("debian-binary", b"2.0\n"), ("control.tar", tar_bytes({"md5sums": b""}))],
     "control.tar has no control file"),
    ([("debian-binary", b"2.0\n"), ("control.tar", tar_bytes({"../control": CONTROL}))],
     "control.tar member '../control' points outside the package"),
    ([("debian-binary", b"2.0\n"), ("control.tar", tar_bytes({"/etc/passwd": b"x"}))],
     "points outside the package"),
    ([("debian-binary", b"2.0\n"), ("control.tar.gz", b"\x1f\x8b not gzip")],
     "corrupt control archive"),
    ([("debian-binary", b"2.0\n"), ("control.tar.xz", b"\xfd7zXZ\x00 broken")],
     "corrupt control archive"),
    ([("debian-binary", b"2.0\n"), ("control.tar.zst", b"\x28\xb5\x2f\xfd broken")],
     "corrupt control archive"),
    ([("debian-binary", b"2.0\n"), ("control.tar", tar_bytes({"control": b"\xff\xfe"}))],
     "not UTF-8"),
])
def test_bad_archives_name_the_file(tmp_path: Path, members: list[tuple[str, bytes]],
                                    message: str) -> None:
    path = _deb(tmp_path, members)
    with pytest.raises(DebError, match=message) as caught:
        read_control(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_a_text_file_is_not_a_package(tmp_path: Path) -> None:
    path = tmp_path / "README.deb"
    path.write_text("hello\n")
    with pytest.raises(DebError, match="no ar archive header"):
        read_control(str(path))


def test_a_huge_control_member_is_refused_before_it_is_read(tmp_path: Path) -> None:
    size = deb.MAX_CONTROL_TAR_BYTES + 2
    header = (f"{'control.tar':<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{size:<10}").encode()
    path = tmp_path / "huge.deb"
    with path.open("wb") as handle:
        handle.write(ar_archive([("debian-binary", b"2.0\n")]) + header + b"`\n")
        handle.truncate(handle.tell() + size)  # sparse: nothing of it is written
        handle.seek(0, 2)
        handle.write(ar_archive([("data.tar", tar_bytes({}))])[8:])
    with pytest.raises(DebError, match=r"control\.tar is 67108866 bytes, more than the 64 MiB"):
        read_control(str(path))


def test_a_header_claiming_more_than_the_file_holds(tmp_path: Path) -> None:
    header = (f"{'control.tar':<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{10**9:<10}").encode()
    path = tmp_path / "short.deb"
    path.write_bytes(ar_archive([("debian-binary", b"2.0\n")]) + header + b"`\n" + b"x" * 100)
    with pytest.raises(DebError, match=r"truncated archive: control\.tar is cut short"):
        read_control(str(path))


def test_no_data_member(tmp_path: Path) -> None:
    path = tmp_path / "nodata.deb"
    path.write_bytes(ar_archive([("debian-binary", b"2.0\n"),
                                 ("control.tar", tar_bytes({"control": CONTROL}))]))
    with pytest.raises(DebError, match=r"no data\.tar member"):
        read_control(str(path))


def test_a_control_tar_that_expands_past_the_cap_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deb, "MAX_CONTROL_TAR_BYTES", 4096)
    bomb = tar_bytes({"./padding": b"\0" * 100_000, "./control": CONTROL}, "w:gz")
    path = _deb(tmp_path, [("debian-binary", b"2.0\n"), ("control.tar.gz", bomb)])
    with pytest.raises(DebError, match="larger than"):
        read_control(path)


def test_a_truncated_archive(tmp_path: Path) -> None:
    whole = ar_archive([("debian-binary", b"2.0\n"),
                        ("control.tar.xz", tar_bytes({"./control": CONTROL}, "w:xz")),
                        ("data.tar", tar_bytes({}))])
    path = tmp_path / "cut.deb"
    path.write_bytes(whole[:-40])
    with pytest.raises(DebError, match=r"truncated|corrupt"):
        read_control(str(path))


@given(st.binary(max_size=400))
def test_random_bytes_never_raise_anything_else(data: bytes) -> None:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".deb") as handle:
        handle.write(b"!<arch>\n" + data)
        handle.flush()
        with contextlib.suppress(DebError):
            read_control(handle.name)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0), flip=st.integers(min_value=0),
       compression=st.sampled_from(["w", "w:gz", "w:xz"]))
def test_damaged_packages_never_raise_anything_else(tmp_path: Path, cut: int, flip: int,
                                                    compression: str) -> None:
    member = {"w": "control.tar", "w:gz": "control.tar.gz", "w:xz": "control.tar.xz"}
    whole = bytearray(ar_archive([("debian-binary", b"2.0\n"),
                                  (member[compression], tar_bytes({"./control": CONTROL},
                                                                  compression))]))
    whole[flip % len(whole)] ^= 0x5A
    path = tmp_path / "damaged.deb"
    path.write_bytes(bytes(whole[:max(8, cut % (len(whole) + 1))]))
    with contextlib.suppress(DebError):
        read_control(str(path))


def test_zstd_without_a_decoder_says_what_to_install(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    for package in ("compression", "backports"):
        monkeypatch.setitem(sys.modules, f"{package}.zstd", None)
        if package in sys.modules:
            monkeypatch.delattr(sys.modules[package], "zstd", raising=False)
    path = _deb(tmp_path, [("debian-binary", b"2.0\n"), ("control.tar.zst", b"")])
    with pytest.raises(DebError, match=r"bad\.deb: control\.tar\.zst needs zstd support: pip "
                                       r"install 'nvreq\[bundle\]'"):
        read_control(path)
