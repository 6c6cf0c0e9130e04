"""Photos and feeds fetched from the web, for every backend: by the worker that needs them
(a fleet shares the work), never by the producer.

One client per process: httpx through an on-disk HTTP cache (hishel, RFC 9111, in SQLite under
``PHOTOREEL_FETCH_CACHE_DIR``), whose every connection is checked by ``worker.files.web_guard``.
Every fetch asks the cache to revalidate (``Cache-Control: no-cache``): a stored photo is
used only once its server said 304 to its ETag or Last-Modified, so a nightly rerun downloads
nothing that did not change and never renders a stale photo.

Limits: ``PHOTOREEL_FETCH_MAX_BYTES`` (the Content-Length is checked first, then the bytes as
they stream), ``PHOTOREEL_FETCH_TIMEOUT_SECONDS``, ``PHOTOREEL_FETCH_ATTEMPTS`` tries with a
doubling wait from ``PHOTOREEL_FETCH_BACKOFF_SECONDS`` for timeouts, refused connections, 429
and 5xx, ``PHOTOREEL_FETCH_PER_HOST`` fetches at once per host and process, and
``PHOTOREEL_FETCH_MAX_REDIRECTS``. A photo must come as an image type (or a generic binary
one) and decode.

``fetch_url(url, folder)`` raises ``JobFailed(message, file=url)`` when retrying cannot help
(404, an HTML page, too big, a refused address, not an image) and ``TransientError`` when it
may (a timeout or 5xx on every try).
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TypeVar
from urllib.parse import urlsplit

import httpx
from hishel import CacheOptions, SqliteStorage
from hishel.httpx import CacheTransport
from PIL import Image, UnidentifiedImageError
from pillow_heif import register_heif_opener

from config.settings import Settings, get_settings
from worker.files.web_guard import AddressPolicy, AddressRefused, guarded_transport
from worker.job.errors import JobFailed, TransientError

CACHE_FILE = "photoreel-http-cache.sqlite"
WEB_FOLDER = "web"
USER_AGENT = "photoreel (product videos from a catalog)"
REVALIDATE = {"Cache-Control": "no-cache"}
BINARY_TYPES = {"application/octet-stream", "binary/octet-stream", ""}
"""Content types a photo may come as besides ``image/*`` (buckets serve files as these);
it must decode all the same."""
RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}
CHUNK = 256 * 1024
T = TypeVar("T")

register_heif_opener()


class RetryableStatus(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


@dataclass(frozen=True)
class Fetched:
    """A document fetched whole (a feed): its bytes, and whether the cache answered."""

    content: bytes
    content_type: str
    from_cache: bool


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "photoreel" / "http"


def is_web_url(location: str) -> bool:
    return location.lower().startswith(("http://", "https://"))


@dataclass
class WebClient:
    """The fetching machinery of one process (its threads share it)."""

    settings: Settings
    cached: httpx.Client = field(init=False)
    direct: httpx.Client = field(init=False)
    _hosts: dict[str, threading.BoundedSemaphore] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        settings = self.settings
        policy = AddressPolicy.from_setting(settings.fetch_allow_private)
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=16)
        folder = settings.fetch_cache_dir or default_cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        storage = SqliteStorage(
            database_path=folder / CACHE_FILE,
            max_size=settings.fetch_cache_bytes or None,
            max_stream_size=settings.fetch_max_bytes,
        )
        options = {
            "timeout": httpx.Timeout(settings.fetch_timeout_seconds),
            "follow_redirects": True,
            "max_redirects": settings.fetch_max_redirects,
            "headers": {"User-Agent": USER_AGENT},
            "trust_env": False,
        }
        cache = CacheTransport(
            next_transport=guarded_transport(policy, limits),
            storage=storage,
            rfc=CacheOptions(shared=False),
        )
        self.cached = httpx.Client(transport=cache, **options)
        self.direct = httpx.Client(transport=guarded_transport(policy, limits), **options)

    def close(self) -> None:
        self.cached.close()
        self.direct.close()

    @contextmanager
    def host_slot(self, url: str) -> Iterator[None]:
        """One of the ``PHOTOREEL_FETCH_PER_HOST`` slots of the URL's host."""
        host = urlsplit(url).hostname or ""
        with self._lock:
            slot = self._hosts.setdefault(
                host, threading.BoundedSemaphore(self.settings.fetch_per_host)
            )
        with slot:
            yield

    def retrying(self, url: str, attempt: Callable[[], T]) -> T:
        """``attempt()`` again after a timeout, a failed connection, a 429 or a 5xx, waiting
        longer each time; a TransientError when every try failed, a JobFailed at once for
        what retrying cannot change."""
        tries = self.settings.fetch_attempts
        for number in range(tries):
            try:
                with self.host_slot(url):
                    return attempt()
            except AddressRefused as refused:
                raise JobFailed(str(refused), file=url) from None
            except httpx.TooManyRedirects:
                redirects = self.settings.fetch_max_redirects
                raise JobFailed(f"more than {redirects} redirects", file=url) from None
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as error:
                raise JobFailed(f"not a URL that can be fetched: {error}", file=url) from None
            except (httpx.TransportError, RetryableStatus) as error:
                reason = _reason(error)
                if number + 1 == tries:
                    raise TransientError(
                        f"{url}: {reason} (tried {tries} times)", retry_after=None
                    ) from None
                time.sleep(self.settings.fetch_backoff_seconds * 2**number)
        raise AssertionError("unreachable")

    def fetch_photo(self, url: str, folder: Path) -> Path:
        """The photo at ``url`` as a file in ``folder`` (kept there: a later stage on this
        machine finds it), fetched through the cache, checked to be an image."""
        existing = fetched_photo(url, folder)
        if existing is not None:
            return existing
        target_dir = photo_folder(url, folder)
        target_dir.mkdir(parents=True, exist_ok=True)
        temporary = target_dir / f".{uuid.uuid4().hex}.part"
        try:
            content_type = self.retrying(url, lambda: self._download(url, temporary))
            check_image(temporary, url)
            target = target_dir / photo_name(url, content_type)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        return target

    def _download(self, url: str, temporary: Path) -> str:
        with self.cached.stream("GET", url, headers=REVALIDATE) as response:
            refuse_status(response, url)
            content_type = media_type(response)
            if not (content_type.startswith("image/") or content_type in BINARY_TYPES):
                raise JobFailed(f"the server sent {content_type}, not an image", file=url)
            self._check_length(response, url)
            size = 0
            with open(temporary, "wb") as handle:
                for chunk in response.iter_bytes(CHUNK):
                    size += len(chunk)
                    if size > self.settings.fetch_max_bytes:
                        raise JobFailed(self._too_big(), file=url)
                    handle.write(chunk)
        if size == 0:
            raise JobFailed("the server sent an empty body (0 bytes)", file=url)
        return content_type

    def fetch_document(self, url: str) -> Fetched:
        """A whole document (a feed) through the cache, at most the size cap."""

        def attempt() -> Fetched:
            with self.cached.stream("GET", url, headers=REVALIDATE) as response:
                refuse_status(response, url)
                self._check_length(response, url)
                parts, size = [], 0
                for chunk in response.iter_bytes(CHUNK):
                    size += len(chunk)
                    if size > self.settings.fetch_max_bytes:
                        raise JobFailed(self._too_big(), file=url)
                    parts.append(chunk)
                status = response.extensions.get("caching") or {}
                return Fetched(
                    b"".join(parts), media_type(response), bool(status.get("from_cache"))
                )

        return self.retrying(url, attempt)

    def validators(self, url: str) -> str:
        """What says whether the photo behind ``url`` changed, without its bytes: the
        ETag, Last-Modified and Content-Length its server answers a HEAD with (a GET's
        headers when HEAD is not allowed). ``unavailable: …`` when it cannot be asked."""

        def attempt() -> str:
            response = self.direct.head(url)
            if response.status_code in (405, 501):
                with self.direct.stream("GET", url) as streamed:
                    response = streamed
            refuse_status(response, url)
            headers = response.headers
            parts = [
                f"{name}={headers[name]}"
                for name in ("etag", "last-modified", "content-length")
                if headers.get(name)
            ]
            return f"{response.url} {' '.join(parts)}"

        try:
            return self.retrying(url, attempt)
        except (JobFailed, TransientError) as error:
            return f"unavailable: {getattr(error, 'message', error)}"

    def _check_length(self, response: httpx.Response, url: str) -> None:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.settings.fetch_max_bytes:
            raise JobFailed(self._too_big(int(declared)), file=url)

    def _too_big(self, size: int | None = None) -> str:
        cap = self.settings.fetch_max_bytes
        said = f" ({size:,} bytes)" if size is not None else ""
        return f"larger than PHOTOREEL_FETCH_MAX_BYTES={cap:,}{said}: refused"


def refuse_status(response: httpx.Response, url: str) -> None:
    """A retryable status raises RetryableStatus; any other error a JobFailed."""
    if response.status_code in RETRY_STATUSES:
        raise RetryableStatus(response.status_code)
    if response.status_code >= 400:
        raise JobFailed(f"HTTP {response.status_code} {response.reason_phrase}", file=url)


def media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def _reason(error: Exception) -> str:
    if isinstance(error, httpx.TimeoutException):
        return "timed out"
    return str(error) or type(error).__name__


def photo_name(url: str, content_type: str) -> str:
    """A file name for the photo: the URL's last path part (its query dropped), with a
    suffix from the content type when it has none."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", PurePosixPath(urlsplit(url).path).name) or "photo"
    if not PurePosixPath(name).suffix:
        name += mimetypes.guess_extension(content_type) or ".img"
    return name.lstrip(".") or "photo.img"


def photo_folder(url: str, folder: Path) -> Path:
    """Where the photo of ``url`` is kept under ``folder``: ``web/<digest of the URL>/``."""
    return folder / WEB_FOLDER / hashlib.sha256(url.encode()).hexdigest()[:16]


def fetched_photo(url: str, folder: Path) -> Path | None:
    """The photo of ``url`` already fetched under ``folder``, if it was."""
    target_dir = photo_folder(url, folder)
    found = sorted(target_dir.glob("[!.]*")) if target_dir.is_dir() else []
    return found[0] if found else None


def check_image(path: Path, url: str) -> None:
    try:
        with Image.open(path) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise JobFailed(f"not an image that can be decoded: {error}", file=url) from None


_clients: dict[int, WebClient] = {}
_clients_lock = threading.Lock()


def web_client() -> WebClient:
    """This process's client (a forked worker makes its own: connections and the cache's
    SQLite handle are not shared across processes)."""
    with _clients_lock:
        client = _clients.get(os.getpid())
        if client is None:
            client = _clients[os.getpid()] = WebClient(get_settings())
        return client


def fetch_url(url: str, folder: Path) -> Path:
    """The photo at ``url`` as a local file under ``folder`` (the job's scratch folder)."""
    return web_client().fetch_photo(url, folder)
