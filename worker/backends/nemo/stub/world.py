"""What the stub NemoVideo service knows: accounts, tokens, sessions, renders, and the books.

World methods take one lock; the HTTP layer (``app.py``) changes session fields only on the
server's event loop, and tests read the books from their own thread.
Generation runs on the clock, not in a task: a session's draft is a function of the time since
its message was accepted, so it goes on whatever happens to the stream that asked for it.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from dataclasses import dataclass, field, fields
from typing import Any

GENERATION_COST = 100
QUESTION = "Before I start: which mood should the music have, and how long should the video be?"
REFUSAL = "I can't make a video from these photos: they look like scanned documents."
LOCAL_AUDIO_PATH = re.compile(
    r"(?:^|[\s\"'(])(?:/|~/|[A-Za-z]:\\)\S*\.(?:mp3|wav|m4a|aac|flac|ogg)\b"
)
"""A local path of an audio file in a prompt: useless to the service, and private."""
MARKER = re.compile(r"nemofault-([a-z0-9-]+?)(?=-nemofault-|[^a-z0-9-]|$)")


@dataclass
class Faults:
    """What goes wrong in one session. Each name is also a marker: ``nemofault-<name-with-dashes>``
    in the task name or the prompt switches it on."""

    heartbeats_first: bool = False
    """The stream sends only heartbeats and empty data lines for ``heartbeat_only_seconds``."""
    silent: bool = False
    """The stream closes without any text (about 30% of real operations)."""
    drop_stream: bool = False
    """The connection dies mid-generation; the generation goes on server-side."""
    endless_stream: bool = False
    """The stream keeps sending tool events and never closes by itself."""
    trailing_issue: bool = False
    """A trailing "I encountered a temporary issue" after normal output."""
    slow_stage2: bool = False
    """Stage 2 (BGM and title) comes ``slow_stage2_seconds`` after stage 1."""
    no_stage2: bool = False
    """Stage 2 adds nothing: the draft keeps only its video track."""
    expire_token: bool = False
    """The caller's token expires at this session's first state poll (1001)."""
    lose_session_on_upload: bool = False
    """The session is gone at its first upload (1002); only the task name's first session."""
    lose_session_on_message: bool = False
    """The message is answered 1002 (nothing charged); only the task name's first session."""
    lose_session_after_send: bool = False
    """The session is gone once its generation was accepted (1002 from then on); only the task
    name's first session."""
    message_error: bool = False
    """The message is accepted and charged, but answered HTTP 502 instead of a stream."""
    asks_question: bool = False
    """The first message is answered with a question and starts nothing (nothing charged)."""
    refuses: bool = False
    """Every message is answered with a refusal and starts nothing (nothing charged)."""
    no_credits: bool = False
    """The message is refused with 2001 whatever the balance."""
    rate_limit: bool = False
    """The first message is refused with HTTP 429 and a Retry-After header."""
    small_upload_limit: bool = False
    """Uploads over ``small_upload_limit_bytes`` are refused with 4002."""
    export_blocked: bool = False
    """Export answers HTTP 402 (free plan)."""
    render_fails_first: bool = False
    """The session's first render ends ``failed``."""
    render_top_level: bool = False
    """Render status answers top-level ``status``/``output.url`` instead of nested ``data``."""
    output_unreachable: bool = False
    """``outputUrl`` points at a port nobody listens on; only ``/download`` works."""
    download_redirects: bool = False
    """``/download`` answers a redirect to the file on another origin (``localhost``)."""

    def merge_markers(self, text: str) -> None:
        names = {item.name for item in fields(self)}
        for marker in MARKER.findall(text):
            name = marker.replace("-", "_")
            if name in names:
                setattr(self, name, True)


@dataclass
class FakeConfig:
    """Timing and limits of the stub; tests shrink the times."""

    stage1_seconds: float = 2.0
    stage2_seconds: float = 2.0
    slow_stage2_seconds: float = 8.0
    heartbeat_seconds: float = 0.5
    heartbeat_only_seconds: float = 5.0
    retry_after_seconds: int = 1
    initial_credits: int = 100
    max_file_bytes: int = 200 * 1024 * 1024
    small_upload_limit_bytes: int = 1000
    tokens_per_ip: int = 10
    """Anonymous-token requests one IP may make (every request counts, repeats too)."""
    renders_complete_after_polls: int = 2
    transfer_seconds: float = 0.0
    """Added to every upload and video download, so a test can act in the middle of one."""
    faults: dict[str, Faults] = field(default_factory=dict)
    """Faults by a substring of the task name, for tests that run the stub in-process."""
    default_faults: Faults = field(default_factory=Faults)


@dataclass
class Account:
    user_id: str
    credits: int


@dataclass
class Session:
    session_id: str
    task_id: str
    user_id: str
    task_name: str
    faults: Faults
    files: list[dict[str, Any]] = field(default_factory=list)
    messages: int = 0
    accepted_at: float | None = None
    prompt: str = ""
    lost: bool = False
    renders: int = 0
    state_polls: int = 0
    uploads: int = 0
    rate_limited: bool = False
    asked: bool = False
    first_of_task: bool = True

    def one_off_losses_only_first(self) -> None:
        """A lost session is a one-off: the new session a client opens for it stays."""
        if not self.first_of_task:
            self.faults.lose_session_on_upload = False
            self.faults.lose_session_on_message = False
            self.faults.lose_session_after_send = False


