"""The address each video is given in a written-back feed: where the platforms will fetch it.

The platforms fetch a product's video when the feed is uploaded and again later (Google:
"video links should be static and shouldn't expire"), so the address must be public and
lasting:

- ``--public-url https://cdn.example/reels/`` is where the output bucket (folder or
  ``s3://bucket/prefix``) is served: ``<job>/video.mp4`` becomes
  ``https://cdn.example/reels/<job>/video.mp4``;
- an ``s3://`` output without it gets presigned links (Signature Version 4, with the
  standard AWS variables) only when asked (``--presign-days``), since they stop working
  after at most 7 days;
- a folder output without it is refused: a path on this machine is no address a platform
  can fetch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any
from urllib.parse import quote, urlsplit

import botocore.session
from botocore.config import Config

from worker.files.bucket import Bucket, S3Bucket, open_bucket

MAX_PRESIGN_DAYS = 7
"""The longest an S3 presigned URL (Signature Version 4) stays valid."""
SECONDS_A_DAY = 24 * 3600


class LinkError(ValueError):
    """No lasting address for the videos: says which flag gives one."""


@dataclass(frozen=True)
class VideoLinks:
    bucket: Bucket
    public_url: str | None = None
    """Ends with ``/``; the bucket's keys are appended, percent-encoded."""
    presign_seconds: int | None = None

    def url(self, key: str) -> str:
        """The address of the object under ``key`` (``<job>/video.mp4``)."""
        if self.public_url is not None:
            return self.public_url + quote(key, safe="/")
        if not isinstance(self.bucket, S3Bucket) or self.presign_seconds is None:
            raise LinkError("no address for the videos")
        name, _slash, prefix = self.bucket.root.partition("/")
        return str(
            self._signer.generate_presigned_url(
                "get_object",
                Params={"Bucket": name, "Key": f"{prefix}/{key}" if prefix else key},
                ExpiresIn=self.presign_seconds,
            )
        )

    @cached_property
    def _signer(self) -> Any:
        """One S3 client signs every link (making one takes longer than signing)."""
        session = botocore.session.get_session()
        return session.create_client("s3", config=Config(signature_version="s3v4"))

    def describe(self, now: datetime | None = None) -> str:
        """How the links were made, in a line: where they point, or when they expire."""
        if self.public_url is not None:
            return f"links under {self.public_url}"
        seconds = self.presign_seconds or 0
        expires = (now or datetime.now(UTC)) + timedelta(seconds=seconds)
        days = seconds // SECONDS_A_DAY
        return f"presigned links, valid {days} day(s): until {expires:%Y-%m-%d %H:%M} UTC"


def check_public_url(url: str) -> str:
    """An http(s) address with a host, ASCII (the platforms take RFC 3986 URLs), ending
    with ``/``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LinkError(
            f"--public-url {url!r}: an http(s) address, e.g. https://cdn.example/reels/"
        )
    if parts.query or parts.fragment:
        raise LinkError(f"--public-url {url!r}: no ?query or #fragment (keys are appended)")
    if not url.isascii():
        raise LinkError(f"--public-url {url!r}: ASCII only (percent-encode other characters)")
    return url if url.endswith("/") else f"{url}/"


def video_links(out: str, public_url: str | None, presign_days: int | None) -> VideoLinks:
    """The links for videos in the output ``out``; a LinkError when none would last."""
    bucket = open_bucket(out)
    if public_url is not None:
        if presign_days is not None:
            raise LinkError("--public-url and --presign-days: give one of them")
        return VideoLinks(bucket, public_url=check_public_url(public_url))
    if not bucket.remote:
        raise LinkError(
            f"--feed-out: the videos go to the folder {out}, which no platform can fetch "
            "from: give --public-url https://… (the address that folder is served at)"
        )
    if presign_days is None:
        raise LinkError(
            f"--feed-out: nothing says where the platforms fetch the videos in {out}: give "
            "--public-url https://… (a CDN or website over the bucket), or --presign-days N "
            f"(1-{MAX_PRESIGN_DAYS}) for presigned links that stop working after N days "
            "(the platforms fetch the videos again later)"
        )
    if not 1 <= presign_days <= MAX_PRESIGN_DAYS:
        raise LinkError(
            f"--presign-days {presign_days}: 1 to {MAX_PRESIGN_DAYS} (the longest S3 allows)"
        )
    return VideoLinks(bucket, presign_seconds=presign_days * SECONDS_A_DAY)
