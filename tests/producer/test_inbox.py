from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from producer.inbox import ERROR_FILE, READY_MARKER, Inbox
from tests.conftest import FakeClock, make_photo
from tests.producer.conftest import end_job, queued_messages
from worker.job import keys
from worker.job.store import JobStore

SETTLE = 2.0


@pytest.fixture
def inbox_root(tmp_path: Path) -> Path:
    root = tmp_path / "inbox"
    root.mkdir()
    return root


def make_inbox(root: Path, store: JobStore, clock: FakeClock, **kwargs: float) -> Inbox:
    settings = {"settle_seconds": SETTLE, "rescan_seconds": 60.0, **kwargs}
    return Inbox(
        root, store, out=str(root.parent / "out"), batch="b1", overrides={}, clock=clock, **settings
    )


def drop_folder(root: Path, name: str = "shoot", photos: int = 2) -> Path:
    folder = root / name
    folder.mkdir()
    for index in range(photos):
        make_photo(folder / f"{index}.jpg", size=(64, 48), seed=index)
    (folder / "prompt.txt").write_text("5 seconds, square")
    return folder


def job_ids(store: JobStore) -> list[str]:
    return [state.spec.id for state in store.batch_jobs("b1")]


def test_folder_becomes_a_job_only_when_its_files_settle(
    inbox_root: Path, queue_store: JobStore
) -> None:
    clock = FakeClock()
    inbox = make_inbox(inbox_root, queue_store, clock)
    folder = drop_folder(inbox_root)
    inbox.scan()
    clock.advance(SETTLE - 0.1)
    with open(folder / "1.jpg", "ab") as growing:
        growing.write(b"\0" * 10)
    inbox.scan()
    clock.advance(SETTLE - 0.1)
    inbox.scan()
    assert job_ids(queue_store) == []
    clock.advance(0.2)
    inbox.scan()
    [job_id] = job_ids(queue_store)
    assert job_id.startswith("shoot-")
    state = queue_store.get(job_id)
    assert state is not None
    assert state.spec.prompt == "5 seconds, square" and len(state.spec.photos) == 2
    assert state.spec.source.kind == "inbox"
    assert queued_messages(queue_store) == 1
    [claim] = queue_store.redis.keys(keys.inbox_claim("*"))
    assert 0 < queue_store.redis.ttl(claim) <= queue_store.retention_seconds


def test_ready_marker_short_circuits_the_settle_wait(
    inbox_root: Path, queue_store: JobStore
) -> None:
    inbox = make_inbox(inbox_root, queue_store, FakeClock())
    folder = drop_folder(inbox_root)
    inbox.scan()
    assert job_ids(queue_store) == []
    (folder / READY_MARKER).touch()
    inbox.scan()
    assert len(job_ids(queue_store)) == 1


def test_duplicate_events_and_two_watchers_enqueue_once(
    inbox_root: Path, queue_store: JobStore
) -> None:
    clock = FakeClock()
    first = make_inbox(inbox_root, queue_store, clock)
    second = make_inbox(inbox_root, queue_store, clock)
    folder = drop_folder(inbox_root)
    for _ in range(5):
        for watcher in (first, second):
            watcher.notice(folder / "0.jpg")
            watcher.notice(folder)
            watcher.scan()
    clock.advance(SETTLE)
    for _ in range(3):
        for watcher in (first, second):
            watcher.notice(folder / "1.jpg")
            watcher.scan()
    assert len(job_ids(queue_store)) == 1
    assert queued_messages(queue_store) == 1


def test_restart_mid_copy_still_makes_one_job(inbox_root: Path, queue_store: JobStore) -> None:
    clock = FakeClock()
    before_restart = make_inbox(inbox_root, queue_store, clock)
    folder = drop_folder(inbox_root, photos=1)
    before_restart.scan()
    clock.advance(SETTLE / 2)
    make_photo(folder / "1.jpg", size=(64, 48), seed=1)  # the copy goes on while restarting
    after_restart = make_inbox(inbox_root, queue_store, clock)
    after_restart.scan()
    clock.advance(SETTLE)
    after_restart.scan()
    before_restart.scan()  # the old process, had it not died, sees the same folder: no new job
    [job_id] = job_ids(queue_store)
    state = queue_store.get(job_id)
    assert state is not None and len(state.spec.photos) == 2
    assert queued_messages(queue_store) == 1


