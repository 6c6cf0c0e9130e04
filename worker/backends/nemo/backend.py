"""The ``nemo`` backend: photoreel's stages spoken to the NemoVideo agent API.

``ctx.checkpoint`` is what earlier stages (and earlier runs of this one) recorded; a stage never
reads back what it records itself, it keeps that in hand.

The paid step is the one message of ``generate``. It is recorded as ``message_sent`` before it
goes out; from then on every path (a retry, a redelivered task, a restarted worker, a dropped
stream, a lost session) finds the result by polling the session state and never sends again.
Only an answer that proves the message started nothing (refused before any stream, or no
connection at all) clears the record.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlencode

from config.logging import get_logger, redact
from worker.backends.base import StageContext
from worker.backends.nemo.client import (
    SKILL_SOURCE,
    MessageRefused,
    NemoClient,
    NemoError,
    NotDelivered,
    skill_version,
)
from worker.backends.nemo.completion import Completion, wait_for_draft
from worker.backends.nemo.messages import (
    answer_message,
    asked_something,
    generation_message,
    in_words,
    title_track_texts,
)
from worker.backends.nemo.music import MUSIC_KEY, music_file, ready_audio
from worker.backends.nemo.photo_wish import photo_wish
from worker.backends.nemo.photos import MAX_FILE_BYTES, Photo, human_size, job_photos, ready_file
from worker.backends.nemo.rendering import SESSION_LOST, fetch_render, lost_after_send, render
from worker.backends.nemo.settings import GENERATION_COST, NemoSettings
from worker.backends.nemo.sse import StreamOutcome
from worker.job.draft import Draft, timeline_summary
from worker.job.errors import JobFailed, JobParked, TransientError, WaitingForSlot
from worker.job.limits import SharedLimits
from worker.understanding.fields import understand
from worker.understanding.promo import read_words

log = get_logger(__name__)

NO_CREDITS = 2001
UNSUPPORTED_FILE = 4001
FILE_TOO_LARGE = 4002
SUPPORTED = "mp4 mov avi webm mkv jpg png gif webp mp3 wav m4a aac"
QUIET_ENDS = {"closed", "silent"}
"""Stream ends after which a message without any tool call may have started nothing."""


class NemoBackend:
    name = "nemo"

    def __init__(self) -> None:
        self._client: NemoClient | None = None
        self._owner: tuple[int, str] | None = None
        self._lock = threading.Lock()
        self._sent: set[str] = set()
        """Sessions this process sent a message to: a guard even against a stale checkpoint."""

    def client(self, settings: NemoSettings, limits: SharedLimits | None = None) -> NemoClient:
        """One client (one connection pool, one token) per process and API."""
        owner = (os.getpid(), settings.nemo_api_url)
        with self._lock:
            if self._client is None or self._owner != owner:
                self._client = NemoClient(settings, limits=limits)
                self._owner = owner
            return self._client

    def available_credits(self, settings: NemoSettings, limits: SharedLimits | None = None) -> int:
        return int(self.client(settings, limits).credits().get("available", 0))

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
            self._client = None

    # -- session and upload -------------------------------------------------------------------

    def open_session(self, ctx: StageContext) -> None:
        """Open the job's session once a session slot is free (a queued batch holds no open
        sessions beyond the slots); the slot stays taken until the generation is over."""
        if ctx.checkpoint.get("session_id"):
            return
        self._take_session_slot(ctx)
        try:
            self._new_session(ctx)
        except TransientError:
            raise
        except BaseException:
            self._release_session_slot(ctx)
            raise

    def _take_session_slot(self, ctx: StageContext) -> None:
        """Take (or renew) the job's session slot, unless credits ran out or none is free."""
        limits = ctx.limits
        if limits is None:
            return
        if reason := limits.credits.reason():
            raise JobParked(reason)
        if not limits.sessions.try_acquire(ctx.spec.id, self._generation_lease(ctx)):
            raise WaitingForSlot(
                f"all {limits.sessions.limit} NemoVideo sessions are in use; waiting in line"
            )

    def _new_session(self, ctx: StageContext) -> str:
        nemo: NemoSettings = ctx.backend_settings
        data = self.client(ctx.backend_settings, ctx.limits).create_session(ctx.spec.id)
        task_id, session_id = str(data["task_id"]), str(data["session_id"])
        query = urlencode(
            {
                "task": task_id,
                "session": session_id,
                "skill_name": SKILL_SOURCE,
                "skill_version": skill_version(),
                "skill_source": nemo.skill_source,
            }
        )
        ctx.record("task_id", task_id)
        ctx.record("user_id", data.get("user_id"))
        ctx.record("task_link", f"{nemo.nemo_web_url.rstrip('/')}/workspace/claim?{query}")
        ctx.record("session_id", session_id)
        log.info("NemoVideo session opened", session_id=session_id, task_id=task_id)
        return session_id

    def upload(self, ctx: StageContext) -> None:
        try:
            self._upload(ctx)
        except (JobFailed, JobParked):
            self._release_session_slot(ctx)
            raise

    def _upload(self, ctx: StageContext) -> None:
        session_id = ctx.checkpoint["session_id"]
        uploads = ctx.checkpoint.get("uploads") or {}
        if uploads.get("session_id") != session_id:
            uploads = {}
        try:
            self._upload_all(ctx, session_id, uploads)
        except NemoError as error:
            if error.code != SESSION_LOST:
                raise
            log.info("NemoVideo session lost before generation; opening a new one", code=1002)
            self._upload_all(ctx, self._new_session(ctx), {})

    def _upload_all(self, ctx: StageContext, session_id: str, done: dict[str, Any]) -> None:
        """Upload every photo not in ``done`` (the ``uploads`` record of this session)."""
        client = self.client(ctx.backend_settings, ctx.limits)
        files = dict(done.get("files") or {})
        for photo in job_photos(ctx.spec, ctx.photos):
            if photo.key in files:
                continue
            try:
                answer = self._upload_one(client, session_id, photo, ctx.workdir)
            except NemoError as error:
                self._raise_upload_error(error, photo)
            first = answer[0] if answer else {}
            files[photo.key] = {"name": photo.name, "hash": first.get("hash")}
            ctx.record("uploads", {"session_id": session_id, "files": dict(files)})
        music = music_file(ctx)
        if music is None or MUSIC_KEY in files:
            return
        ready = ready_audio(music, ctx.workdir)
        try:
            answer = client.upload_file(session_id, ready, ready.name)
        except NemoError as error:
            self._raise_upload_error(error, Photo(key=MUSIC_KEY, name=music.name, path=music))
        first = answer[0] if answer else {}
        name = str(first.get("filename") or ready.name)
        files[MUSIC_KEY] = {"name": name, "hash": first.get("hash")}
        ctx.record("uploads", {"session_id": session_id, "files": dict(files)})

    @staticmethod
    def _upload_one(
        client: NemoClient, session_id: str, photo: Photo, workdir: Path
    ) -> list[dict[str, Any]]:
        if photo.path is None:
            return client.upload_urls(session_id, [str(photo.url)])
        path = ready_file(photo.path, workdir)
        return client.upload_file(session_id, path, path.name)

    @staticmethod
    def _raise_upload_error(error: NemoError, photo: Photo) -> NoReturn:
        if error.code == UNSUPPORTED_FILE:
            raise JobFailed(
                f"NemoVideo does not accept this file (supported: {SUPPORTED})", file=photo.name
            )
        if error.code == FILE_TOO_LARGE:
            size = photo.path.stat().st_size if photo.path else error.data.get("size")
            shown = human_size(int(size)) if size is not None else "size unknown"
            raise JobFailed(
                f"file too large for NemoVideo ({shown}, max {human_size(MAX_FILE_BYTES)})",
                file=photo.name,
            )
        if error.code != SESSION_LOST:
            error.file = photo.name
        raise error

    # -- the paid message -----------------------------------------------------------------

    def generate(self, ctx: StageContext) -> None:
        session_id = ctx.checkpoint["session_id"]
        if ctx.checkpoint.get("message_sent") or session_id in self._sent:
            log.info("generation already sent: polling state, not sending")
            return
        limits = ctx.limits
        if limits is None:
            self._send_generation(ctx, session_id)
            return
        try:
            self._take_session_slot(ctx)
        except JobParked:
            self._release_session_slot(ctx)
            raise
        try:
            self._send_generation(ctx, session_id)
        except JobParked as parked:
            limits.credits.trip(str(parked))
            self._release_session_slot(ctx)
            raise
        except BaseException:
            self._release_session_slot(ctx)
            raise

    @staticmethod
    def _generation_lease(ctx: StageContext) -> float:
        """How long a session slot is held at most: the stream cap, then the completion wait."""
        settings: NemoSettings = ctx.backend_settings
        return settings.nemo_stream_cap_seconds + settings.nemo_completion_timeout

    def _send_generation(self, ctx: StageContext, session_id: str) -> None:
        client = self.client(ctx.backend_settings, ctx.limits)
        for attempt in range(2):
            self._check_credits(ctx)
            sent_at = datetime.now(UTC).isoformat(timespec="seconds")
            ctx.record("message_sent", {"session_id": session_id, "at": sent_at})
            spec = ctx.spec
            ctx.record(
                "words", read_words(spec.prompt, spec.options, spec.source.fields).to_record()
            )
            asked = understand(spec.prompt, spec.options, ctx.settings)
            ctx.record("plan", asked.to_record())
            warnings = [*asked.warnings]
            if wish := photo_wish(spec, ctx.settings).warning:
                warnings.append(wish)
            if warnings:
                earlier = list(ctx.checkpoint.get("warnings") or [])
                ctx.record("warnings", list(dict.fromkeys([*earlier, *warnings])))
            self._sent.add(session_id)
            try:
                outcome = client.send_message(
                    session_id, generation_message(ctx), on_text=self._teller(ctx, client)
                )
            except MessageRefused as refusal:
                self._unsent(ctx, session_id)
                if refusal.code == SESSION_LOST and attempt == 0:
                    log.info(
                        "session lost before the message was accepted; opening a new one", code=1002
                    )
                    session_id = self._new_session(ctx)
                    self._upload_all(ctx, session_id, {})
                    continue
                if refusal.code == NO_CREDITS:
                    why = "the service refused: no credits (2001)"
                    raise JobParked(self._no_credits(ctx, why)) from None
                raise refusal.cause from None
            except NotDelivered:
                self._unsent(ctx, session_id)
                raise
            except TransientError as error:
                log.warning(
                    "message outcome unknown: will poll state, not resend", error=str(error)
                )
                ctx.record("stream_end", "unknown")
                return
            self._record_outcome(ctx, client, outcome, [])
            return

    @staticmethod
    def _record_outcome(
        ctx: StageContext, client: NemoClient, outcome: StreamOutcome, said_before: list[str]
    ) -> list[str]:
        """Record how a message stream ended and every text the agent sent, token-free."""
        said = said_before + redact(outcome.texts, [client.credentials.token().get_secret_value()])
        ctx.record("stream_end", outcome.end.value)
        ctx.record("tool_calls", outcome.tool_calls)
        ctx.record("agent_said", said)
        log.info("message stream ended", end=str(outcome.end), events=outcome.events)
        return said

    @staticmethod
    def _teller(ctx: StageContext, client: NemoClient) -> Callable[[str], None]:
        """Shows each text of the agent as the stage's progress, token-free."""
        token = client.credentials.token().get_secret_value()
        return lambda text: ctx.say(redact(text, [token]))

    def _unsent(self, ctx: StageContext, session_id: str) -> None:
        """The message certainly started nothing: it may be sent again."""
        ctx.record("message_sent", None)
        self._sent.discard(session_id)

    def _check_credits(self, ctx: StageContext) -> None:
        available = self.available_credits(ctx.backend_settings, ctx.limits)
        ctx.record("credits_before", available)
        if available < GENERATION_COST:
            raise JobParked(self._no_credits(ctx, f"{available} credits left"))

    def _no_credits(self, ctx: StageContext, why: str) -> str:
        """Why the job parks: an anonymous account is bound (registered) through its link, a
        registered one is topped up."""
        web = ctx.backend_settings.nemo_web_url.rstrip("/")
        needs = f"NemoVideo: {why}; a generation needs about {GENERATION_COST}."
        if not self.client(ctx.backend_settings, ctx.limits).credentials.anonymous:
            return f"{needs} Top up the account of NEMO_TOKEN to go on: {web}"
        bind = ctx.checkpoint.get("user_id") or "unknown"
        return f"{needs} Register this anonymous account to go on: {web}/?bind={bind}"

    # -- waiting for both stages -----------------------------------------------------------

    def await_completion(self, ctx: StageContext) -> None:
        sent = ctx.checkpoint.get("message_sent")
        if not sent:
            raise JobFailed("no generation was sent for this job")
        try:
            self._await_draft(ctx, sent["session_id"])
        except TransientError:
            raise  # the generation may still be running: its session slot stays taken
        except BaseException:
            self._release_session_slot(ctx)
            raise
        self._release_session_slot(ctx)

    @staticmethod
    def _release_session_slot(ctx: StageContext) -> None:
        if ctx.limits is not None:
            ctx.limits.release_session(ctx.spec.id)

    def _await_draft(self, ctx: StageContext, session_id: str) -> None:
        settings: NemoSettings = ctx.backend_settings
        client = self.client(ctx.backend_settings, ctx.limits)
        checkpoint = ctx.checkpoint
        said = list(checkpoint.get("agent_said") or [])
        quiet = checkpoint.get("stream_end") in QUIET_ENDS and not checkpoint.get("tool_calls")
        completion = self._wait(ctx, client, session_id, said, quiet and bool(said))
        if completion is not None and completion.how == "not_started":
            if asked_something(said) and not checkpoint.get("answer_sent"):
                said, started = self._answer(ctx, client, session_id, said)
                completion = self._wait(ctx, client, session_id, said, not started and bool(said))
            if completion is not None and completion.how == "not_started":
                ctx.record("started_nothing", True)
                raise JobFailed(
                    f"NemoVideo started no generation; the agent said: {in_words(said)}"
                )
        if completion is None:
            raise JobFailed(
                f"no finished video after {settings.nemo_completion_timeout:g} s; the generation"
                f" is not sent again (check {checkpoint.get('task_link')})"
            )
        ctx.record("draft", completion.draft)
        ctx.record("completion", {"how": completion.how, "waited_s": round(completion.waited, 1)})
        returned = Draft.model_validate(completion.draft)
        ctx.record("timeline", timeline_summary(returned))
        ctx.record("title_track", title_track_texts(returned))
        ctx.record("credits_after", self.available_credits(settings, ctx.limits))

    def _wait(
        self,
        ctx: StageContext,
        client: NemoClient,
        session_id: str,
        said: list[str],
        may_be_unstarted: bool,
    ) -> Completion | None:
        """Poll the state for the finished draft; ``may_be_unstarted``: the last message ended
        with words and no tool call, so an empty draft ends the wait after the start grace.
        Each poll shows how long it has waited and what the agent last said."""
        settings: NemoSettings = ctx.backend_settings
        last_words = f": {said[-1]}" if said else ""
        try:
            return wait_for_draft(
                lambda: client.state(session_id),
                poll=settings.nemo_poll_seconds,
                settle=settings.nemo_settle_seconds,
                timeout=settings.nemo_completion_timeout,
                start_within=(
                    min(settings.nemo_start_grace_seconds, settings.nemo_completion_timeout)
                    if may_be_unstarted
                    else None
                ),
                on_poll=lambda waited: ctx.say(f"waiting for the draft {waited:.0f}s{last_words}"),
            )
        except NemoError as error:
            if error.code == SESSION_LOST:
                lost_after_send(ctx)
            raise

    def _answer(
        self, ctx: StageContext, client: NemoClient, session_id: str, said: list[str]
    ) -> tuple[list[str], bool]:
        """Answer the agent's question once, with the job's own options. The question's message
        has finished and started nothing, so this is not a resend. Returns what the agent has
        said in all and whether the answer started something."""
        sent_at = datetime.now(UTC).isoformat(timespec="seconds")
        ctx.record("answer_sent", {"session_id": session_id, "at": sent_at})
        log.info("the agent asked a question instead of generating; answering once")
        try:
            outcome = client.send_message(
                session_id, answer_message(ctx), on_text=self._teller(ctx, client)
            )
        except NotDelivered:
            ctx.record("answer_sent", None)  # it never reached the service: answer next time
            raise
        except MessageRefused as refusal:
            raise JobFailed(
                f"NemoVideo started no generation and refused the answer ({refusal}); the agent"
                f" said: {in_words(said)}"
            ) from None
        except TransientError as error:
            log.warning("answer outcome unknown: will poll state, not resend", error=str(error))
            ctx.record("stream_end", "unknown")
            return said, True
        said = self._record_outcome(ctx, client, outcome, said)
        return said, outcome.tool_calls > 0 or outcome.end.value not in QUIET_ENDS

    # -- export and download ----------------------------------------------------------------

    def export(self, ctx: StageContext) -> None:
        render(ctx, self.client(ctx.backend_settings, ctx.limits))

    def download(self, ctx: StageContext) -> Path:
        return fetch_render(ctx, self.client(ctx.backend_settings, ctx.limits))
