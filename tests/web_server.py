"""A real HTTP server on loopback that serves product photos the way shops' CDNs do, and the
ways they go wrong: photos with ETag and Last-Modified (a conditional GET gets 304), a 404, a
slow answer, a redirect to an address outside the allowed ones, an HTML page where an image
should be, a 300 MB body (streamed, never held), and a feed file.

Any path ending in an image suffix is a photo, drawn from the path (so a feed's
``https://cdn.shopify.com/s/…/tee.jpg`` is served as ``/cdn.shopify.com/s/…/tee.jpg``);
``change(path)`` draws another one behind the same URL. ``counts`` tallies what was answered.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
from collections import Counter
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image, ImageDraw

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
HUGE_BYTES = 300 * 1024 * 1024
SLOW_SECONDS = 5.0


def drawn_photo(seed: str, size: tuple[int, int] = (320, 240)) -> bytes:
    """A small JPEG that differs with ``seed``: a gradient and a few shapes."""
    digest = hashlib.sha256(seed.encode()).digest()
    image = Image.new("RGB", size, (digest[0], digest[1], digest[2]))
    draw = ImageDraw.Draw(image)
    for index in range(4):
        x, y = digest[3 + index] % size[0], digest[7 + index] % size[1]
        colour = (digest[11 + index], digest[15 + index], digest[19 + index])
        draw.ellipse((x - 40, y - 40, x + 40, y + 40), fill=colour)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client hanging up mid-answer (a refused 300 MB body) is expected here."""


class PhotoServer:
    """``with PhotoServer() as server:`` — ``server.url("/a.jpg")``, ``server.counts``."""

    def __init__(self, files: dict[str, bytes] | None = None) -> None:
        self.files: dict[str, bytes] = dict(files or {})
        """Exact paths served as they are (a feed), besides the drawn photos."""
        self.versions: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()
        """Answers by method and status: ``GET 200`` (a download), ``GET 304``, ``HEAD 200``."""
        self.flaky: Counter[str] = Counter()
        """``/flaky-N.jpg`` answers 503 N times, then the photo."""
        self.requests: list[tuple[str, str]] = []
        self.redirect_target = "http://127.0.0.2:9/private.jpg"
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                server.answer(self, head=True)

            def do_GET(self) -> None:
                server.answer(self, head=False)

        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> PhotoServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def web_to_local(self, text: str) -> str:
        """A feed's ``https://host/…`` URLs as this server's ``http://127.0.0.1:port/host/…``."""
        return text.replace("https://", f"{self.base}/")

    def change(self, path: str) -> None:
        """Another photo behind the same URL (a new ETag and Last-Modified)."""
        with self._lock:
            self.versions[path] += 1

    def photo(self, path: str) -> tuple[bytes, str, str]:
        version = self.versions[path]
        body = drawn_photo(f"{path}#{version}")
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        modified = formatdate(1_700_000_000 + version * 86400, usegmt=True)
        return body, etag, modified

    def answer(self, handler: BaseHTTPRequestHandler, *, head: bool) -> None:
        path = handler.path.split("?", 1)[0]
        with self._lock:
            self.requests.append((handler.command, handler.path))
        if path.startswith("/flaky-") and self.flaky[path] < int(path[7:].split(".")[0]):
            self.flaky[path] += 1
            self._send(handler, 503, b"busy", "text/plain", head)
        elif path in self.files:
            body = self.files[path]
            etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
            self._send_validated(handler, body, "text/plain; charset=utf-8", etag, None, head)
        elif path == "/missing.jpg":
            self._send(handler, 404, b"not found", "text/plain", head)
        elif path == "/slow.jpg":
            time.sleep(SLOW_SECONDS)
            self._send(handler, 200, drawn_photo("slow"), "image/jpeg", head)
        elif path == "/to-private.jpg":
            self._count(handler, 302)
            handler.send_response(302)
            handler.send_header("Location", self.redirect_target)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        elif path == "/page.jpg":
            page = b"<!doctype html><html><body>Image moved</body></html>"
            self._send(handler, 200, page, "text/html; charset=utf-8", head)
        elif path in ("/huge.jpg", "/huge-chunked.jpg"):
            self._send_huge(handler, declared=path == "/huge.jpg", head=head)
        elif path == "/broken.jpg":
            self._send(handler, 200, b"\xff\xd8\xff\xe0 not really a jpeg", "image/jpeg", head)
        elif path.lower().endswith(IMAGE_SUFFIXES):
            body, etag, modified = self.photo(path)
            self._send_validated(handler, body, "image/jpeg", etag, modified, head)
        else:
            self._send(handler, 404, b"not found", "text/plain", head)

    def _count(self, handler: BaseHTTPRequestHandler, status: int) -> None:
        with self._lock:
            self.counts[f"{handler.command} {status}"] += 1

    def _send_validated(
        self,
        handler: BaseHTTPRequestHandler,
        body: bytes,
        content_type: str,
        etag: str,
        modified: str | None,
        head: bool,
    ) -> None:
        if handler.headers.get("If-None-Match") == etag:
            self._count(handler, 304)  # before the answer: a client may read the counts at once
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        self._count(handler, 200)
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("ETag", etag)
        if modified:
            handler.send_header("Last-Modified", modified)
        handler.end_headers()
        if not head:
            handler.wfile.write(body)

    def _send(
        self,
        handler: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        content_type: str,
        head: bool,
    ) -> None:
        self._count(handler, status)
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if not head:
            handler.wfile.write(body)

    def _send_huge(self, handler: BaseHTTPRequestHandler, *, declared: bool, head: bool) -> None:
        """300 MB of a JPEG's first bytes then zeros, written in chunks as they are read; the
        client hanging up ends it."""
        self._count(handler, 200)
        handler.send_response(200)
        handler.send_header("Content-Type", "image/jpeg")
        if declared:
            handler.send_header("Content-Length", str(HUGE_BYTES))
        else:
            handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        if head:
            return
        try:
            for chunk in _huge_chunks():
                if declared:
                    handler.wfile.write(chunk)
                else:
                    handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            if not declared:
                handler.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass


def _huge_chunks() -> Iterator[bytes]:
    chunk = b"\0" * (1024 * 1024)
    yield b"\xff\xd8\xff\xe0" + chunk[4:]
    for _ in range(HUGE_BYTES // len(chunk) - 1):
        yield chunk


def rewritten_feed(source: Path, server: PhotoServer, target: Path) -> Path:
    """``source`` (a feed in ``tests/data/feeds``) with its URLs on ``server``, same bytes
    otherwise (BOM, line ends)."""
    target.write_bytes(source.read_bytes().replace(b"https://", f"{server.base}/".encode()))
    return target