def test_restarted_watcher_moves_the_folder_of_a_job_started_before(
    inbox_root: Path, queue_store: JobStore
) -> None:
    clock = FakeClock()
    folder = drop_folder(inbox_root)
    (folder / READY_MARKER).touch()
    make_inbox(inbox_root, queue_store, clock).scan()
    [job_id] = job_ids(queue_store)
    restarted = make_inbox(inbox_root, queue_store, clock)
    restarted.scan()
    assert queued_messages(queue_store) == 1
    end_job(queue_store, job_id)
    restarted.scan()
    assert (inbox_root / "done" / "shoot" / "0.jpg").is_file()


def test_folder_whose_video_was_made_before_is_filed_without_a_new_job(
    inbox_root: Path, queue_store: JobStore
) -> None:
    folder = drop_folder(inbox_root)
    (folder / READY_MARKER).touch()
    make_inbox(inbox_root, queue_store, FakeClock()).scan()
    [state] = queue_store.batch_jobs("b1")
    report = {"status": "succeeded", "spec": state.spec.model_dump(mode="json")}
    (Path(state.out) / state.spec.id).mkdir(parents=True)
    (Path(state.out) / state.spec.id / "report.json").write_text(json.dumps(report))
    queue_store.redis.flushdb()  # a self-contained watcher restarts with an empty Redis
    make_inbox(inbox_root, queue_store, FakeClock()).scan()
    assert queue_store.batch_jobs("b1") == [] and queued_messages(queue_store) == 0
    assert (inbox_root / "done" / "shoot" / "0.jpg").is_file()


def test_folder_moved_in_by_rename_is_taken_and_hidden_folders_are_not(
    inbox_root: Path, queue_store: JobStore
) -> None:
    clock = FakeClock()
    inbox = make_inbox(inbox_root, queue_store, clock)
    staging = drop_folder(inbox_root, ".incoming")
    inbox.scan()
    clock.advance(SETTLE)
    inbox.scan()
    assert job_ids(queue_store) == []
    staging.rename(inbox_root / "arrived")
    inbox.notice(inbox_root / "arrived")
    inbox.scan()
    clock.advance(SETTLE)
    inbox.scan()
    [job_id] = job_ids(queue_store)
    assert job_id.startswith("arrived-")


def test_ended_jobs_move_their_folders_to_done_and_failed(
    inbox_root: Path, queue_store: JobStore
) -> None:
    inbox = make_inbox(inbox_root, queue_store, FakeClock())
    for name in ("good", "bad"):
        (drop_folder(inbox_root, name) / READY_MARKER).touch()
    inbox.scan()
    jobs = {job_id.split("-")[0]: job_id for job_id in job_ids(queue_store)}
    end_job(queue_store, jobs["good"])
    end_job(queue_store, jobs["bad"], error="cannot decode image", file="1.jpg")
    inbox.scan()
    assert sorted(path.name for path in (inbox_root / "done" / "good").iterdir()) == [
        ".ready", "0.jpg", "1.jpg", "prompt.txt"
    ]  # fmt: skip
    error = (inbox_root / "failed" / "bad" / ERROR_FILE).read_text()
    assert "1.jpg: cannot decode image" in error and jobs["bad"] in error
    assert sorted(path.name for path in inbox_root.iterdir()) == ["done", "failed"]


def test_second_folder_of_the_same_name_gets_its_own_job_and_place(
    inbox_root: Path, queue_store: JobStore
) -> None:
    inbox = make_inbox(inbox_root, queue_store, FakeClock())
    for _ in range(2):  # the same file names, written anew
        folder = drop_folder(inbox_root, "shoot")
        (folder / READY_MARKER).touch()
        inbox.notice(folder / READY_MARKER)
        inbox.scan()
        end_job(queue_store, job_ids(queue_store)[-1])
        inbox.scan()
    assert len(set(job_ids(queue_store))) == 2
    assert sorted(path.name for path in (inbox_root / "done").iterdir()) == ["shoot", "shoot-2"]