@dataclass
class Render:
    render_id: str
    session_id: str
    fails: bool
    polls: int = 0
    cancelled: bool = False


class World:
    """The whole stub service; every method takes the lock."""

    def __init__(self, config: FakeConfig) -> None:
        self.config = config
        self.lock = threading.Lock()
        self.accounts: dict[str, Account] = {}
        self.tokens: dict[str, str] = {}
        """Valid token → user id."""
        self.client_tokens: dict[str, str] = {}
        """Client id → its current token."""
        self.client_users: dict[str, str] = {}
        self.sessions: dict[str, Session] = {}
        self.renders: dict[str, Render] = {}
        self.charges: dict[str, int] = {}
        self.paid_by_task: dict[str, int] = {}
        """Paid messages by task name (the client's job): more than one is a resend."""
        self.mistakes: list[dict[str, str]] = []
        self.issued: list[str] = []
        """Every anonymous token ever issued, expired or not."""
        self.token_requests: dict[str, int] = {}
        """Anonymous-token requests by caller IP, refused ones too."""

    # -- accounts and tokens ------------------------------------------------------------------

    def add_token(self, token: str, credits: int) -> str:
        """A registered account's token, as if set in ``NEMO_TOKEN``."""
        with self.lock:
            user_id = f"usr_{uuid.uuid4().hex[:12]}"
            self.accounts[user_id] = Account(user_id, credits)
            self.tokens[token] = user_id
            return user_id

    def anonymous_token(self, client_id: str, ip: str) -> tuple[str, str, int] | None:
        """(token, user id, credits) for this client: the same token while it is valid (asking
        again for it is booked as a mistake), a new one for the same account once it has
        expired. None past the per-IP limit, which counts every request."""
        with self.lock:
            asked = self.token_requests.get(ip, 0)
            self.token_requests[ip] = asked + 1
            if asked >= self.config.tokens_per_ip:
                return None
            current = self.client_tokens.get(client_id)
            if current is not None and current in self.tokens:
                self._mistake("token_asked_again", "", f"client {client_id}")
                user_id = self.tokens[current]
                return current, user_id, self.accounts[user_id].credits
            user_id = self.client_users.get(client_id)
            if user_id is None:
                user_id = f"anon_{uuid.uuid4().hex[:12]}"
                self.client_users[client_id] = user_id
                self.accounts[user_id] = Account(user_id, self.config.initial_credits)
            token = f"nmv_usr_{uuid.uuid4().hex}"
            self.tokens[token] = user_id
            self.client_tokens[client_id] = token
            self.issued.append(token)
            return token, user_id, self.accounts[user_id].credits

    def user_of(self, token: str | None) -> str | None:
        with self.lock:
            return self.tokens.get(token or "")

    def expire_token(self, token: str) -> None:
        with self.lock:
            self.tokens.pop(token, None)

    def expire_all_tokens(self) -> None:
        with self.lock:
            self.tokens = {
                token: user for token, user in self.tokens.items() if not token.startswith("nmv_")
            }

    def set_credits(self, user_id: str, credits: int) -> None:
        with self.lock:
            self.accounts[user_id].credits = credits

    def credits(self, user_id: str) -> int:
        with self.lock:
            return self.accounts[user_id].credits

    # -- sessions -------------------------------------------------------------------------------

    def faults_for(self, task_name: str) -> Faults:
        config = self.config
        chosen = next(
            (faults for key, faults in config.faults.items() if key in task_name),
            config.default_faults,
        )
        faults = Faults(**{item.name: getattr(chosen, item.name) for item in fields(chosen)})
        faults.merge_markers(task_name)
        return faults

    def new_session(self, user_id: str, task_name: str) -> Session:
        faults = self.faults_for(task_name)
        with self.lock:
            first = all(known.task_name != task_name for known in self.sessions.values())
            session = Session(
                session_id=f"ses_{uuid.uuid4().hex[:16]}",
                task_id=f"task_{uuid.uuid4().hex[:12]}",
                user_id=user_id,
                task_name=task_name,
                faults=faults,
                first_of_task=first,
            )
            session.one_off_losses_only_first()
            self.sessions[session.session_id] = session
            return session

    def apply_prompt(self, session: Session, prompt: str) -> None:
        """Markers in the prompt switch faults on from the message onwards; a local path of an
        audio file in it is booked."""
        if LOCAL_AUDIO_PATH.search(prompt):
            self.mistake("local_path_in_prompt", session.session_id, "an audio file's local path")
        session.faults.merge_markers(prompt)
        session.one_off_losses_only_first()

    def session(self, session_id: str, user_id: str) -> Session | None:
        with self.lock:
            session = self.sessions.get(session_id)
        if session is None or session.lost or session.user_id != user_id:
            return None
        return session

    def words_instead(self, session: Session) -> str | None:
        """What the agent says instead of generating: a question (once), a refusal, or None."""
        with self.lock:
            if session.faults.refuses:
                return REFUSAL
            if not session.faults.asks_question or session.asked:
                return None
            session.asked = True
            return QUESTION

    def accept_message(self, session: Session, prompt: str) -> bool:
        """Charge a generation and start it. False: not enough credits (nothing charged)."""
        with self.lock:
            account = self.accounts[session.user_id]
            if session.faults.no_credits or account.credits < GENERATION_COST:
                return False
            account.credits -= GENERATION_COST
            self.charges[session.session_id] = self.charges.get(session.session_id, 0) + 1
            session.messages += 1
            if session.messages > 1:
                self._mistake("resend", session.session_id, "a second generation message")
            paid = self.paid_by_task.get(session.task_name, 0) + 1
            self.paid_by_task[session.task_name] = paid
            if paid > 1 and session.messages == 1:
                detail = f"a second paid message for {session.task_name} in another session"
                self._mistake("resend_across_sessions", session.session_id, detail)
            session.accepted_at = time.monotonic()
            session.prompt = prompt
            if session.faults.lose_session_after_send:
                session.lost = True
            return True

    def stage1_at(self, session: Session) -> float | None:
        if session.accepted_at is None:
            return None
        return session.accepted_at + self.config.stage1_seconds

    def stage2_at(self, session: Session) -> float | None:
        stage1 = self.stage1_at(session)
        if stage1 is None:
            return None
        delay = self.config.slow_stage2_seconds if session.faults.slow_stage2 else 0.0
        return stage1 + self.config.stage2_seconds + delay

    def draft(self, session: Session) -> dict[str, Any]:
        now = time.monotonic()
        stage1, stage2 = self.stage1_at(session), self.stage2_at(session)
        tracks: list[dict[str, Any]] = []
        per_photo = 3000
        visuals = [item for item in session.files if item["file_type"] != "audio"]
        total = per_photo * max(len(visuals), 1)
        if stage1 is not None and now >= stage1:
            segments = [
                {"d": per_photo, "m": {"start": index * per_photo, "src": item["hash"]}}
                for index, item in enumerate(visuals or [{"hash": "generated"}])
            ]
            tracks.append({"tt": 0, "sg": segments, "m": {}})
        else:  # nothing generated yet: the empty video track the protocol allows
            tracks.append({"tt": 0, "sg": [], "m": {}})
        if stage2 is not None and now >= stage2 and not session.faults.no_stage2:
            music = {"start": 0, "mood": "Lo-fi", "volume": 0.35, "src": "synth:lofi"}
            uploaded = [item for item in session.files if item["file_type"] == "audio"]
            if uploaded:
                music = {"start": 0, "volume": 0.35, "src": uploaded[0]["hash"]}
            title = {"start": 0, "text": session.task_name, "style": {}}
            tracks.append({"tt": 1, "sg": [{"d": total, "m": music}], "m": {}})
            tracks.append({"tt": 7, "sg": [{"d": 3000, "m": title}], "m": {}})
        return {"t": tracks, "m": {"width": 1080, "height": 1920, "fps": 30, "duration_ms": total}}

    def stage2_done(self, session: Session) -> bool:
        stage2 = self.stage2_at(session)
        return stage2 is not None and time.monotonic() >= stage2

    # -- renders --------------------------------------------------------------------------------

    def new_render(self, render_id: str, session: Session) -> Render | None:
        """None if the id was used before."""
        with self.lock:
            if render_id in self.renders:
                self._mistake("render_id_reused", session.session_id, render_id)
                return None
            session.renders += 1
            fails = session.faults.render_fails_first and session.renders == 1
            render = Render(render_id, session.session_id, fails)
            self.renders[render_id] = render
            return render

    def render_status(self, render: Render) -> str:
        with self.lock:
            render.polls += 1
            if render.cancelled:
                return "cancelled"
            if render.polls == 1:
                return "pending"
            if render.polls <= self.config.renders_complete_after_polls:
                return "processing"
            return "failed" if render.fails else "completed"

    def render_completed(self, render: Render) -> bool:
        with self.lock:
            done = render.polls > self.config.renders_complete_after_polls
            return done and not (render.fails or render.cancelled)

    # -- the books ------------------------------------------------------------------------------

    def mistake(self, kind: str, session_id: str, detail: str) -> None:
        with self.lock:
            self._mistake(kind, session_id, detail)

    def _mistake(self, kind: str, session_id: str, detail: str) -> None:
        self.mistakes.append({"kind": kind, "session_id": session_id, "detail": detail})

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "charges": dict(self.charges),
                "total_charges": sum(self.charges.values()),
                "mistakes": list(self.mistakes),
                "sessions": len(self.sessions),
                "renders": len(self.renders),
                "tokens_issued": len(self.issued),
                "token_requests": sum(self.token_requests.values()),
                "messages": {sid: s.messages for sid, s in self.sessions.items()},
            }
