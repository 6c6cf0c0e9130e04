from redis import Redis

from tests.conftest import claim_stage, run_stages
from worker.job.progress import NOTE_CHARS, StageProgress, note_reporter, throttled_reporter
from worker.job.spec import JobSpec
from worker.job.states import Stage
from worker.job.store import JobStore


def test_percent_and_time_left_come_from_the_pace_so_far() -> None:
    progress = StageProgress("export", done=30, total=120, started_at=100.0, at=110.0)
    assert progress.percent == 25.0
    assert progress.eta_seconds == 30.0
    assert progress.label() == "25% ~30s"
    assert StageProgress("export", 0, 120, 100.0, 100.0).label() == "0%"


def test_the_reporter_writes_the_first_and_last_call_and_little_in_between() -> None:
    written: list[StageProgress] = []
    report = throttled_reporter("export", written.append, every=3600)
    for done in range(1, 101):
        report(done, 100)
    assert [progress.done for progress in written] == [1, 100]


def test_a_running_stage_shows_its_progress_and_a_finished_one_does_not(
    fake_redis: Redis,
) -> None:
    store = JobStore(fake_redis)
    store.create(JobSpec(id="j", photos=["/a.jpg"]), out="/out", batch="b")
    run_stages(store, "j", list(Stage)[:4])
    export = claim_stage(store, "j", Stage.EXPORT)
    export.report_progress(StageProgress("export", 45, 90, 10.0, 19.0))
    state = store.get("j")
    assert state is not None and state.progress is not None
    assert (state.progress.percent, state.progress.eta_seconds) == (50.0, 9.0)

    export.finish_stage(9.5)

    after = store.get("j")
    assert after is not None and after.progress is None


def test_words_are_shown_on_one_line_cut_to_size(fake_redis: Redis) -> None:
    store = JobStore(fake_redis)
    store.create(JobSpec(id="j", photos=["/a.jpg"]), out="/out", batch="b")
    run_stages(store, "j", list(Stage)[:2])
    generate = claim_stage(store, "j", Stage.GENERATE)
    say = note_reporter("generate", generate.report_progress)
    say("Adding\nmusic " + "and a title " * 20)
    state = store.get("j")
    assert state is not None and state.progress is not None
    note = state.progress.note
    assert note.startswith("Adding music and a title") and "\n" not in note
    assert len(note) <= NOTE_CHARS and note.endswith("…")
    assert state.progress.label() == ""


def test_words_are_written_at_most_once_a_second() -> None:
    written: list[StageProgress] = []
    say = note_reporter("generate", written.append)
    for index in range(50):
        say(f"waiting for the draft {index}s")
    assert [progress.note for progress in written] == ["waiting for the draft 0s"]