def test_job_yaml_options_apply(inbox_root: Path, queue_store: JobStore) -> None:
    inbox = make_inbox(inbox_root, queue_store, FakeClock())
    folder = drop_folder(inbox_root)
    (folder / "song.mp3").write_bytes(b"ID3")
    (folder / "job.yaml").write_text("aspect: '9:16'\ntitle: Summer\nmusic: song.mp3\n")
    (folder / READY_MARKER).touch()
    inbox.scan()
    [state] = queue_store.batch_jobs("b1")
    assert state.spec.options.aspect == "9:16" and state.spec.options.title == "Summer"
    assert state.spec.options.music == str((folder / "song.mp3").resolve())


@pytest.mark.parametrize(
    ("job_yaml", "message"),
    [
        ("duration: 5\naspect: '4:3'\n", "line 2: aspect"),
        ("aspect: [unclosed\n", "not valid YAML"),
        ("music: missing.mp3\n", "line 1: music"),
        (None, "no photos"),
    ],
)
def test_folder_that_cannot_be_a_job_goes_to_failed_with_the_error(
    inbox_root: Path, queue_store: JobStore, job_yaml: str | None, message: str
) -> None:
    inbox = make_inbox(inbox_root, queue_store, FakeClock())
    folder = drop_folder(inbox_root, photos=2 if job_yaml else 0)
    if job_yaml:
        (folder / "job.yaml").write_text(job_yaml)
    (folder / READY_MARKER).touch()
    inbox.scan()
    assert job_ids(queue_store) == []
    assert message in (inbox_root / "failed" / "shoot" / ERROR_FILE).read_text()


def test_same_folder_under_other_options_after_a_restart_goes_to_failed(
    inbox_root: Path, queue_store: JobStore
) -> None:
    (drop_folder(inbox_root) / READY_MARKER).touch()
    make_inbox(inbox_root, queue_store, FakeClock()).scan()
    queue_store.redis.delete(*queue_store.redis.keys(keys.inbox_claim("*")))  # claims lapsed
    restarted = make_inbox(inbox_root, queue_store, FakeClock())
    restarted.overrides = {"aspect": "1:1"}
    restarted.scan()
    assert "exists already" in (inbox_root / "failed" / "shoot" / ERROR_FILE).read_text()
    assert restarted.jobs == {}


def test_an_output_folder_inside_the_inbox_is_not_taken_for_photos(
    inbox_root: Path, queue_store: JobStore
) -> None:
    inbox = Inbox(
        inbox_root,
        queue_store,
        out=str(inbox_root / "videos"),
        batch="b1",
        overrides={},
        settle_seconds=SETTLE,
        rescan_seconds=60.0,
        clock=FakeClock(),
    )
    (drop_folder(inbox_root, "videos") / READY_MARKER).touch()
    inbox.scan()
    assert job_ids(queue_store) == [] and (inbox_root / "videos").is_dir()


def test_empty_folder_waits(inbox_root: Path, queue_store: JobStore) -> None:
    clock = FakeClock()
    inbox = make_inbox(inbox_root, queue_store, clock)
    (inbox_root / "empty").mkdir()
    inbox.scan()
    clock.advance(SETTLE * 3)
    inbox.scan()
    assert (inbox_root / "empty").is_dir() and list(inbox.sightings) == [inbox_root / "empty"]


def test_dropped_events_are_caught_by_the_periodic_rescan(
    inbox_root: Path, queue_store: JobStore
) -> None:
    clock = FakeClock()
    inbox = make_inbox(inbox_root, queue_store, clock, rescan_seconds=30.0)
    inbox.scan()
    (drop_folder(inbox_root) / READY_MARKER).touch()  # no event is reported
    clock.advance(10)
    inbox.scan()
    assert job_ids(queue_store) == []
    clock.advance(20)
    inbox.scan()
    assert len(job_ids(queue_store)) == 1


def chunked_copy(target: Path, data: bytes, *, chunks: int, pause: float) -> None:
    size = len(data) // chunks + 1
    with open(target, "wb") as copy:
        for start in range(0, len(data), size):
            copy.write(data[start : start + size])
            copy.flush()
            time.sleep(pause)


def real_time_inbox(root: Path, store: JobStore, out: Path) -> Inbox:
    return Inbox(
        root, store, out=str(out), batch="b1", overrides={}, settle_seconds=0.6, rescan_seconds=5
    )


