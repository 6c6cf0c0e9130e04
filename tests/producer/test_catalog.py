from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from producer.catalog import (
    CatalogError,
    catalog_specs,
    read_catalog,
    split_unchanged,
    template_fields,
)
from producer.enqueue import enqueue_specs
from tests.conftest import make_photo
from tests.producer.conftest import end_job, queued_messages
from tests.web_server import PhotoServer, rewritten_feed
from worker.files.bucket import LocalBucket, open_bucket
from worker.job.spec import JobSource, JobSpec
from worker.job.store import JobStore
from worker.outputs.report import build_report, render_report, succeeded_mark_key

TEMPLATE = "15-second promo for {title}, {price}"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    for index, name in enumerate(("mug-1", "mug-2", "tee-1", "cap-1", "cap-2")):
        make_photo(tmp_path / "img" / f"{name}.jpg", size=(64, 48), seed=index)
    return tmp_path


def write_csv(folder: Path, rows: list[str]) -> Path:
    feed = folder / "feed.csv"
    feed.write_text("\n".join(["id,title,photos,price", *rows]) + "\n")
    return feed


SHOP_ROWS = [
    "mug,Blue Mug,img/mug-1.jpg|img/mug-2.jpg,$12",
    'tee,"Tee, white",img/tee-1.jpg,$20',
    "cap,Cap,img/cap-1.jpg; img/cap-2.jpg,$9",
]


def test_csv_products_become_jobs(shop: Path) -> None:
    mug, tee, cap = catalog_specs(write_csv(shop, SHOP_ROWS), TEMPLATE, {}, allowed_roots=[])
    assert (mug.id, tee.id, cap.id) == ("mug", "tee", "cap")
    assert mug.prompt == "15-second promo for Blue Mug, $12"
    assert tee.prompt == "15-second promo for Tee, white, $20"
    assert [Path(photo).name for photo in cap.photos] == ["cap-1.jpg", "cap-2.jpg"]
    assert mug.source.kind == "catalog" and mug.source.digest is not None


def test_jsonl_products_with_lists_and_numbers(shop: Path) -> None:
    feed = shop / "feed.jsonl"
    lines = [
        {"id": 101, "title": "Mug", "photos": ["img/mug-1.jpg"], "price": 12.5},
        {"id": "u", "title": "Web", "photos": ["https://example.com/u.jpg"], "price": 1},
    ]
    feed.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")
    mug, web = catalog_specs(feed, "{title} for {price:.2f}", {"backend": "nemo"})
    assert (mug.id, mug.prompt) == ("101", "Mug for 12.50")
    assert web.photos == ["https://example.com/u.jpg"]


def test_template_fields() -> None:
    assert template_fields("{title} at {price:.2f} {meta[color]} {{literal}}") == {
        "title", "price", "meta"
    }  # fmt: skip


def test_missing_columns_are_reported_with_row_1(shop: Path) -> None:
    feed = write_csv(shop, SHOP_ROWS)
    with pytest.raises(CatalogError) as raised:
        catalog_specs(feed, "{title} in {colour}", {})
    assert raised.value.problems == ["row 1: missing column(s): colour"]


def test_every_bad_row_is_reported_with_its_number(shop: Path) -> None:
    rows = [
        *SHOP_ROWS,
        "short,row",
        "gone,Gone,img/nothing.jpg,$1",
        "mug,Again,img/mug-1.jpg,$3",
        "none,None,,$4",
    ]
    with pytest.raises(CatalogError) as raised:
        catalog_specs(write_csv(shop, rows), TEMPLATE, {})
    problems = raised.value.problems
    assert [problem.split(":")[0] for problem in problems] == [
        "row 5", "row 6", "row 7", "row 8"
    ]  # fmt: skip
    assert "2 fields, the header has 4" in problems[0]
    assert "matches no file" in problems[1]
    assert "used by an earlier product" in problems[2]
    assert "no photos found" in problems[3]


