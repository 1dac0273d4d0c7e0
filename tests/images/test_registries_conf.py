"""registries.conf and daemon.json mirrors: matching, rewriting, ordering and bad files."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nvreq.images.errors import BlockedRegistry, ConfigFileError
from nvreq.images.reference import parse_reference
from nvreq.images.registries_conf import (
    Endpoint,
    RegistriesConf,
    RegistryEntry,
    _match,
    load_registries_conf,
    pull_sources,
)

DATA = Path(__file__).parent / "data"
DIGEST = "sha256:" + "a" * 64


# Cases from containers/image TestRefMatchingPrefix and TestRefMatchingSubdomainPrefix.
@pytest.mark.parametrize(("name", "prefix", "end"), [
    ("docker.io", "docker.io", 9),
    ("docker.io", "example.com", -1),
    ("example.com:5000", "example.com:5000", 16),
    ("example.com:50000", "example.com:5000", -1),
    ("example.com/foo/bar", "example.com", 11),
    ("docker.io", "docker.io/library", -1),
    ("docker.io/libraryy", "docker.io/library", -1),
    ("docker.io/library/busybox", "docker.io/library", 17),
    ("docker.io/library/busybox2", "docker.io/library/busybox", -1),
    ("example.com/foo", "*", -1),
    ("docker.io", "*.io", 9),
    ("docker.io/foo", "*.com", -1),
    ("example.com/foo", "*.co", -1),
    ("example.com/foo", "*.example.com", -1),
    ("example.com/foo/bar", "*.com", 11),
    ("yet.another.example.com/foo", "**.example.com", -1),
])
def test_prefix_matching_follows_containers_image(name: str, prefix: str, end: int) -> None:
    assert _match(name, prefix) == end


def _conf(tmp_path: Path, text: str) -> RegistriesConf:
    path = tmp_path / "registries.conf"
    path.write_text(text)
    return load_registries_conf(str(path), daemon_json=None)


# Expected locations from containers/image TestFindRegistry.
@pytest.mark.parametrize(("ref", "location"), [
    ("simple-prefix.com/foo/bar:latest", "registry.com:5000/foo/bar:latest"),
    ("complex-prefix.com:4000/with/path/and/beyond:tag",
     "another-registry.com:5000/and/beyond:tag"),
    ("another-registry.com/image:tag", "registry.com:5000/image:tag"),
    ("no-prefix.com/foo:tag", "no-prefix.com/foo:tag"),
    ("empty-prefix.com/foo:tag", "empty-prefix.com/foo:tag"),
    ("a.so.simple-prefix.com/foo:tag", "subdomain-prefix.com/foo:tag"),
    ("a.simple-prefix.com/foo:tag", "subdomain-prefix-2.com/foo:tag"),
    ("foo.bar.example.com:5000/x:tag", "subdomain-prefix-5.com/x:tag"),
    ("x.internal.registry.com/y:tag", "x.internal.registry.com/y:tag"),
])
def test_the_longest_prefix_rewrites_the_reference(ref: str, location: str) -> None:
    conf = load_registries_conf(str(DATA / "find-registry.conf"), daemon_json=None)
    sources, _ = pull_sources(parse_reference(ref), conf)
    assert str(sources[-1][1]) == location


MIRRORS = """
[[registry]]
prefix = "nvcr.io/nvidia"
location = "primary.example:5000/nv"

[[registry.mirror]]
location = "all.example/cache"

[[registry.mirror]]
location = "digests.example"
pull-from-mirror = "digest-only"
insecure = true