def watch_in_thread(inbox: Inbox, *, polling: bool = False) -> Callable[[], None]:
    """Start ``inbox.run`` in a thread; return the function that stops it."""
    stop = threading.Event()
    watching = threading.Thread(target=inbox.run, args=(stop,), kwargs={"polling": polling})
    watching.start()

    def stop_watching() -> None:
        stop.set()
        watching.join()

    return stop_watching


def wait_for_one_job(store: JobStore) -> None:
    deadline = time.monotonic() + 10
    while not job_ids(store) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # long enough for a second job, were one coming


@pytest.mark.parametrize("polling", [False, True], ids=["events", "polling"])
def test_slow_copy_in_real_time_starts_one_job_after_it_ends(
    inbox_root: Path, queue_store: JobStore, tmp_path: Path, polling: bool
) -> None:
    source = make_photo(tmp_path / "big.jpg", size=(320, 240))
    stop_watching = watch_in_thread(
        real_time_inbox(inbox_root, queue_store, tmp_path / "out"), polling=polling
    )
    try:
        (inbox_root / "shoot").mkdir()
        (inbox_root / "shoot" / "prompt.txt").write_text("square")
        chunked_copy(inbox_root / "shoot" / "a.jpg", source.read_bytes(), chunks=8, pause=0.1)
        copy_ended = time.time()
        assert job_ids(queue_store) == []
        wait_for_one_job(queue_store)
    finally:
        stop_watching()
    [state] = queue_store.batch_jobs("b1")
    assert state.created_at >= copy_ended
    assert queued_messages(queue_store) == 1


def test_watcher_restarted_in_the_middle_of_a_slow_copy_starts_one_job(
    inbox_root: Path, queue_store: JobStore, tmp_path: Path
) -> None:
    data = make_photo(tmp_path / "big.jpg", size=(320, 240)).read_bytes()
    out = tmp_path / "out"
    (inbox_root / "shoot").mkdir()
    stop_first = watch_in_thread(real_time_inbox(inbox_root, queue_store, out))
    try:
        chunked_copy(inbox_root / "shoot" / "a.jpg", data, chunks=4, pause=0.1)
    finally:
        stop_first()
    stop_second = watch_in_thread(real_time_inbox(inbox_root, queue_store, out))
    try:
        chunked_copy(inbox_root / "shoot" / "b.jpg", data, chunks=4, pause=0.1)
        copy_ended = time.time()
        wait_for_one_job(queue_store)
    finally:
        stop_second()
    [state] = queue_store.batch_jobs("b1")
    assert state.created_at >= copy_ended and len(state.spec.photos) == 2
    assert queued_messages(queue_store) == 1


def scan_folder_holding(inbox_root: Path, store: JobStore, files: dict[str, bytes]) -> None:
    """A photo folder with ``files`` (name: bytes as saved) dropped in the inbox and taken."""
    inbox = make_inbox(inbox_root, store, FakeClock())
    folder = drop_folder(inbox_root)
    for name, saved in files.items():
        (folder / name).write_bytes(saved)
    (folder / READY_MARKER).touch()
    inbox.scan()


def test_a_folder_saved_on_windows_is_read_and_its_encodings_noted(
    inbox_root: Path, queue_store: JobStore
) -> None:
    notepad_unicode = {
        "prompt.txt": "5 seconds, café promo\r\n".encode("utf-16"),
        "job.yaml": "aspect: '9:16'\r\ntitle: Été\r\n".encode("utf-16"),
    }
    scan_folder_holding(inbox_root, queue_store, notepad_unicode)
    [state] = queue_store.batch_jobs("b1")
    assert state.spec.prompt == "5 seconds, café promo"
    assert (state.spec.options.aspect, state.spec.options.title) == ("9:16", "Été")
    assert state.spec.source.notes == [
        "prompt.txt was read as UTF-16 (BOM)",
        "job.yaml was read as UTF-16 (BOM)",
    ]


def test_a_folder_whose_prompt_cannot_be_read_goes_to_failed_saying_why(
    inbox_root: Path, queue_store: JobStore
) -> None:
    scan_folder_holding(inbox_root, queue_store, {"prompt.txt": "5 s, café".encode("cp1252")})
    assert job_ids(queue_store) == []
    error = (inbox_root / "failed" / "shoot" / ERROR_FILE).read_text()
    assert "prompt.txt: cannot read it: not UTF-8: byte 0xe9 at line 1" in error