def test_unreadable_jsonl_lines_are_reported(shop: Path) -> None:
    feed = shop / "feed.jsonl"
    feed.write_text(
        '{"id": "a", "title": "A"}\nnot json\n[1]\n{"id": "b", "title": "B", "photos": "x"}\n'
    )
    with pytest.raises(CatalogError) as raised:
        catalog_specs(feed, "{title}", {})
    assert [problem.split(":")[0] for problem in raised.value.problems] == [
        "line 1", "line 2", "line 3", "line 4"
    ]  # fmt: skip


def test_xml_that_is_no_feed(shop: Path) -> None:
    (shop / "feed.xml").write_text("<catalog><product/></catalog>")
    with pytest.raises(CatalogError, match=r"root is <catalog>: not an RSS 2.0 or Atom feed"):
        catalog_specs(shop / "feed.xml", TEMPLATE, {})


def publish_reports(store: JobStore, job_ids: list[str], out: Path, *, failed: set[str]) -> None:
    """What the workers do when jobs end: record the outcome and write the report."""
    for job_id in job_ids:
        end_job(store, job_id, error="cannot decode image" if job_id in failed else None)
        state = store.get(job_id)
        assert state is not None
        open_bucket(str(out)).put_bytes(
            f"{job_id}/report.json",
            render_report(build_report(state, {}, inputs=[], bucket=str(out))),
        )


def test_rerun_redoes_only_changed_and_failed_products(shop: Path, queue_store: JobStore) -> None:
    out = shop / "out"
    feed = write_csv(shop, SHOP_ROWS)
    first = catalog_specs(feed, TEMPLATE, {}, allowed_roots=[])
    todo, unchanged = split_unchanged(first, str(out))
    assert (len(todo), unchanged) == (3, [])
    result = enqueue_specs(todo, queue_store, out=str(out), batch="first")
    publish_reports(queue_store, result.enqueued, out, failed=set())
    assert queued_messages(queue_store) == 3

    make_photo(shop / "img" / "mug-2.jpg", size=(64, 48), seed=99)  # same name, new bytes
    second = catalog_specs(feed, TEMPLATE, {}, allowed_roots=[])
    todo, unchanged = split_unchanged(second, str(out))
    assert [spec.id for spec in todo] == ["mug"]
    assert [spec.id for spec in unchanged] == ["tee", "cap"]
    result = enqueue_specs(todo, queue_store, out=str(out), batch="second", overwrite=True)
    assert result.enqueued == ["mug"]
    assert queued_messages(queue_store) == 4
    state = queue_store.get("mug")
    assert state is not None and state.batch == "second"
    assert state.spec.source.digest == todo[0].source.digest != first[0].source.digest
    publish_reports(queue_store, ["mug"], out, failed={"mug"})

    repriced = [row.replace("$20", "$18") for row in SHOP_ROWS]
    third = catalog_specs(write_csv(shop, repriced), TEMPLATE, {}, allowed_roots=[])
    todo, unchanged = split_unchanged(third, str(out))
    assert sorted(spec.id for spec in todo) == ["mug", "tee"]  # failed before; new prompt
    assert [spec.id for spec in unchanged] == ["cap"]
    result = enqueue_specs(todo, queue_store, out=str(out), batch="third", overwrite=True)
    assert sorted(result.enqueued) == ["mug", "tee"]
    assert queued_messages(queue_store) == 6


def test_example_feed_reads() -> None:
    feed = Path(__file__).resolve().parents[2] / "examples" / "products.csv"
    specs = catalog_specs(feed, "6-second square promo for {title}, {price}", {})
    assert [spec.id for spec in specs] == ["fresh-roast", "space-week"]
    assert all(len(spec.photos) == 2 for spec in specs)


@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_semicolon_separated_csv_is_read_as_it_is(shop: Path, bom: str) -> None:
    feed = shop / "feed.csv"
    feed.write_text(
        f"{bom}id;title;photos;price\nmug;Blue Mug, large;img/mug-1.jpg|img/mug-2.jpg;12,50 €\n",
        encoding="utf-8",
    )
    [mug] = catalog_specs(feed, TEMPLATE, {}, allowed_roots=[])
    assert mug.id == "mug" and len(mug.photos) == 2
    assert mug.prompt == "15-second promo for Blue Mug, large, 12,50 €"


