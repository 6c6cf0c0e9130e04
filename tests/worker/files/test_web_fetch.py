"""Photos and feeds fetched from a real HTTP server on loopback: cached and revalidated,
and each way a shop's server goes wrong failing the photo with its URL and the reason."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from config.settings import Settings
from tests.web_server import SLOW_SECONDS, PhotoServer
from worker.files.web_fetch import WebClient, photo_name
from worker.job.errors import JobFailed, TransientError


@pytest.fixture
def server() -> Iterator[PhotoServer]:
    with PhotoServer({"/feed.tsv": b"id\ttitle\n1\tMug\n"}) as running:
        yield running


def web_client(tmp_path: Path, timeout: float) -> WebClient:
    settings = Settings(
        fetch_allow_private="127.0.0.1",
        fetch_cache_dir=tmp_path / "cache",
        fetch_timeout_seconds=timeout,
        fetch_attempts=2,
        fetch_backoff_seconds=0.05,
        fetch_max_bytes=8 * 1024 * 1024,
    )
    return WebClient(settings)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[WebClient]:
    """A patient client: a loaded machine's slow answers are not timeouts."""
    made = web_client(tmp_path, timeout=30.0)
    yield made
    made.close()


def test_a_photo_is_fetched_once_then_revalidated(
    server: PhotoServer, client: WebClient, tmp_path: Path
) -> None:
    url = server.url("/cdn/tee-front.jpg?v=1712345678")
    first = client.fetch_photo(url, tmp_path / "job-1")
    assert first.name == "tee-front.jpg" and first.is_relative_to(tmp_path / "job-1")
    assert Image.open(first).size == (320, 240)
    second = client.fetch_photo(url, tmp_path / "job-2")
    assert second.read_bytes() == first.read_bytes()
    assert (server.counts["GET 200"], server.counts["GET 304"]) == (1, 1)
    assert client.fetch_photo(url, tmp_path / "job-2") == second  # the job's copy: no request
    assert server.counts["GET 304"] == 1


def test_a_photo_changed_behind_its_url_is_fetched_again(
    server: PhotoServer, client: WebClient, tmp_path: Path
) -> None:
    url = server.url("/cdn/mug.jpg")
    before = client.fetch_photo(url, tmp_path / "night-1").read_bytes()
    server.change("/cdn/mug.jpg")
    after = client.fetch_photo(url, tmp_path / "night-2").read_bytes()
    assert after != before and server.counts["GET 200"] == 2


def test_validators_come_from_a_head_without_the_body(
    server: PhotoServer, client: WebClient
) -> None:
    url = server.url("/cdn/mug.jpg")
    first = client.validators(url)
    assert "etag=" in first and "last-modified=" in first and server.counts["GET 200"] == 0
    assert client.validators(url) == first
    server.change("/cdn/mug.jpg")
    assert client.validators(url) != first
    assert client.validators(server.url("/missing.jpg")).startswith("unavailable: HTTP 404")


def test_a_feed_document_comes_through_the_cache(server: PhotoServer, client: WebClient) -> None:
    first = client.fetch_document(server.url("/feed.tsv"))
    again = client.fetch_document(server.url("/feed.tsv"))
    assert first.content == again.content == b"id\ttitle\n1\tMug\n"
    assert (first.from_cache, again.from_cache) == (False, True)
    assert server.counts["GET 304"] == 1


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing.jpg", "HTTP 404 Not Found"),
        ("/page.jpg", "the server sent text/html, not an image"),
        ("/to-private.jpg", "127.0.0.2 is a loopback address: refused"),
        ("/huge.jpg", "larger than PHOTOREEL_FETCH_MAX_BYTES=8,388,608 (314,572,800 bytes)"),
        ("/huge-chunked.jpg", "larger than PHOTOREEL_FETCH_MAX_BYTES=8,388,608: refused"),
        ("/broken.jpg", "not an image that can be decoded"),
    ],
)
def test_what_retrying_cannot_fix_fails_the_photo_with_its_url(
    server: PhotoServer, client: WebClient, tmp_path: Path, path: str, reason: str
) -> None:
    with pytest.raises(JobFailed) as raised:
        client.fetch_photo(server.url(path), tmp_path / "job")
    assert raised.value.file == server.url(path)
    assert reason in raised.value.message
    assert not list((tmp_path / "job").rglob("*.part")), "no partial file is left behind"


def test_a_slow_server_is_tried_again_then_given_up_as_transient(
    server: PhotoServer, tmp_path: Path
) -> None:
    client = web_client(tmp_path, timeout=SLOW_SECONDS / 4)
    with pytest.raises(TransientError, match=r"slow\.jpg: timed out \(tried 2 times\)"):
        client.fetch_photo(server.url("/slow.jpg"), tmp_path / "job")
    client.close()


def test_a_503_is_retried_with_backoff(
    server: PhotoServer, client: WebClient, tmp_path: Path
) -> None:
    photo = client.fetch_photo(server.url("/flaky-1.jpg"), tmp_path / "job")
    assert photo.stat().st_size > 0 and server.counts["GET 503"] == 1
    with pytest.raises(TransientError, match="HTTP 503"):
        client.fetch_photo(server.url("/flaky-5.jpg"), tmp_path / "job")


def test_too_many_redirects(server: PhotoServer, tmp_path: Path) -> None:
    server.redirect_target = server.url("/to-private.jpg")
    settings = Settings(fetch_allow_private="1", fetch_cache_dir=tmp_path / "c")
    with pytest.raises(JobFailed, match="more than 5 redirects"):
        WebClient(settings).fetch_photo(server.url("/to-private.jpg"), tmp_path / "job")


def test_photo_names_keep_the_url_name_and_get_a_suffix() -> None:
    assert photo_name("https://cdn.example/p/tee.jpg?v=3", "image/jpeg") == "tee.jpg"
    assert photo_name("https://cdn.example/render?id=3", "image/png") == "render.png"
    assert photo_name("https://cdn.example/", "image/webp") == "photo.webp"
