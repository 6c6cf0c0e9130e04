"""The stub itself, spoken to over raw HTTP: what it answers and which mistakes it books."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from worker.backends.nemo.stub.server import FakeNemo
from worker.backends.nemo.stub.world import FakeConfig, Faults

ATTRIBUTION = {"X-Skill-Source": "t", "X-Skill-Version": "1", "X-Skill-Platform": "p"}
STREAM = {"Accept": "text/event-stream"}
CLIP = {"t": [{"tt": 0, "sg": [{"d": 3000, "m": {}}], "m": {}}], "m": {}}
OUTPUT = {"draft": CLIP, "output": {"format": "mp4", "quality": "high"}}


def anonymous(fake: FakeNemo, client_id: str = "client-1") -> dict[str, Any]:
    headers = {**ATTRIBUTION, "X-Client-Id": client_id}
    response = httpx.post(f"{fake.url}/api/auth/anonymous-token", headers=headers)
    response.raise_for_status()
    return response.json()["data"]


def authed(fake: FakeNemo, client_id: str = "client-1") -> dict[str, str]:
    return {**ATTRIBUTION, "Authorization": f"Bearer {anonymous(fake, client_id)['token']}"}


def new_session(fake: FakeNemo, headers: dict[str, str], task_name: str = "t") -> str:
    url = f"{fake.url}/api/tasks/me/with-session/nemo_agent"
    response = httpx.post(url, headers=headers, json={"task_name": task_name, "language": "en"})
    return response.json()["data"]["session_id"]


def message_body(session_id: str, text: str = "make a video") -> dict[str, Any]:
    return {
        "app_name": "nemo_agent",
        "user_id": "me",
        "session_id": session_id,
        "new_message": {"parts": [{"text": text}]},
    }


def send(
    fake: FakeNemo, headers: dict[str, str], session_id: str, text: str = "make a video"
) -> httpx.Response:
    body = message_body(session_id, text)
    return httpx.post(f"{fake.url}/run_sse", headers={**STREAM, **headers}, json=body, timeout=10)


def export(fake: FakeNemo, headers: dict[str, str], body: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{fake.url}/api/render/proxy/lambda", headers=headers, json=body)


def test_anonymous_token_needs_a_client_id(fake_nemo: FakeNemo) -> None:
    response = httpx.post(f"{fake_nemo.url}/api/auth/anonymous-token", headers=ATTRIBUTION)
    assert response.status_code == 400


def test_one_token_per_client_id_and_a_new_one_after_expiry(fake_nemo: FakeNemo) -> None:
    first = anonymous(fake_nemo)
    assert first["token"].startswith("nmv_usr_")
    assert first["credits"] == 100
    assert anonymous(fake_nemo)["token"] == first["token"]
    fake_nemo.world.expire_all_tokens()
    renewed = anonymous(fake_nemo)
    assert renewed["token"] != first["token"]
    assert renewed["user_id"] == first["user_id"]
    assert fake_nemo.stats()["tokens_issued"] == 2


def test_too_many_client_ids_are_rate_limited(fake_config: FakeConfig) -> None:
    from worker.backends.nemo.stub.server import running

    fake_config.tokens_per_ip = 1
    with running(fake_config) as fake:
        anonymous(fake, "a")
        headers = {**ATTRIBUTION, "X-Client-Id": "b"}
        response = httpx.post(f"{fake.url}/api/auth/anonymous-token", headers=headers)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "0"


def test_calls_without_token_or_attribution_are_booked(fake_nemo: FakeNemo) -> None:
    response = httpx.get(f"{fake_nemo.url}/api/credits/balance/simple")
    assert response.status_code == 401
    assert response.json()["code"] == 1001
    kinds = {mistake["kind"] for mistake in fake_nemo.mistakes}
    assert kinds == {"missing_attribution", "missing_authorization"}


def test_generation_charges_once_per_accepted_message_and_books_a_resend(
    fake_nemo: FakeNemo,
) -> None:
    headers = authed(fake_nemo)
    fake_nemo.world.set_credits(fake_nemo.world.tokens[headers["Authorization"][7:]], 500)
    session_id = new_session(fake_nemo, headers)
    assert fake_nemo.charges(session_id) == 0
    first = send(fake_nemo, headers, session_id)
    assert first.headers["content-type"].startswith("text/event-stream")
    assert '"type": "text"' in first.text
    assert fake_nemo.charges(session_id) == 1
    send(fake_nemo, headers, session_id)
    assert fake_nemo.charges(session_id) == 2
    assert [mistake["kind"] for mistake in fake_nemo.mistakes] == ["resend"]


def test_no_credits_answers_2001_with_the_bind_id(fake_nemo: FakeNemo) -> None:
    headers = authed(fake_nemo)
    session_id = new_session(fake_nemo, headers)
    fake_nemo.world.set_credits(fake_nemo.world.tokens[headers["Authorization"][7:]], 50)
    body = send(fake_nemo, headers, session_id).json()
    assert body["code"] == 2001
    assert body["data"]["bind"].startswith("?bind=anon_")
    assert fake_nemo.stats()["total_charges"] == 0


def test_uploads_check_type_and_size(fake_nemo: FakeNemo) -> None:
    fake_nemo.world.config.faults["small"] = Faults(small_upload_limit=True)
    headers = authed(fake_nemo)
    session_id = new_session(fake_nemo, headers, "small-job")
    url = f"{fake_nemo.url}/api/upload-video/nemo_agent/me/{session_id}"
    good = httpx.post(url, headers=headers, files=[("files", ("a.png", b"x" * 10))])
    assert good.json()["data"]["files"][0]["filename"] == "a.png"
    bad_type = httpx.post(url, headers=headers, files=[("files", ("a.tiff", b"x"))])
    assert bad_type.json()["code"] == 4001
    too_big = httpx.post(url, headers=headers, files=[("files", ("b.jpg", b"x" * 2000))])
    assert too_big.json()["code"] == 4002
    assert "2000 bytes" in too_big.json()["message"]
    by_url = httpx.post(
        url, headers=headers, json={"urls": ["https://x.test/c.webp"], "source_type": "url"}
    )
    assert by_url.json()["data"]["files"][0]["file_type"] == "image"


def test_export_mistakes_are_booked(fake_nemo: FakeNemo) -> None:
    headers = authed(fake_nemo)
    session_id = new_session(fake_nemo, headers)
    draft = CLIP
    no_attribution = {"Authorization": headers["Authorization"]}
    blocked = export(fake_nemo, no_attribution, {"id": "render_1", "sessionId": session_id})
    assert blocked.status_code == 402
    early = export(
        fake_nemo,
        headers,
        {"id": "render_2", "session_id": session_id, "draft": draft, "output": OUTPUT["output"]},
    )
    assert early.json()["success"] is True
    reused = export(fake_nemo, headers, {"id": "render_2", "sessionId": session_id, **OUTPUT})
    assert reused.status_code == 409
    kinds = [mistake["kind"] for mistake in fake_nemo.mistakes]
    assert kinds == [
        "missing_attribution",
        "snake_case_session_id",
        "early_export",
        "early_export",
        "render_id_reused",
    ]


@pytest.mark.parametrize("top_level", [False, True])
def test_render_goes_pending_processing_completed_in_either_shape(
    fake_nemo: FakeNemo, top_level: bool
) -> None:
    fake_nemo.world.config.default_faults = Faults(render_top_level=top_level)
    headers = authed(fake_nemo)
    session_id = new_session(fake_nemo, headers)
    send(fake_nemo, headers, session_id)
    time.sleep(0.5)
    export(fake_nemo, headers, {"id": "render_a", "sessionId": session_id, **OUTPUT})
    answers = [
        httpx.get(f"{fake_nemo.url}/api/render/proxy/lambda/render_a", headers=headers).json()
        for _ in range(3)
    ]
    shown = [answer["status"] if top_level else answer["data"]["status"] for answer in answers]
    assert shown == ["pending", "processing", "completed"]
    url = answers[-1]["output"]["url"] if top_level else answers[-1]["data"]["outputUrl"]
    assert httpx.get(url).content[4:8] == b"ftyp"
    assert fake_nemo.mistakes == []


def test_download_fallback_needs_the_token_and_cancel_stops_a_render(fake_nemo: FakeNemo) -> None:
    headers = authed(fake_nemo)
    session_id = new_session(fake_nemo, headers)
    send(fake_nemo, headers, session_id)
    time.sleep(0.5)
    for render_id in ("render_done", "render_stop"):
        export(fake_nemo, headers, {"id": render_id, "sessionId": session_id, **OUTPUT})
    status_url = f"{fake_nemo.url}/api/render/proxy/lambda/render_done"
    for _ in range(3):
        httpx.get(status_url, headers=headers)
    download = f"{fake_nemo.url}/api/render/proxy/render_done/download"
    assert httpx.get(download, headers=ATTRIBUTION).status_code == 401
    assert httpx.get(download, headers=headers).content[4:8] == b"ftyp"
    cancel = f"{fake_nemo.url}/api/render/proxy/lambda/render_stop/cancel"
    assert httpx.post(cancel, headers=headers).json()["data"]["status"] == "cancelled"
    stopped = httpx.get(f"{fake_nemo.url}/api/render/proxy/lambda/render_stop", headers=headers)
    assert stopped.json()["data"]["status"] == "cancelled"


def test_state_shows_stage_1_then_stage_2(fake_nemo: FakeNemo) -> None:
    fake_nemo.world.config.stage1_seconds = fake_nemo.world.config.stage2_seconds = 0.6
    headers = authed(fake_nemo)
    session_id = new_session(fake_nemo, headers)
    url = f"{fake_nemo.url}/api/state/nemo_agent/me/{session_id}/latest"
    with httpx.stream(
        "POST",
        f"{fake_nemo.url}/run_sse",
        headers={**STREAM, **headers},
        json=message_body(session_id, "go"),
    ) as stream:
        before = httpx.get(url, headers=headers).json()["data"]["state"]
        assert before["draft"]["t"] == [{"tt": 0, "sg": [], "m": {}}], "the protocol's empty draft"
        assert before["generated_media"] == []
        stream.read()
    stage1 = httpx.get(url, headers=headers).json()["data"]["state"]["draft"]["t"]
    assert [track["tt"] for track in stage1] == [0]
    time.sleep(0.7)
    stage2 = httpx.get(url, headers=headers).json()["data"]["state"]["draft"]["t"]
    assert [track["tt"] for track in stage2] == [0, 1, 7]


def test_a_dropped_stream_breaks_the_connection_but_not_the_generation(
    fake_nemo: FakeNemo,
) -> None:
    headers = authed(fake_nemo)
    session_id = new_session(fake_nemo, headers, "x-nemofault-drop-stream")
    with pytest.raises(httpx.RemoteProtocolError):
        send(fake_nemo, headers, session_id)
    time.sleep(0.6)
    url = f"{fake_nemo.url}/api/state/nemo_agent/me/{session_id}/latest"
    tracks = httpx.get(url, headers=headers).json()["data"]["state"]["draft"]["t"]
    assert [track["tt"] for track in tracks] == [0, 1, 7]
    assert fake_nemo.charges(session_id) == 1


def test_stats_endpoint(fake_nemo: FakeNemo) -> None:
    stats = httpx.get(f"{fake_nemo.url}/_fake/stats").json()
    assert stats == fake_nemo.stats()
    assert stats["total_charges"] == 0


def test_markers_in_the_prompt_switch_faults_on(fake_nemo: FakeNemo) -> None:
    headers = authed(fake_nemo)
    session_id = new_session(fake_nemo, headers)
    answer = send(fake_nemo, headers, session_id, "a reel nemofault-silent-nemofault-no-credits")
    assert answer.json()["code"] == 2001
    faults = fake_nemo.world.sessions[session_id].faults
    assert (faults.silent, faults.no_credits, faults.drop_stream) == (True, True, False)


def test_the_token_sent_to_output_url_is_booked(fake_nemo: FakeNemo) -> None:
    headers = authed(fake_nemo)
    session_id = new_session(fake_nemo, headers)
    send(fake_nemo, headers, session_id)
    export(fake_nemo, headers, {"id": "render_cdn", "sessionId": session_id, **OUTPUT})
    httpx.get(f"{fake_nemo.url}/cdn/renders/render_cdn.mp4", headers=headers)
    assert fake_nemo.mistakes[-1]["kind"] == "token_sent_to_cdn"


def test_serve_runs_the_stub_as_a_process() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = f"from worker.backends.nemo.stub import serve; serve('127.0.0.1', {port})"
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=root, env=env, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(100):
            try:
                stats = httpx.get(f"http://127.0.0.1:{port}/_fake/stats").json()
                break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            pytest.fail("the stub did not come up")
        assert stats["total_charges"] == 0
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_every_token_request_counts_and_repeats_are_refused_past_the_limit(
    fake_config: FakeConfig,
) -> None:
    from worker.backends.nemo.stub.server import running

    fake_config.tokens_per_ip = 2
    with running(fake_config) as fake:
        first = anonymous(fake)
        assert anonymous(fake)["token"] == first["token"]
        headers = {**ATTRIBUTION, "X-Client-Id": "client-1"}
        refused = httpx.post(f"{fake.url}/api/auth/anonymous-token", headers=headers)
        stats = fake.stats()
    assert refused.status_code == 429
    assert stats["token_requests"] == 3 and stats["tokens_issued"] == 1
    assert [mistake["kind"] for mistake in stats["mistakes"]] == ["token_asked_again"]


def test_a_question_starts_nothing_and_the_answer_generates_once(fake_nemo: FakeNemo) -> None:
    headers = authed(fake_nemo)
    session_id = new_session(fake_nemo, headers, "q-nemofault-asks-question")
    question = send(fake_nemo, headers, session_id)
    assert "?" in question.text and "tool_call" not in question.text
    assert fake_nemo.charges(session_id) == 0
    answered = send(fake_nemo, headers, session_id, "9:16, lo-fi, 6 seconds")
    assert "generate_video" in answered.text
    assert fake_nemo.charges(session_id) == 1
    assert fake_nemo.mistakes == []


def test_a_second_paid_message_for_a_task_in_another_session_is_a_resend(
    fake_nemo: FakeNemo,
) -> None:
    headers = authed(fake_nemo)
    fake_nemo.world.set_credits(fake_nemo.world.tokens[headers["Authorization"][7:]], 500)
    for _ in range(2):
        send(fake_nemo, headers, new_session(fake_nemo, headers, "job-1"))
    assert [mistake["kind"] for mistake in fake_nemo.mistakes] == ["resend_across_sessions"]


def test_a_message_without_the_event_stream_accept_header_is_refused(
    fake_nemo: FakeNemo,
) -> None:
    headers = authed(fake_nemo)
    session_id = new_session(fake_nemo, headers)
    body = message_body(session_id)
    answer = httpx.post(f"{fake_nemo.url}/run_sse", headers=headers, json=body)
    assert answer.status_code == 406
    assert fake_nemo.charges(session_id) == 0
    assert [mistake["kind"] for mistake in fake_nemo.mistakes] == ["no_event_stream_accept"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"id": "job-1"}, "id must"),
        ({"draft": {}}, "draft must"),
        ({"draft": {"t": [{"tt": 0, "sg": []}]}}, "no track with segments"),
        ({"output": {"format": "gif", "quality": "high"}}, "output.format"),
        ({"output": {"format": "mp4"}}, "output.quality"),
    ],
)
def test_a_wrong_export_body_is_refused_and_booked(
    fake_nemo: FakeNemo, change: dict[str, Any], problem: str
) -> None:
    headers = authed(fake_nemo)
    session_id = new_session(fake_nemo, headers)
    body = {"id": "render_x", "sessionId": session_id, **OUTPUT, **change}
    answer = export(fake_nemo, headers, body)
    assert answer.status_code == 400 and problem in answer.json()["error"]
    assert "export_body" in [mistake["kind"] for mistake in fake_nemo.mistakes]