def finished_specs(out: Path, count: int) -> list[JobSpec]:
    """``count`` products with a succeeded report in ``out``, as a worker of before marks
    wrote them (no succeeded-mark)."""
    specs = []
    for index in range(count):
        digest = f"d{index}"
        spec = JobSpec(
            id=f"p{index}", photos=["/1.jpg"], source=JobSource(kind="catalog", digest=digest)
        )
        report = {"status": "succeeded", "spec": {"source": {"digest": digest}}}
        open_bucket(str(out)).put_bytes(f"{spec.id}/report.json", json.dumps(report).encode())
        specs.append(spec)
    return specs


@pytest.fixture
def bucket_calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Calls of the local bucket's reading methods, by name."""
    calls: Counter[str] = Counter()
    for name in ("read_bytes", "exists", "modified_times"):
        method = getattr(LocalBucket, name)

        def counted(self: LocalBucket, *args: Any, _name: str = name, _method: Any = method) -> Any:
            calls[_name] += 1
            return _method(self, *args)

        monkeypatch.setattr(LocalBucket, name, counted)
    return calls


@pytest.mark.parametrize("count", [10, 100])
def test_a_rerun_reads_one_listing_whatever_the_products(
    tmp_path: Path, bucket_calls: Counter[str], count: int
) -> None:
    specs = finished_specs(tmp_path, count)
    todo, unchanged = split_unchanged(specs, str(tmp_path))  # reads each report once, marks it
    assert (todo, len(unchanged)) == ([], count)
    assert bucket_calls == {"modified_times": 1, "read_bytes": count}
    bucket_calls.clear()
    new = JobSpec(id="new", photos=["/1.jpg"], source=JobSource(kind="catalog", digest="n"))
    todo, unchanged = split_unchanged([*specs, new], str(tmp_path))
    assert (todo, unchanged) == ([new], specs)
    assert bucket_calls == {"modified_times": 1}


def test_a_report_newer_than_its_mark_is_read(tmp_path: Path) -> None:
    [spec] = finished_specs(tmp_path, 1)
    assert split_unchanged([spec], str(tmp_path)) == ([], [spec])  # marked now
    report = {"status": "failed", "spec": {"source": {"digest": "d0"}}}
    report_file = tmp_path / spec.id / "report.json"
    report_file.write_text(json.dumps(report))
    mark = tmp_path / succeeded_mark_key(spec.id, "d0")
    os.utime(report_file, (mark.stat().st_mtime + 1, mark.stat().st_mtime + 1))
    assert split_unchanged([spec], str(tmp_path)) == ([spec], [])


FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"


def test_a_merchant_feed_by_url_with_web_photos_downloads_no_photo(
    loopback_fetch: Path, tmp_path: Path
) -> None:
    feed_bytes = (FEEDS / "merchant_center_products.tsv").read_bytes()
    with PhotoServer() as server:
        server.files["/feeds/google.tsv"] = server.web_to_local(feed_bytes.decode()).encode()
        catalog = read_catalog(server.url("/feeds/google.tsv"), TEMPLATE, {})
        assert [spec.id for spec in catalog.specs] == ["AUR-TRAIL", "AUR-BOTTLE-750", "AUR-MUG-02"]
        assert catalog.left_out == [("AUR-LAMP-01", "out of stock")]
        trail = catalog.specs[0]
        assert trail.prompt == "15-second promo for Ridgeline Trail Runner, $99.00"
        assert trail.photos[0] == server.url(
            "/images.auroraoutdoor.example/products/ridgeline-side.jpg"
        )
        assert trail.source.path == server.url("/feeds/google.tsv")
        assert server.counts["GET 200"] == 1 and server.counts["HEAD 200"] == 7  # the feed only

        again = read_catalog(server.url("/feeds/google.tsv"), TEMPLATE, {})
        assert server.counts["GET 200"] == 1 and server.counts["GET 304"] == 1
        assert [spec.source.digest for spec in again.specs] == [
            spec.source.digest for spec in catalog.specs
        ]
        server.change("/images.auroraoutdoor.example/products/summit-bottle-cap.jpg")
        changed = read_catalog(server.url("/feeds/google.tsv"), TEMPLATE, {})
        digests = [
            (before.source.digest == after.source.digest)
            for before, after in zip(catalog.specs, changed.specs, strict=True)
        ]
        assert digests == [True, False, True]
        assert server.counts["GET 200"] == 1  # still no photo downloaded


