"""The cloud's render of the final draft (export, free) and its video brought home (download):
render ids, bounded polling, one retry with a new id, the download fallback, and the asked
container delivered."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import NoReturn

from config.logging import get_logger
from worker.backends.base import StageContext
from worker.backends.nemo.client import NemoClient, NemoError, RenderStatus
from worker.backends.nemo.delivery import asked_shape, deliver, shape_warnings
from worker.backends.nemo.settings import NemoSettings
from worker.job.errors import JobFailed
from worker.media.probe import probe_video

log = get_logger(__name__)

RENDER_ATTEMPTS = 2
RENDER_DONE = {"completed", "failed", "cancelled", "error", "missing"}
SESSION_LOST = 1002


def new_render_id() -> str:
    return f"render_{int(time.time() * 1000)}_{uuid.uuid4().hex[:8]}"


def lost_after_send(ctx: StageContext) -> NoReturn:
    """The session is gone after the paid message went out: never sent again."""
    raise JobFailed(
        "NemoVideo lost the session after the paid generation was sent (1002); it is not"
        f" sent again (check {ctx.checkpoint.get('task_link')})"
    )


def render(ctx: StageContext, client: NemoClient) -> None:
    """Render the final draft: one render id at a time, a failed one tried again once with a
    new id; a render already completed is not started again."""
    session_id = ctx.checkpoint["message_sent"]["session_id"]
    renders = list(ctx.checkpoint.get("renders") or [])
    if renders and poll_render(ctx, client, renders[-1]).status == "completed":
        return
    while len(renders) < RENDER_ATTEMPTS:
        render_id = new_render_id()
        renders.append(render_id)
        ctx.record("renders", list(renders))
        ctx.record("render_id", render_id)
        try:
            client.start_render(render_id, session_id, ctx.checkpoint["draft"])
        except NemoError as error:
            if error.code == SESSION_LOST:
                lost_after_send(ctx)
            log.warning("render refused", render_id=render_id, error=str(error))
            continue
        status = poll_render(ctx, client, render_id)
        if status.status == "completed":
            return
        log.warning("render ended", render_id=render_id, status=status.status)
    raise JobFailed(f"NemoVideo render failed {RENDER_ATTEMPTS} times ({', '.join(renders)})")


def poll_render(ctx: StageContext, client: NemoClient, render_id: str) -> RenderStatus:
    settings: NemoSettings = ctx.backend_settings
    for _ in range(settings.nemo_render_polls):
        time.sleep(settings.nemo_poll_seconds)
        try:
            status = client.render_status(render_id)
        except NemoError:
            return RenderStatus("missing", None)
        if status.status in RENDER_DONE:
            return status
    try:
        client.cancel_render(render_id)
    except NemoError as error:
        log.info("cancelling the render failed", render_id=render_id, error=str(error))
    return RenderStatus("timed_out", None)


def fetch_render(ctx: StageContext, client: NemoClient) -> Path:
    """The rendered video (from its URL, else the download fallback), delivered in the asked
    container, its shape checked against what was asked."""
    render_id = ctx.checkpoint["render_id"]
    target = ctx.workdir / f"{ctx.spec.id}.mp4"
    status = client.render_status(render_id)
    if status.url and client.fetch_output(status.url, target):
        source = "output_url"
    else:
        client.fetch_fallback(render_id, target)
        source = "download_fallback"
    ctx.record("download", {"source": source, "bytes": target.stat().st_size})
    options = ctx.spec.options
    delivered, how = deliver(target, options)
    probe = probe_video(delivered)
    facts = {key: getattr(probe, key) for key in ("width", "height", "fps", "duration")}
    ctx.record("delivered", {"container": options.container.value, "how": how, **facts})
    warnings = shape_warnings(probe, asked_shape(ctx.spec.prompt, options, ctx.settings))
    earlier = list(ctx.checkpoint.get("warnings") or [])
    ctx.record("warnings", list(dict.fromkeys(earlier + warnings)))
    for warning in warnings:
        log.warning("the delivered video differs from the request", difference=warning)
    return delivered