@pytest.mark.parametrize("name", ["Job.yaml", "JOB.YML", "job.yaml.txt"])
def test_job_yaml_is_found_under_the_names_windows_gives_it(
    inbox_root: Path, queue_store: JobStore, name: str
) -> None:
    scan_folder_holding(inbox_root, queue_store, {name: b"aspect: '9:16'\r\ntitle: Summer\r\n"})
    [state] = queue_store.batch_jobs("b1")
    assert (state.spec.options.aspect, state.spec.options.title) == ("9:16", "Summer")


def test_a_folder_with_a_word_processor_job_file_goes_to_failed_naming_it(
    inbox_root: Path, queue_store: JobStore
) -> None:
    scan_folder_holding(inbox_root, queue_store, {"job.docx": b"PK\x03\x04"})
    assert job_ids(queue_store) == []
    error = (inbox_root / "failed" / "shoot" / ERROR_FILE).read_text()
    assert "job.docx: not a plain text file (save it as job.yaml)" in error


def test_a_zip_unpacked_into_the_inbox_leaves_its_macos_folder_alone(
    inbox_root: Path, queue_store: JobStore
) -> None:
    # what macOS's "Compress" puts beside the folder, and a Windows drive's own folders
    inbox = make_inbox(inbox_root, queue_store, FakeClock())
    folder = drop_folder(inbox_root)
    for system in ("__MACOSX", "$RECYCLE.BIN", "System Volume Information"):
        (inbox_root / system / "shoot").mkdir(parents=True)
        (inbox_root / system / "shoot" / "._0.jpg").write_bytes(b"\x00\x05\x16\x07\x00\x02")
        (inbox_root / system / READY_MARKER).touch()
    (folder / READY_MARKER).touch()
    inbox.scan()
    assert len(job_ids(queue_store)) == 1
    assert not (inbox_root / "failed").exists()
    assert (inbox_root / "__MACOSX" / "shoot" / "._0.jpg").is_file()


def test_photos_and_a_zip_dropped_loose_in_the_inbox_are_named_once(
    inbox_root: Path, queue_store: JobStore
) -> None:
    said: list[str] = []
    clock = FakeClock()
    inbox = make_inbox(inbox_root, queue_store, clock, rescan_seconds=1.0)
    inbox.announce = said.append
    make_photo(inbox_root / "IMG_0001.JPG")
    (inbox_root / "shoot.zip").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    (inbox_root / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    for _ in range(3):
        inbox.scan()
        clock.advance(2.0)
    assert said == [
        "IMG_0001.JPG: left alone: only a folder dropped here becomes a job"
        " (put the photos of one video, or an unpacked zip, in a folder)",
        "shoot.zip: left alone: only a folder dropped here becomes a job"
        " (put the photos of one video, or an unpacked zip, in a folder)",
    ]
    assert job_ids(queue_store) == []


def test_a_folder_with_a_photo_link_that_leads_nowhere_goes_to_failed_naming_it(
    inbox_root: Path, queue_store: JobStore
) -> None:
    inbox = make_inbox(inbox_root, queue_store, FakeClock())
    folder = drop_folder(inbox_root)
    (folder / "9.jpg").symlink_to(inbox_root.parent / "unmounted" / "9.jpg")
    (folder / READY_MARKER).touch()
    inbox.scan()
    assert job_ids(queue_store) == []
    error = (inbox_root / "failed" / "shoot" / ERROR_FILE).read_text()
    assert "9.jpg: a link to " in error and "which is not there" in error


def test_a_zip_extracted_by_windows_into_a_folder_of_its_name_is_one_job(
    inbox_root: Path, queue_store: JobStore
) -> None:
    # Explorer's "Extract All" of shoot.zip: shoot/shoot/ with the photos and the prompt
    inbox = make_inbox(inbox_root, queue_store, FakeClock())
    (inbox_root / "shoot").mkdir()
    drop_folder(inbox_root / "shoot")
    (inbox_root / "shoot" / READY_MARKER).touch()
    inbox.scan()
    [state] = queue_store.batch_jobs("b1")
    assert state.spec.id.startswith("shoot-") and len(state.spec.photos) == 2
    assert state.spec.prompt == "5 seconds, square"
    assert not (inbox_root / "failed").exists()
