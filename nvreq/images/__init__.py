"""Read an image's config ``Env`` from registries, layouts, archives, a daemon or a Dockerfile.

``read_image`` is the one entry point (``images.md``); transports are imported only when used,
so importing this package costs little and reading a local image never imports ``http.client``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence

from nvreq.errors import ImageError, InputError, NvreqError
from nvreq.images.info import ImageInfo
from nvreq.images.platforms import Platform, machine_platform, parse_platform
from nvreq.images.value import Value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from nvreq.images.reference import Reference

__all__ = ["ImageError", "ImageInfo", "ImageResult", "read_image", "read_images"]

DEFAULT_TIMEOUT = 120.0


class ImageResult(Value):
    """One image of :func:`read_images`: its info, or the error that stopped it."""

    __slots__ = _fields = ("reference", "info", "error")
    reference: str
    info: ImageInfo | None
    error: NvreqError | None

    def __init__(self, reference: str, info: ImageInfo | None = None,
                 error: NvreqError | None = None) -> None:
        self._init(reference, info, error)

    def __bool__(self) -> bool:
        return self.info is not None


def read_image(ref: str, *, platform: str | None = None, platform_source: str | None = None,
               insecure_registries: Iterable[str] = (), timeout: float = DEFAULT_TIMEOUT,
               authfile: str | None = None, log: Callable[[str], None] | None = None,
               build_args: Sequence[str] = (), target_stage: str | None = None,
               no_base: bool = False, creds: tuple[str, str] | None = None,
               no_creds: bool = False, registries_conf: str | None = None) -> ImageInfo:
    """Read the image ``ref`` names, for ``platform`` (default: this machine's).

    ``creds`` (user, password) are used for the image's own registry instead of any stored
    credentials, never sent to a mirror on another host; ``no_creds`` reads anonymously.
    ``registries_conf`` names the registries.conf whose mirrors and rewrites apply.

    >>> info = read_image("oci:examples/cuda-12.4.1-layout", platform="linux/amd64")
    >>> info.env_map["CUDA_VERSION"], info.platform
    ('12.4.1', 'linux/amd64')
    """
    target, source = _target(platform, platform_source)
    from nvreq.images.transports import classify

    try:
        transport, rest = classify(ref)
        options = _Options(target, source, tuple(insecure_registries), timeout, authfile, log,
                           tuple(build_args), target_stage, no_base)
        options.creds, options.no_creds, options.registries_conf = creds, no_creds, registries_conf
        return _dispatch(ref, transport, rest, options)
    except ImageError as exc:
        if exc.reference is None:
            exc.reference = ref
        raise


def read_images(refs: Sequence[str], *, max_workers: int = 8,
                on_done: Callable[[int, ImageResult], None] | None = None,
                **options: object) -> list[ImageResult]:
    """Read many images concurrently; results keep the order of ``refs``.

    ``options`` are those of :func:`read_image`; ``on_done(i, result)`` is called as each ends.
    """
    def one(i: int) -> ImageResult:
        try:
            result = ImageResult(refs[i], info=read_image(refs[i], **options))  # type: ignore[arg-type]
        except NvreqError as exc:
            result = ImageResult(refs[i], error=exc)
        if on_done is not None:
            on_done(i, result)
        return result

    if len(refs) <= 1:
        return [one(i) for i in range(len(refs))]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(refs)))) as pool:
        return list(pool.map(one, range(len(refs))))


class _Options:
    """Per-call reading options (a plain class: cheap to define on the CLI's start-up path)."""

    __slots__ = ("authfile", "build_args", "creds", "insecure", "log", "no_base", "no_creds",
                 "registries_conf", "source", "target", "target_stage", "timeout")

    def __init__(self, target: Platform, source: str, insecure: tuple[str, ...], timeout: float,
                 authfile: str | None, log: Callable[[str], None] | None,
                 build_args: tuple[str, ...], target_stage: str | None, no_base: bool) -> None:
        self.target, self.source, self.insecure, self.timeout = target, source, insecure, timeout
        self.authfile, self.log, self.build_args = authfile, log, build_args
        self.target_stage, self.no_base = target_stage, no_base
        self.creds: tuple[str, str] | None = None
        self.no_creds = False
        self.registries_conf: str | None = None


def _target(platform: str | None, source: str | None) -> tuple[Platform, str]:
    if platform is None:
        return machine_platform(), "this machine"
    try:
        return parse_platform(platform), source or "--platform"
    except ValueError as exc:
        raise InputError(str(exc)) from None


def _dispatch(ref: str, transport: str, rest: str, o: _Options) -> ImageInfo:
    if transport == "docker":
        return _registry(ref, rest, o)
    if transport == "local":
        from pathlib import Path

        return _local(ref, Path(os.path.expanduser(rest)), rest, o)
    if transport == "docker-daemon":
        from nvreq.images.daemon import read_daemon

        return read_daemon(rest, ref, o.target, o.source)
    if transport == "dockerfile":
        return _dockerfile(ref, rest, o)
    path, _, sub = rest.partition(":")
    if not path:
        raise ImageError(f"missing path after {transport}:")
    resolved = f"{transport}:{rest}"
    if transport == "oci":
        from nvreq.images.oci import DirStore, read_layout

        store = DirStore(os.path.expanduser(path), path)
        return read_layout(store, ref, resolved, sub or None, o.target, o.source, "oci")
    from nvreq.images.tar import open_tar

    tar = open_tar(os.path.expanduser(path), path)
    try:
        if transport == "oci-archive":
            from nvreq.images.oci import TarStore, read_layout

            return read_layout(TarStore(tar), ref, resolved, sub or None, o.target, o.source,
                               "oci-archive")
        from nvreq.images.archive import read_docker_archive

        return read_docker_archive(tar, ref, resolved, sub or None, o.target, o.source)
    finally:
        tar.close()


def _registry(ref: str, rest: str, o: _Options) -> ImageInfo:
    from nvreq.images.reference import parse_reference
    from nvreq.images.registries_conf import load_registries_conf, pull_sources

    parsed = parse_reference(rest)
    canonical = str(parsed)
    try:
        sources, _ = pull_sources(parsed, load_registries_conf(o.registries_conf))
        failed: list[str] = []
        # --timeout bounds the whole read, mirrors included
        deadline = _monotonic() + o.timeout
        for i, (endpoint, physical) in enumerate(sources):
            try:
                info = _endpoint(ref, parsed, physical, endpoint.insecure, o, deadline)
            except ImageError as exc:
                if i == len(sources) - 1:
                    if failed:
                        exc.message += f" (mirrors also failed: {'; '.join(failed)})"
                    raise
                failed.append(f"{physical.name}: {exc.message}")
                continue
            notes = tuple(f"mirror {m}; tried the next endpoint" for m in failed)
            return ImageInfo(**{**{n: getattr(info, n) for n in ImageInfo._fields},
                                "resolved": canonical, "warnings": (*notes, *info.warnings)})
        raise AssertionError("unreachable")  # pragma: no cover
    except ImageError as exc:
        if exc.reference is None:
            exc.reference = canonical if canonical == ref else f"{canonical} ({ref})"
        if not ref.startswith("docker://") and os.path.exists(ref):
            exc.message += f"; a local file {ref} exists; write ./{ref} to read it"
        raise


def _monotonic() -> float:
    import time

    return time.monotonic()


def _endpoint(ref: str, logical: Reference, physical: Reference, insecure: bool,
              o: _Options, deadline: float) -> ImageInfo:
    """Read ``physical`` (``logical`` itself, or a mirror's rewrite of it) before ``deadline``."""
    from nvreq.images.httpclient import Http
    from nvreq.images.registry import read_registry

    hosts = (*o.insecure, physical.domain) if insecure else o.insecure
    http = Http(timeout=o.timeout, insecure=hosts, log=o.log)
    http.deadline = deadline
    # --creds name the image's own registry: a mirror on another host never receives them
    creds = o.creds if physical.domain == logical.domain else None
    try:
        return read_registry(physical, ref, o.target, o.source, http, authfile=o.authfile,
                             creds=creds, no_creds=o.no_creds)
    finally:
        http.close()


def _local(ref: str, path: Path, shown: str, o: _Options) -> ImageInfo:
    """Sniff a local directory or file."""
    if path.is_dir():
        if (path / "oci-layout").exists():
            from nvreq.images.oci import DirStore, read_layout

            return read_layout(DirStore(path, shown), ref, f"oci:{shown}", None, o.target,
                               o.source, "oci")
        for name in ("Dockerfile", "Containerfile"):
            if (path / name).is_file():
                return _dockerfile(ref, str(path / name), o)
        raise ImageError(f"{shown} is a directory without oci-layout, Dockerfile or "
                         "Containerfile")
    from nvreq.images.transports import sniff_file

    if sniff_file(path) == "dockerfile":
        return _dockerfile(ref, str(path), o)
    from nvreq.images.tar import open_tar

    tar = open_tar(path, shown)
    try:
        if tar.has("oci-layout") and tar.has("index.json"):
            from nvreq.images.oci import TarStore, read_layout

            return read_layout(TarStore(tar), ref, f"oci-archive:{shown}", None, o.target,
                               o.source, "oci-archive")
        if tar.has("manifest.json"):
            from nvreq.images.archive import read_docker_archive

            return read_docker_archive(tar, ref, f"docker-archive:{shown}", None, o.target,
                                       o.source)
        raise ImageError(f"{shown} is a tar archive but not an image archive (no index.json or "
                         "manifest.json)")
    finally:
        tar.close()


def _dockerfile(ref: str, path: str, o: _Options) -> ImageInfo:
    from nvreq.images.dockerfile import read_dockerfile

    return read_dockerfile(path, ref, o.target, o.source, build_args=o.build_args,
                           target_stage=o.target_stage, no_base=o.no_base,
                           base_reader=None if o.no_base else _base_reader(o))


def _base_reader(o: _Options) -> Callable[[str, Platform], ImageInfo]:
    def read(base: str, platform: Platform) -> ImageInfo:
        return read_image(base, platform=str(platform), platform_source="FROM",
                          insecure_registries=o.insecure, timeout=o.timeout,
                          authfile=o.authfile, log=o.log, creds=o.creds, no_creds=o.no_creds,
                          registries_conf=o.registries_conf)
    return read
