"""Images for admission: read once, remembered by digest, tags for a bounded time.

Reads run on a bounded pool; a caller waits at most until its deadline and then gets
``ImageTimeout``, while the read goes on and fills the cache for the next review. Concurrent
reviews of one image share one read.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from nvreq.errors import ImageError, NvreqError
from nvreq.images import read_image
from nvreq.images.info import ImageInfo
from nvreq.images.reference import parse_reference

__all__ = ["DEFAULT_TAG_TTL", "ImageCache", "ImageTimeout"]

DEFAULT_TAG_TTL = 300.0
_FOREVER = float("inf")
_Key = tuple[str, str, str | None]
Reader = Callable[..., ImageInfo]


class ImageTimeout(ImageError):
    """An image was not read within the review's time budget."""


def _from_registry(ref: str, **options: Any) -> ImageInfo:
    """The default reader: the pod's image from its registry (never a local path)."""
    return read_image(f"docker://{ref}", **options)


def _pinned(ref: str) -> bool:
    return "@sha256:" in ref


class ImageCache:
    """``get(ref, platform, authfile, deadline)``: an image's info, from memory when it can.

    ``reader(ref, **options)`` takes ``read_image``'s options; by default it reads ``ref`` from
    its registry.

    Infos read by digest are kept (least recently used first out past ``max_entries``); a tag's
    answer is trusted for ``tag_ttl`` seconds, after which the tag is read again.
    """

    def __init__(self, *, reader: Reader | None = None, max_workers: int = 8,
                 tag_ttl: float = DEFAULT_TAG_TTL, max_entries: int = 4096,
                 read_timeout: float = 30.0, insecure_registries: tuple[str, ...] = ()) -> None:
        self._reader = reader or _from_registry
        self._pool = ThreadPoolExecutor(max_workers=max(1, max_workers),
                                        thread_name_prefix="nvreq-image")
        self._ttl = tag_ttl
        self._max = max_entries
        self._read_timeout = read_timeout
        self._insecure = insecure_registries
        self._lock = threading.Lock()
        self._infos: OrderedDict[_Key, tuple[ImageInfo, float]] = OrderedDict()
        self._flight: dict[_Key, Future[ImageInfo]] = {}
        self.hits = 0
        self.misses = 0

    def start(self, ref: str, platform: str, authfile: str | None) -> None:
        """Begin reading an image that is not in memory, without waiting for it (counted as a
        hit or a miss here; ``get(…, started=True)`` then waits without counting again)."""
        self._lookup(ref, platform, authfile)

    def get(self, ref: str, platform: str, authfile: str | None, deadline: float, *,
            started: bool = False) -> ImageInfo:
        """The image ``ref`` for ``platform``; raises ``ImageError`` (``ImageTimeout`` past
        ``deadline``, a ``time.monotonic()`` value)."""
        found = self._lookup(ref, platform, authfile, count=not started)
        if isinstance(found, ImageInfo):
            return found
        wait = max(0.0, deadline - time.monotonic())
        try:
            return found.result(timeout=wait)
        except FutureTimeout:
            raise ImageTimeout(f"the registry did not answer within {wait:.1f} s",
                               reference=ref) from None

    def _lookup(self, ref: str, platform: str, authfile: str | None, count: bool = True
                ) -> ImageInfo | Future[ImageInfo]:
        key = (str(parse_reference(ref)), platform, authfile)
        with self._lock:
            entry = self._infos.get(key)
            if entry is not None and entry[1] > time.monotonic():
                self._infos.move_to_end(key)
                self.hits += count
                return entry[0]
            self.misses += count
            future = self._flight.get(key)
            if future is None:
                future = self._pool.submit(self._read, key)
                self._flight[key] = future
            return future

    def _read(self, key: _Key) -> ImageInfo:
        ref, platform, authfile = key
        try:
            info = self._reader(ref, platform=platform,
                                platform_source="the nodes' kubernetes.io/arch",
                                timeout=self._read_timeout, authfile=authfile,
                                insecure_registries=self._insecure)
        except NvreqError:
            raise
        except Exception as exc:  # a reader bug must not escape as a traceback in a review
            raise ImageError(f"cannot read the image: {exc}", reference=ref) from None
        finally:
            with self._lock:
                self._flight.pop(key, None)
        expires = _FOREVER if _pinned(ref) else time.monotonic() + self._ttl
        with self._lock:
            self._infos[key] = (info, expires)
            if info.digest and not _pinned(ref):
                name = parse_reference(ref).name
                self._infos[(f"{name}@{info.digest}", platform, authfile)] = (info, _FOREVER)
            while len(self._infos) > self._max:
                self._infos.popitem(last=False)
        return info

    def close(self) -> None:
        """Stop the pool without waiting for reads in flight."""
        self._pool.shutdown(wait=False, cancel_futures=True)
