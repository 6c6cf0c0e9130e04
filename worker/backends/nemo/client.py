"""The NemoVideo API over HTTP: one connection pool, timeouts and attribution on every call.

Every call carries ``X-Skill-Source``/``X-Skill-Version``/``X-Skill-Platform`` and (except the
anonymous-token call) the bearer token. Answers are unwrapped from ``{"code": 0, "data": …}``
(or ``{"success": true, …}`` for renders); a non-zero code raises ``NemoError``. Two error-table
rows are handled here for every call: 1001 (new anonymous token once, repeat the call) and HTTP 429
(wait ``Retry-After``, else the configured wait, and repeat once). A call repeated after either was
refused by the service, so repeating it never duplicates work.
"""

from __future__ import annotations

import importlib.metadata
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from config.logging import get_logger
from worker.backends.nemo.account import RedisTokenStore, shared_client_id
from worker.backends.nemo.auth import Credentials, IssuedToken, expiry_of, load_client_id
from worker.backends.nemo.settings import NemoSettings
from worker.backends.nemo.sse import StreamLimits, StreamOutcome, read_stream
from worker.job.errors import JobFailed, TransientError
from worker.job.limits import SharedLimits

log = get_logger(__name__)

SKILL_SOURCE = "photoreel"
APP = "nemo_agent"
EXPORT_BLOCKED = "NemoVideo refused the export (HTTP 402): register or upgrade to export"
LONGEST_INLINE_WAIT = 120.0
"""A ``Retry-After`` longer than this is handed to the task queue instead of slept through."""
UPLOAD_WRITE_TIMEOUT = 600.0


def skill_version() -> str:
    try:
        return importlib.metadata.version("photoreel")
    except importlib.metadata.PackageNotFoundError:
        return "0.0.0+unknown"


class NemoError(JobFailed):
    """A non-zero ``code`` (or an HTTP error) in a NemoVideo answer. The backend handles the
    codes of the error table; any other fails the job."""

    def __init__(self, code: int, message: str, data: dict[str, Any] | None = None) -> None:
        super().__init__(f"NemoVideo error {code}: {message}")
        self.code = code
        self.data = data or {}


class NotDelivered(TransientError):
    """The request never reached the service (no connection): it certainly had no effect."""


class MessageRefused(Exception):
    """The service answered a message without a stream and below HTTP 500: nothing started.
    ``cause`` is the error the answer maps to; ``code`` its NemoVideo code or HTTP status."""

    def __init__(self, cause: Exception, code: int) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.code = code


@dataclass(frozen=True)
class RenderStatus:
    status: str
    url: str | None


def parse_render(body: dict[str, Any]) -> RenderStatus:
    """Accept both shapes: top-level ``status``/``output.url`` or nested ``data.status``/
    ``data.outputUrl``."""
    data = body.get("data") if isinstance(body.get("data"), dict) else {}
    status = str(body.get("status") or data.get("status") or "unknown").lower()
    output = body.get("output") or data.get("output")
    url = data.get("outputUrl") or body.get("outputUrl")
    if not url and isinstance(output, dict):
        url = output.get("url")
    return RenderStatus(status=status, url=str(url) if url else None)


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


