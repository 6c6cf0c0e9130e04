"""The stub's HTTP face: every call of the NemoVideo protocol, plus ``GET /_fake/stats``."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import time
from collections.abc import AsyncIterator
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlparse

from PIL import Image, UnidentifiedImageError
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from worker.backends.nemo.stub.media import sample_mp4
from worker.backends.nemo.stub.world import Render, Session, World

SUPPORTED = {
    "video": {"mp4", "mov", "avi", "webm", "mkv"},
    "image": {"jpg", "jpeg", "png", "gif", "webp"},
    "audio": {"mp3", "wav", "m4a", "aac"},
}
ATTRIBUTION = ("X-Skill-Source", "X-Skill-Version", "X-Skill-Platform")
UNREACHABLE = "http://127.0.0.1:1"
TEMPORARY_ISSUE = "I encountered a temporary issue. Please try again."
EXPORT_FORMATS = {"mp4", "mov", "webm"}


class StreamDropped(Exception):
    """Raised inside a stream to cut the connection the way a network failure would."""


def ok(data: dict[str, Any]) -> JSONResponse:
    return JSONResponse({"code": 0, "data": data})


def error(code: int, message: str, status: int = 200, **extra: Any) -> JSONResponse:
    return JSONResponse({"code": code, "message": message, **extra}, status_code=status)


def token_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if not header.startswith("Bearer "):
        return None
    return header.removeprefix("Bearer ").strip() or None


def has_attribution(request: Request) -> bool:
    return all(request.headers.get(name) for name in ATTRIBUTION)


def check_headers(world: World, request: Request, session_id: str = "") -> None:
    """Note any missing Authorization or attribution header as a protocol mistake."""
    if not has_attribution(request):
        world.mistake("missing_attribution", session_id, request.url.path)
    if token_of(request) is None:
        world.mistake("missing_authorization", session_id, request.url.path)


def caller(world: World, request: Request, session_id: str = "") -> str | JSONResponse:
    """The user id behind the bearer token, or the 1001 answer."""
    check_headers(world, request, session_id)
    user_id = world.user_of(token_of(request))
    if user_id is None:
        return error(1001, "token invalid or expired", status=401)
    return user_id


def session_of(world: World, request: Request, session_id: str) -> Session | JSONResponse:
    user_id = caller(world, request, session_id)
    if isinstance(user_id, JSONResponse):
        return user_id
    session = world.session(session_id, user_id)
    if session is None:
        return error(1002, f"session {session_id} not found")
    return session


def world_of(request: Request) -> World:
    return request.app.state.world


async def anonymous_token(request: Request) -> Response:
    world = world_of(request)
    if not has_attribution(request):
        world.mistake("missing_attribution", "", request.url.path)
    client_id = request.headers.get("x-client-id", "").strip()
    if not client_id:
        return error(400, "missing X-Client-Id", status=400)
    issued = world.anonymous_token(client_id, request.client.host if request.client else "")
    if issued is None:
        headers = {"Retry-After": str(world.config.retry_after_seconds)}
        return JSONResponse({"code": 429, "message": "rate limited"}, 429, headers=headers)
    token, user_id, credits = issued
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 7 * 86400))
    return ok({"token": token, "user_id": user_id, "expires_at": expires, "credits": credits})


async def create_session(request: Request) -> Response:
    world = world_of(request)
    user_id = caller(world, request)
    if isinstance(user_id, JSONResponse):
        return user_id
    body = await request.json()
    session = world.new_session(user_id, str(body.get("task_name", "project")))
    return ok({"task_id": session.task_id, "session_id": session.session_id, "user_id": user_id})


def describe_file(name: str, content: bytes, base_url: str) -> dict[str, Any]:
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    kind = next(kind for kind, names in SUPPORTED.items() if extension in names)
    digest = hashlib.sha256(content or name.encode()).hexdigest()[:16]
    width = height = None
    if kind == "image" and content:
        try:
            with Image.open(io.BytesIO(content)) as image:
                width, height = image.size
        except UnidentifiedImageError:
            pass
    return {
        "filename": name,
        "file_type": kind,
        "cdn_url": f"{base_url}cdn/uploads/{digest}.{extension}",
        "width": width,
        "height": height,
        "hash": digest,
        "size": len(content),
    }


def supported(name: str) -> bool:
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    return any(extension in names for names in SUPPORTED.values())


async def upload(request: Request) -> Response:
    world = world_of(request)
    session = session_of(world, request, request.path_params["session_id"])
    if isinstance(session, JSONResponse):
        return session
    session.uploads += 1
    await asyncio.sleep(world.config.transfer_seconds)
    if session.faults.lose_session_on_upload and session.uploads == 1:
        session.lost = True
        return error(1002, f"session {session.session_id} not found")
    limit = world.config.max_file_bytes
    if session.faults.small_upload_limit:
        limit = world.config.small_upload_limit_bytes
    base_url = str(request.base_url)
    items: list[tuple[str, bytes]] = []
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        async with request.form() as form:
            for part in form.getlist("files"):
                if isinstance(part, UploadFile):
                    items.append((part.filename or "upload", await part.read()))
    else:
        body = await request.json()
        if body.get("source_type") != "url":
            return error(400, "source_type must be url", status=400)
        items = [(PurePosixPath(urlparse(url).path).name, b"") for url in body.get("urls", [])]
    if not items:
        return error(400, "no files", status=400)
    for name, content in items:
        if not supported(name):
            return error(4001, f"unsupported file: {name}", data={"filename": name})
        if len(content) > limit:
            message = f"file too large: {name} ({len(content)} bytes, max {limit})"
            return error(4002, message, data={"filename": name, "size": len(content)})
    described = [describe_file(name, content, base_url) for name, content in items]
    session.files.extend(described)
    return ok({"files": described})


async def credits_balance(request: Request) -> Response:
    world = world_of(request)
    user_id = caller(world, request)
    if isinstance(user_id, JSONResponse):
        return user_id
    available = world.credits(user_id)
    return ok({"available": available, "frozen": 0, "total": available})


def sse(event: dict[str, Any] | None) -> str:
    return "data: \n\n" if event is None else f"data: {json.dumps(event)}\n\n"


async def generation_events(world: World, session: Session) -> AsyncIterator[str]:
    config, faults = world.config, session.faults
    beat = config.heartbeat_seconds
    if faults.heartbeats_first:
        until = time.monotonic() + config.heartbeat_only_seconds
        while time.monotonic() < until:
            yield sse({"type": "heartbeat"})
            await asyncio.sleep(beat / 2)
            yield sse(None)
            await asyncio.sleep(beat / 2)
    if not faults.silent:
        text = f"Turning your {len(session.files)} photos into a video."
        yield sse({"type": "text", "content": text})
    args = {"photos": len(session.files)}
    yield sse({"type": "tool_call", "name": "generate_video", "args": args})
    if faults.drop_stream:
        yield sse({"type": "heartbeat"})
        await asyncio.sleep(beat)
        raise StreamDropped(session.session_id)
    stage1 = world.stage1_at(session) or 0.0
    while time.monotonic() < stage1:
        yield sse({"type": "heartbeat"})
        await asyncio.sleep(beat)
    while faults.endless_stream:
        yield sse({"type": "tool_call", "name": "refine_video", "args": {}})
        await asyncio.sleep(beat)
    yield sse({"type": "tool_result", "name": "generate_video", "result": {"ok": True}})
    if not faults.silent:
        yield sse({"type": "text", "content": "Your video is ready: open the preview in timeline."})
        if faults.trailing_issue:
            yield sse({"type": "text", "content": TEMPORARY_ISSUE})


async def words_events(words: str) -> AsyncIterator[str]:
    yield sse({"type": "text", "content": words})


async def run_sse(request: Request) -> Response:
    world = world_of(request)
    body = await request.json()
    session_id = str(body.get("session_id", ""))
    if body.get("app_name") != "nemo_agent" or body.get("user_id") != "me" or not session_id:
        world.mistake("run_sse_body", session_id, json.dumps(sorted(body)))
        return error(400, "app_name, user_id and session_id are required", status=400)
    session = session_of(world, request, session_id)
    if isinstance(session, JSONResponse):
        return session
    if "text/event-stream" not in request.headers.get("accept", ""):
        world.mistake("no_event_stream_accept", session_id, request.headers.get("accept", ""))
        return error(406, "Accept: text/event-stream is required", status=406)
    parts = body.get("new_message", {}).get("parts", [])
    prompt = " ".join(str(part.get("text", "")) for part in parts)
    world.apply_prompt(session, prompt)
    if session.faults.lose_session_on_message:
        session.lost = True
        return error(1002, f"session {session_id} not found")
    if session.faults.rate_limit and not session.rate_limited:
        session.rate_limited = True
        headers = {"Retry-After": str(world.config.retry_after_seconds)}
        return JSONResponse({"code": 429, "message": "rate limited"}, 429, headers=headers)
    if words := world.words_instead(session):
        return StreamingResponse(words_events(words), media_type="text/event-stream")
    if not world.accept_message(session, prompt):
        bind = f"?bind={session.user_id}"
        return error(2001, "no credits", data={"bind": bind, "user_id": session.user_id})
    if session.faults.message_error:
        return JSONResponse({"code": 502, "message": "bad gateway"}, 502)
    return StreamingResponse(generation_events(world, session), media_type="text/event-stream")


async def state(request: Request) -> Response:
    world = world_of(request)
    session_id = request.path_params["session_id"]
    session = session_of(world, request, session_id)
    if isinstance(session, JSONResponse):
        return session
    session.state_polls += 1
    if session.faults.expire_token and session.state_polls == 1:
        world.expire_token(token_of(request) or "")
        return error(1001, "token invalid or expired", status=401)
    draft = world.draft(session)
    generated = any(track["sg"] for track in draft["t"])
    media = [{"type": "video", "duration_ms": draft["m"]["duration_ms"]}] if generated else []
    return ok(
        {
            "user_id": session.user_id,
            "state": {
                "draft": draft,
                "video_infos": list(session.files),
                "generated_media": media,
                "canvas_config": {"width": 1080, "height": 1920},
                "video_analyses": [],
            },
        }
    )


async def start_render(request: Request) -> Response:
    world = world_of(request)
    body = await request.json()
    session_id = str(body.get("sessionId") or body.get("session_id") or "")
    if "session_id" in body:
        world.mistake("snake_case_session_id", session_id, "export body used session_id")
    if not has_attribution(request):
        world.mistake("missing_attribution", session_id, request.url.path)
        return JSONResponse({"success": False, "error": "payment required"}, 402)
    session = session_of(world, request, session_id)
    if isinstance(session, JSONResponse):
        return session
    if session.faults.export_blocked:
        return JSONResponse({"success": False, "error": "export needs a paid plan"}, 402)
    if not world.stage2_done(session):
        world.mistake("early_export", session_id, "export before stage 2 finished")
    if problem := export_body_problem(body):
        world.mistake("export_body", session_id, problem)
        return JSONResponse({"success": False, "error": problem}, 400)
    render_id = str(body.get("id", ""))
    render = world.new_render(render_id, session)
    if render is None:
        return JSONResponse({"success": False, "error": f"duplicate id {render_id}"}, 409)
    return JSONResponse({"success": True, "data": {"id": render_id, "status": "pending"}})


def export_body_problem(body: dict[str, Any]) -> str | None:
    """What is wrong with an export body: its id, draft or output; None when it is right."""
    render_id = body.get("id")
    if not isinstance(render_id, str) or not render_id.startswith("render_"):
        return "id must be a string starting with render_"
    draft = body.get("draft")
    if not isinstance(draft, dict) or not isinstance(draft.get("t"), list):
        return "draft must be the session's draft (an object with tracks t)"
    if not any(isinstance(track, dict) and track.get("sg") for track in draft["t"]):
        return "draft has no track with segments"
    output = body.get("output")
    if not isinstance(output, dict) or output.get("format") not in EXPORT_FORMATS:
        return f"output.format must be one of {sorted(EXPORT_FORMATS)}"
    if output.get("quality") not in {"low", "medium", "high"}:
        return "output.quality must be low, medium or high"
    return None


def render_of(world: World, request: Request) -> Render | JSONResponse:
    user_id = caller(world, request)
    if isinstance(user_id, JSONResponse):
        return user_id
    render = world.renders.get(request.path_params["render_id"])
    if render is None:
        return JSONResponse({"success": False, "error": "render not found"}, 404)
    return render


async def render_status(request: Request) -> Response:
    world = world_of(request)
    render = render_of(world, request)
    if isinstance(render, JSONResponse):
        return render
    status = world.render_status(render)
    faults = world.sessions[render.session_id].faults
    base = UNREACHABLE + "/" if faults.output_unreachable else str(request.base_url)
    url = f"{base}cdn/renders/{render.render_id}.mp4" if status == "completed" else None
    progress = {"pending": 0, "processing": 50}.get(status, 100)
    if faults.render_top_level:
        return JSONResponse(
            {
                "success": True,
                "id": render.render_id,
                "status": status,
                "progress": progress,
                "output": {"url": url} if url else None,
            }
        )
    data = {"id": render.render_id, "status": status, "progress": progress, "outputUrl": url}
    return JSONResponse({"success": True, "data": data})


async def cancel_render(request: Request) -> Response:
    world = world_of(request)
    render = render_of(world, request)
    if isinstance(render, JSONResponse):
        return render
    render.cancelled = True
    return JSONResponse({"success": True, "data": {"id": render.render_id, "status": "cancelled"}})


async def download(request: Request) -> Response:
    world = world_of(request)
    render = render_of(world, request)
    if isinstance(render, JSONResponse):
        return render
    if not world.render_completed(render):
        return JSONResponse({"success": False, "error": "render not completed"}, 409)
    await asyncio.sleep(world.config.transfer_seconds)
    if world.sessions[render.session_id].faults.download_redirects:
        elsewhere = request.base_url.replace(hostname="localhost")
        return RedirectResponse(f"{elsewhere}cdn/renders/{render.render_id}.mp4", 302)
    return Response(sample_mp4(), media_type="video/mp4")


async def cdn_render(request: Request) -> Response:
    world = world_of(request)
    render_id = request.path_params["render_id"]
    if "authorization" in request.headers:
        world.mistake("token_sent_to_cdn", "", request.url.path)
    if render_id not in world.renders:
        return Response(status_code=404)
    await asyncio.sleep(world.config.transfer_seconds)
    return Response(sample_mp4(), media_type="video/mp4")


async def fake_stats(request: Request) -> Response:
    return JSONResponse(world_of(request).stats())


def create_app(world: World) -> Starlette:
    routes = [
        Route("/api/auth/anonymous-token", anonymous_token, methods=["POST"]),
        Route("/api/tasks/me/with-session/nemo_agent", create_session, methods=["POST"]),
        Route("/api/upload-video/nemo_agent/me/{session_id}", upload, methods=["POST"]),
        Route("/api/credits/balance/simple", credits_balance, methods=["GET"]),
        Route("/run_sse", run_sse, methods=["POST"]),
        Route("/api/state/nemo_agent/me/{session_id}/latest", state, methods=["GET"]),
        Route("/api/render/proxy/lambda", start_render, methods=["POST"]),
        Route("/api/render/proxy/lambda/{render_id}", render_status, methods=["GET"]),
        Route("/api/render/proxy/lambda/{render_id}/cancel", cancel_render, methods=["POST"]),
        Route("/api/render/proxy/{render_id}/download", download, methods=["GET"]),
        Route("/cdn/renders/{render_id}.mp4", cdn_render, methods=["GET"]),
        Route("/_fake/stats", fake_stats, methods=["GET"]),
    ]
    app = Starlette(routes=routes)
    app.state.world = world
    return app