def test_out_of_stock_products_can_be_included(loopback_fetch: Path, tmp_path: Path) -> None:
    with PhotoServer() as server:
        feed = rewritten_feed(FEEDS / "shopify_products_export.csv", server, tmp_path / "p.csv")
        catalog = read_catalog(feed, "promo for {title}", {}, include_out_of_stock=True)
    assert [spec.id for spec in catalog.specs] == [
        "classic-crew-tee", "stoneware-mug", "merino-beanie", "linen-apron"
    ]  # fmt: skip
    assert catalog.left_out == []
    assert catalog.describe("p.csv") == "p.csv: Shopify product export, UTF-8 with BOM; 4 products"


def test_a_feed_url_that_fails_is_one_clear_problem(loopback_fetch: Path) -> None:
    with PhotoServer() as server, pytest.raises(CatalogError) as raised:
        read_catalog(server.url("/feeds/gone.xml"), TEMPLATE, {})
    assert raised.value.problems == ["HTTP 404 Not Found"]


EXCEL_ROWS = (
    "id,title,photos,price\r\nmug,Caf\u00e9 mug \u2013 \u00bd litre,img/mug-1.jpg,12 \u20ac\r\n"
)


@pytest.mark.parametrize(
    ("saved", "note"),
    [
        # Excel's "CSV (Comma delimited)" on a Western Windows
        (EXCEL_ROWS.encode("cp1252"), "feed.csv was read as cp1252 (not UTF-8)"),
        # Excel's "CSV UTF-8 (Comma delimited)"
        (EXCEL_ROWS.encode("utf-8-sig"), None),
        # Excel's "Unicode Text": UTF-16 with a BOM, tab-separated
        (EXCEL_ROWS.replace(",", "\t").encode("utf-16"), "feed.csv was read as UTF-16 (BOM)"),
        # Excel for Mac's "CSV (Macintosh)" line endings
        (EXCEL_ROWS.replace("\r\n", "\r").encode("utf-8"), None),
    ],
    ids=["cp1252", "utf-8 bom", "unicode text", "mac line endings"],
)
def test_a_feed_is_read_as_excel_saved_it_and_says_how(
    shop: Path, saved: bytes, note: str | None
) -> None:
    feed = shop / "feed.csv"
    feed.write_bytes(saved)
    [mug] = catalog_specs(feed, TEMPLATE, {}, allowed_roots=[])
    assert mug.prompt == "15-second promo for Café mug – ½ litre, 12 €"
    assert mug.source.notes == ([note] if note else None)
    assert feed.read_bytes() == saved


def test_a_jsonl_feed_saved_as_unicode_with_mac_line_endings(shop: Path) -> None:
    feed = shop / "feed.jsonl"
    lines = [{"id": "mug", "title": "Café", "photos": ["img/mug-1.jpg"], "price": "12 €"}] * 2
    lines[1] = {**lines[0], "id": "mug-2"}
    text = "\r".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\r"
    feed.write_bytes(text.encode("utf-16"))
    mug, mug2 = catalog_specs(feed, TEMPLATE, {}, allowed_roots=[])
    assert (mug.id, mug2.id, mug.prompt) == ("mug", "mug-2", "15-second promo for Café, 12 €")
    assert mug.source.notes == ["feed.jsonl was read as UTF-16 (BOM)"]


def test_a_feed_of_no_encoding_it_reads_is_one_error_with_its_line(shop: Path) -> None:
    feed = shop / "feed.csv"
    feed.write_bytes(b"id,title,photos\nmug,Mug \x81,img/mug-1.jpg\n")
    with pytest.raises(CatalogError) as raised:
        catalog_specs(feed, TEMPLATE.replace(", {price}", ""), {}, allowed_roots=[])
    assert raised.value.problems == [
        "unreadable: not UTF-8 or cp1252: byte 0x81 at line 2 (save it as UTF-8)"
    ]
