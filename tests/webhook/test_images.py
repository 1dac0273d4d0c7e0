"""The image cache: by digest for good, by tag for a while, one read per image in flight, and a
deadline that a slow registry cannot stretch."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from nvreq.errors import ImageError
from nvreq.images.info import ImageInfo
from nvreq.webhook.images import ImageCache, ImageTimeout

DIGEST = "sha256:" + "ab" * 32


class Slow:
    """A reader that counts its calls and waits for ``release`` before answering."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.release = threading.Event()
        self.release.set()

    def __call__(self, ref: str, **options: Any) -> ImageInfo:
        self.calls.append(ref)
        self.release.wait(30)
        if "missing" in ref:
            raise ImageError("manifest unknown", reference=ref)
        return ImageInfo(ref, ref, DIGEST, options["platform"], ("A=1",))


def _later(seconds: float = 10.0) -> float:
    return time.monotonic() + seconds


def test_a_tag_is_read_again_after_its_time_and_a_digest_never() -> None:
    reader = Slow()
    cache = ImageCache(reader=reader, tag_ttl=0.0)
    for _ in range(2):
        cache.get("r.io/cuda:12", "linux/amd64", None, _later())
        cache.get(f"r.io/cuda@{DIGEST}", "linux/amd64", None, _later())
    assert reader.calls == ["r.io/cuda:12", "r.io/cuda:12"]
    assert (cache.hits, cache.misses) == (2, 2)
    cache.close()


def test_references_are_compared_in_their_canonical_form() -> None:
    reader = Slow()
    cache = ImageCache(reader=reader)
    for ref in ("ubuntu", "docker.io/library/ubuntu:latest", "index.docker.io/library/ubuntu"):
        cache.get(ref, "linux/amd64", None, _later())
    assert reader.calls == ["docker.io/library/ubuntu:latest"]
    cache.close()


def test_concurrent_reviews_share_one_read() -> None:
    reader = Slow()
    reader.release.clear()
    cache = ImageCache(reader=reader)
    got: list[ImageInfo] = []
    threads = [threading.Thread(target=lambda: got.append(
        cache.get("r.io/cuda:12", "linux/amd64", None, _later()))) for _ in range(5)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    reader.release.set()
    for t in threads:
        t.join()
    assert len(got) == 5 and reader.calls == ["r.io/cuda:12"]
    cache.close()


def test_past_the_deadline_a_timeout_and_the_read_still_fills_the_cache() -> None:
    reader = Slow()
    reader.release.clear()
    cache = ImageCache(reader=reader)
    with pytest.raises(ImageTimeout, match="did not answer within"):
        cache.get("r.io/slow:1", "linux/amd64", None, time.monotonic() + 0.1)
    reader.release.set()
    info = cache.get("r.io/slow:1", "linux/amd64", None, _later())
    assert info.digest == DIGEST and reader.calls == ["r.io/slow:1"]
    cache.close()


def test_errors_are_not_cached_and_name_the_image() -> None:
    reader = Slow()
    cache = ImageCache(reader=reader)
    for _ in range(2):
        with pytest.raises(ImageError, match=r"r\.io/missing:1: manifest unknown"):
            cache.get("r.io/missing:1", "linux/amd64", None, _later())
    assert len(reader.calls) == 2
    cache.close()


def test_credentials_and_platforms_are_kept_apart() -> None:
    reader = Slow()
    cache = ImageCache(reader=reader)
    for auth in (None, "/run/a.json"):
        for platform in ("linux/amd64", "linux/arm64"):
            assert cache.get("r.io/cuda:12", platform, auth, _later()).platform == platform
    assert len(reader.calls) == 4
    cache.close()