[[registry.mirror]]
location = "tags.example"
pull-from-mirror = "tag-only"
"""


@pytest.mark.parametrize(("ref", "expected"), [
    ("nvcr.io/nvidia/cuda:12.4.1", ["all.example/cache/cuda:12.4.1", "tags.example/cuda:12.4.1",
                                    "primary.example:5000/nv/cuda:12.4.1"]),
    (f"nvcr.io/nvidia/cuda@{DIGEST}", [f"all.example/cache/cuda@{DIGEST}",
                                      f"digests.example/cuda@{DIGEST}",
                                      f"primary.example:5000/nv/cuda@{DIGEST}"]),
    ("nvcr.io/other/x:1", ["nvcr.io/other/x:1"]),
])
def test_mirrors_come_first_in_order_with_their_rules(tmp_path: Path, ref: str,
                                                      expected: list[str]) -> None:
    sources, _ = pull_sources(parse_reference(ref), _conf(tmp_path, MIRRORS))
    assert [str(r) for _, r in sources] == expected


def test_insecure_belongs_to_its_endpoint(tmp_path: Path) -> None:
    sources, _ = pull_sources(parse_reference(f"nvcr.io/nvidia/cuda@{DIGEST}"),
                              _conf(tmp_path, MIRRORS))
    assert [e.insecure for e, _ in sources] == [False, True, False]


def test_mirror_by_digest_only_skips_mirrors_for_tags(tmp_path: Path) -> None:
    conf = _conf(tmp_path, '[[registry]]\nlocation = "r.example"\nmirror-by-digest-only = true\n'
                           '[[registry.mirror]]\nlocation = "m.example"\n')
    assert len(pull_sources(parse_reference("r.example/a:1"), conf)[0]) == 1
    assert len(pull_sources(parse_reference(f"r.example/a@{DIGEST}"), conf)[0]) == 2


def test_a_blocked_registry_is_refused_naming_the_file(tmp_path: Path) -> None:
    conf = _conf(tmp_path, '[[registry]]\nlocation = "bad.example"\nblocked = true\n')
    with pytest.raises(BlockedRegistry, match=r"bad.example is blocked in .*registries.conf, "
                                              r"line 1"):
        pull_sources(parse_reference("bad.example/x:1"), conf)


def test_version_1_insecure_and_block_lists(tmp_path: Path) -> None:
    conf = _conf(tmp_path, '[registries.search]\nregistries = ["docker.io"]\n'
                           '[registries.insecure]\nregistries = ["plain.example:5000"]\n'
                           '[registries.block]\nregistries = ["bad.example"]\n')
    ((endpoint, _),), _ = pull_sources(parse_reference("plain.example:5000/a:1"), conf)
    assert endpoint == Endpoint("plain.example:5000", insecure=True)
    with pytest.raises(BlockedRegistry):
        pull_sources(parse_reference("bad.example/a:1"), conf)


def test_the_system_files_are_ignored_when_a_user_file_exists(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("CONTAINERS_REGISTRIES_CONF", raising=False)
    user = tmp_path / ".config" / "containers"
    (user / "registries.conf.d").mkdir(parents=True)
    (user / "registries.conf").write_text('[[registry]]\nlocation = "a.example"\n')
    (user / "registries.conf.d" / "10-b.conf").write_text('[[registry]]\nlocation = "a.example"\n'
                                                         'blocked = true\n')
    conf = load_registries_conf(daemon_json=None)
    assert conf.files == (str(user / "registries.conf"),
                          str(user / "registries.conf.d" / "10-b.conf"))
    assert conf.registries == (RegistryEntry("a.example", Endpoint("a.example"), blocked=True),)


def test_containers_registries_conf_names_the_file(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "mine.conf"
    path.write_text('[[registry]]\nlocation = "x.example"\n')
    monkeypatch.setenv("CONTAINERS_REGISTRIES_CONF", str(path))
    assert load_registries_conf(daemon_json=None).files == (str(path),)


@pytest.mark.parametrize(("text", "message"), [
    ("[[registry]\nlocation = 1", "line 1"),
    ('[[registry]]\nlocation = "x"\n\n[[registry]]\nprefix = "y.example"\n',
     "line 4: location is unset and prefix 'y.example' is not of the form *.example.com"),
    ('[[registry]]\nlocation = "https://x.example"\n', "URI schemes are not supported"),
    ('[[registry]]\nlocation = "x.example"\ninsecure = "yes"\n', "insecure must be true or false"),
    ('[[registry]]\nlocation = "x.example"\n[[registry.mirror]]\ninsecure = true\n',
     "line 1: a [[registry.mirror]] has no location"),
    ('[[registry]]\nlocation = "x.example"\n[[registry.mirror]]\nlocation = "m"\n'
     'pull-from-mirror = "sometimes"\n', "pull-from-mirror 'sometimes'"),
    ('[[registry]]\nlocation = "x.example"\nmirrors = []\n', "unknown key 'mirrors'"),
    ("[[registry]]\n", "needs a location or a prefix"),
])
def test_a_malformed_file_is_an_error_naming_file_and_line(tmp_path: Path, text: str,
                                                           message: str) -> None:
    with pytest.raises(ConfigFileError) as ctx:
        _conf(tmp_path, text)
    assert "registries.conf" in str(ctx.value) and message in str(ctx.value)


def test_daemon_json_mirrors_serve_docker_hub_only(tmp_path: Path) -> None:
    daemon = tmp_path / "daemon.json"
    daemon.write_text(json.dumps({"registry-mirrors": ["https://hub-cache.example:5000",
                                                       "http://plain-cache.example"]}))
    empty = tmp_path / "empty.conf"
    empty.write_text("")
    conf = load_registries_conf(str(empty), daemon_json=str(daemon))
    sources, _ = pull_sources(parse_reference("ubuntu:22.04"), conf)
    assert [(str(r), e.insecure) for e, r in sources] == [
        ("hub-cache.example:5000/library/ubuntu:22.04", False),
        ("plain-cache.example/library/ubuntu:22.04", True),
        ("docker.io/library/ubuntu:22.04", False)]
    assert len(pull_sources(parse_reference("nvcr.io/nvidia/cuda:1"), conf)[0]) == 1


def test_registries_conf_beats_daemon_json_for_docker_hub(tmp_path: Path) -> None:
    daemon = tmp_path / "daemon.json"
    daemon.write_text(json.dumps({"registry-mirrors": ["https://hub-cache.example"]}))
    conf_file = tmp_path / "r.conf"
    conf_file.write_text('[[registry]]\nlocation = "docker.io"\n')
    conf = load_registries_conf(str(conf_file), daemon_json=str(daemon))
    assert len(pull_sources(parse_reference("ubuntu"), conf)[0]) == 1


@pytest.mark.parametrize(("doc", "message"), [
    ('{"registry-mirrors": ["https://m.example/path"]}', "no path"),
    ('{"registry-mirrors": "https://m.example"}', "must be a list"),
    ('{\n"registry-mirrors": [,]}', "line 2, column 22: invalid JSON"),
])
def test_a_malformed_daemon_json_is_an_error(tmp_path: Path, doc: str, message: str) -> None:
    daemon = tmp_path / "daemon.json"
    daemon.write_text(doc)
    empty = tmp_path / "empty.conf"
    empty.write_text("")
    with pytest.raises(ConfigFileError, match=message):
        load_registries_conf(str(empty), daemon_json=str(daemon))


def test_search_lists_and_aliases_change_nothing(tmp_path: Path) -> None:
    conf = _conf(tmp_path, 'unqualified-search-registries = ["docker.io"]\n[aliases]\n'
                           '"ubuntu" = "docker.io/library/ubuntu"\n')
    assert conf.registries == ()


def test_registries_written_as_an_inline_array_are_read(tmp_path: Path) -> None:
    conf = _conf(tmp_path, 'registry = [{location = "x.example", blocked = true}]\n')
    assert conf.registries == (RegistryEntry("x.example", Endpoint("x.example"), blocked=True),)


_TOML_BITS = st.sampled_from(["[[registry]]\n", "[[registry.mirror]]\n", 'location = "a.example"\n',
                              'prefix = "*.b.example"\n', "insecure = true\n", "blocked = 1\n",
                              'pull-from-mirror = "tag-only"\n', "mirror-by-digest-only = true\n",
                              "[registries.block]\n", 'registries = ["c.example"]\n', "[aliases]\n",
                              'location = "https://x"\n', "registry = 3\n", "=\n", "[\n", "\n"])


@settings(max_examples=300)
@given(st.one_of(st.lists(_TOML_BITS, max_size=12).map("".join), st.text(max_size=200)))
def test_any_file_loads_or_is_a_config_file_error(tmp_path_factory: pytest.TempPathFactory,
                                                  text: str) -> None:
    path = tmp_path_factory.mktemp("conf") / "registries.conf"
    path.write_text(text)
    try:
        conf = load_registries_conf(str(path), daemon_json=None)
    except ConfigFileError as exc:
        assert str(path) in str(exc)
        return
    for entry in conf.registries:
        with contextlib.suppress(BlockedRegistry):
            pull_sources(parse_reference(f"{entry.endpoint.location or 'x.example'}/a:1"
                                         if "*" not in entry.prefix else "x.example/a:1"), conf)