def is_mp4(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(12)
    return len(head) == 12 and head[4:8] == b"ftyp"


class NemoClient:
    def __init__(
        self,
        settings: NemoSettings,
        sleep: Callable[[float], None] = time.sleep,
        limits: SharedLimits | None = None,
    ) -> None:
        self.timeout = settings.nemo_request_timeout
        self.rate_limit_wait = settings.nemo_rate_limit_wait
        self.limits = StreamLimits(
            cap_seconds=settings.nemo_stream_cap_seconds,
            heartbeat_only_seconds=settings.nemo_heartbeat_timeout,
        )
        self.attribution = {
            "X-Skill-Source": SKILL_SOURCE,
            "X-Skill-Version": skill_version(),
            "X-Skill-Platform": settings.skill_source,
        }
        self.http = httpx.Client(base_url=settings.nemo_api_url.rstrip("/"), timeout=self.timeout)
        if limits is None:  # one machine: the account kept in HOME
            self.credentials = Credentials(
                settings.nemo_token,
                lambda: load_client_id(settings.nemo_client_id),
                self._anonymous_token,
            )
        else:  # a deployment: its one account, kept in its Redis
            self.credentials = Credentials(
                settings.nemo_token,
                lambda: shared_client_id(limits.redis, settings.nemo_client_id),
                self._anonymous_token,
                RedisTokenStore(limits.redis),
            )
        self._sleep = sleep
        self.shared_limits = limits

    def close(self) -> None:
        self.http.close()

    # -- transport --------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        auth: bool = True,
        stream: bool = False,
        follow_redirects: bool = False,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send, answering 429 (wait, once) and 1001 (renew the token, once) by repeating.
        Redirects, when followed, drop the token on leaving the API's origin."""
        waited = renewed = False
        while True:
            token = self.credentials.token() if auth else None
            request_headers = {**self.attribution, **(headers or {})}
            if token is not None:
                request_headers["Authorization"] = f"Bearer {token.get_secret_value()}"
            request = self.http.build_request(method, path, headers=request_headers, **kwargs)
            if self.shared_limits is not None:
                self.shared_limits.before_call()
            try:
                response = self.http.send(request, stream=stream, follow_redirects=follow_redirects)
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                raise NotDelivered(f"NemoVideo unreachable: {type(error).__name__}") from None
            except httpx.TransportError as error:
                raise TransientError(f"NemoVideo call failed: {type(error).__name__}") from None
            if response.status_code == 429 and not waited:
                response.close()
                self._wait(response)
                waited = True
                continue
            if token is not None and not renewed and self._token_rejected(response):
                response.close()
                log.info("NemoVideo token rejected; requesting a new anonymous token", code=1001)
                self.credentials.renew(token)
                renewed = True
                continue
            return response

    def _wait(self, response: httpx.Response) -> None:
        wait = retry_after(response)
        wait = self.rate_limit_wait if wait is None else wait
        if self.shared_limits is not None:
            self.shared_limits.rate_limited(wait)
        if wait > LONGEST_INLINE_WAIT:
            raise TransientError("NemoVideo rate limit (HTTP 429)", retry_after=wait)
        log.info("NemoVideo rate limit; retrying", status=429, retry_in=round(wait, 1))
        self._sleep(wait)

    @staticmethod
    def _token_rejected(response: httpx.Response) -> bool:
        if response.status_code == 401:
            return True
        if "json" not in response.headers.get("content-type", ""):
            return False
        response.read()
        try:
            body = response.json()
        except ValueError:
            return False
        return isinstance(body, dict) and body.get("code") == 1001

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        message = str(body.get("message") or body.get("error") or response.reason_phrase)
        code = body.get("code")
        if status == 402:
            raise JobFailed(EXPORT_BLOCKED)
        if status == 429:
            raise TransientError(
                "NemoVideo rate limit (HTTP 429)", retry_after=retry_after(response)
            )
        if status == 401 or code == 1001:
            raise TransientError("NemoVideo rejected a freshly issued token (1001)")
        if isinstance(code, int) and code != 0:
            data = body.get("data") if isinstance(body.get("data"), dict) else {}
            raise NemoError(code, message, data)
        if status >= 500:
            raise TransientError(f"NemoVideo answered HTTP {status}")
        if status >= 400 or body.get("success") is False:
            raise NemoError(status, message)
        return body

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self._send(method, path, **kwargs)
        body = self._json(response)
        data = body.get("data")
        return data if isinstance(data, dict) else {}

    def _anonymous_token(self, client_id: str) -> IssuedToken:
        response = self._send(
            "POST", "/api/auth/anonymous-token", auth=False, headers={"X-Client-Id": client_id}
        )
        data = self._json(response).get("data", {})
        token = data.get("token")
        if not token:
            raise TransientError("NemoVideo issued no anonymous token")
        return IssuedToken(SecretStr(str(token)), expiry_of(data.get("expires_at"), time.time()))

    # -- the calls --------------------------------------------------------------------------

    def create_session(self, task_name: str, language: str = "en") -> dict[str, Any]:
        body = {"task_name": task_name, "language": language}
        return self._call("POST", f"/api/tasks/me/with-session/{APP}", json=body)

    def upload_file(self, session_id: str, path: Path, name: str) -> list[dict[str, Any]]:
        timeout = httpx.Timeout(self.timeout, write=UPLOAD_WRITE_TIMEOUT)
        with path.open("rb") as handle:
            data = self._call(
                "POST",
                f"/api/upload-video/{APP}/me/{session_id}",
                files=[("files", (name, handle))],
                timeout=timeout,
            )
        return list(data.get("files", []))

    def upload_urls(self, session_id: str, urls: list[str]) -> list[dict[str, Any]]:
        body = {"urls": urls, "source_type": "url"}
        data = self._call("POST", f"/api/upload-video/{APP}/me/{session_id}", json=body)
        return list(data.get("files", []))

    def credits(self) -> dict[str, Any]:
        return self._call("GET", "/api/credits/balance/simple")

    def send_message(
        self, session_id: str, text: str, on_text: Callable[[str], None] = lambda _text: None
    ) -> StreamOutcome:
        """Send one message and read its stream; how the stream ended is the outcome.
        ``on_text`` is told each text the agent sends as it comes.

        Raises ``MessageRefused`` or ``NotDelivered`` when the message certainly started nothing,
        ``TransientError`` when that is unknown (HTTP 5xx, a connection lost while sending)."""
        body = {
            "app_name": APP,
            "user_id": "me",
            "session_id": session_id,
            "new_message": {"parts": [{"text": text}]},
        }
        timeout = httpx.Timeout(self.timeout, read=self.limits.heartbeat_only_seconds)
        response = self._send(
            "POST",
            "/run_sse",
            stream=True,
            json=body,
            headers={"Accept": "text/event-stream"},
            timeout=timeout,
        )
        try:
            if "text/event-stream" in response.headers.get("content-type", ""):
                return read_stream(response, self.limits, on_text=on_text)
            response.read()
        finally:
            response.close()
        status = response.status_code
        if status >= 500:
            raise TransientError(f"NemoVideo answered the message with HTTP {status}")
        try:
            self._json(response)
        except NemoError as error:
            raise MessageRefused(error, error.code) from None
        except (JobFailed, TransientError) as error:
            raise MessageRefused(error, status) from None
        raise MessageRefused(NemoError(status, "message answered without a stream"), status)

    def state(self, session_id: str) -> dict[str, Any]:
        data = self._call("GET", f"/api/state/{APP}/me/{session_id}/latest")
        state = data.get("state")
        return state if isinstance(state, dict) else {}

    def start_render(self, render_id: str, session_id: str, draft: dict[str, Any]) -> None:
        body = {
            "id": render_id,
            "sessionId": session_id,
            "draft": draft,
            "output": {"format": "mp4", "quality": "high"},
        }
        self._json(self._send("POST", "/api/render/proxy/lambda", json=body))

    def render_status(self, render_id: str) -> RenderStatus:
        return parse_render(self._json(self._send("GET", f"/api/render/proxy/lambda/{render_id}")))

    def cancel_render(self, render_id: str) -> None:
        self._json(self._send("POST", f"/api/render/proxy/lambda/{render_id}/cancel"))

    def fetch_output(self, url: str, target: Path) -> bool:
        """Download ``outputUrl`` (no token: it is not the API). False if it cannot be had."""
        try:
            with self.http.stream(
                "GET", url, timeout=self.timeout, follow_redirects=True
            ) as response:
                if response.status_code != 200:
                    log.info("outputUrl not downloaded", status=response.status_code)
                    return False
                self._save(response, target)
        except httpx.TransportError as error:
            log.info("outputUrl not reachable", error=type(error).__name__)
            return False
        return is_mp4(target)

    def fetch_fallback(self, render_id: str, target: Path) -> None:
        """Download through ``/api/render/proxy/<id>/download`` with the bearer token."""
        response = self._send(
            "GET", f"/api/render/proxy/{render_id}/download", stream=True, follow_redirects=True
        )
        try:
            if response.status_code == 200:
                self._save(response, target)
            else:
                response.read()
        finally:
            response.close()
        if response.status_code != 200:
            self._json(response)
            raise TransientError(f"render download answered HTTP {response.status_code}")
        if not is_mp4(target):
            raise TransientError("the rendered file is not an MP4")

    @staticmethod
    def _save(response: httpx.Response, target: Path) -> None:
        partial = target.with_name(target.name + ".part")
        with partial.open("wb") as handle:
            for chunk in response.iter_bytes():
                handle.write(chunk)
        partial.replace(target)
