"""A 1,000-product Merchant Center feed with 3 photos each, photos and feed served over HTTP
by a local server (``tests/web_server.py``), through the catalog planner and the fetcher.

Printed:

1. plan: the feed fetched by URL and read, every product's job spec made, its 3,000 photos
   checked by HEAD (ETag, Last-Modified) for the inputs digest; no photo downloaded.
2. fetch: the 3,000 photos fetched as workers do (``WebClient.fetch_photo`` into each job's
   scratch folder, through the HTTP cache), ``--threads`` at once; downloads counted.
3. the nightly rerun with nothing changed: plan again, settle it against the bucket's
   succeeded-marks of the first run, and fetch every photo again into fresh scratch folders:
   the feed and every photo answer 304. Target: 0 downloads, 0 jobs.

Run with ``python bench/feeds.py``; ``--products N`` for a quicker run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.settings import get_settings  # noqa: E402
from producer.catalog import read_catalog, split_unchanged  # noqa: E402
from tests.web_server import PhotoServer  # noqa: E402
from worker.files.bucket import open_bucket  # noqa: E402
from worker.files.web_fetch import web_client  # noqa: E402
from worker.job.spec import JobSpec  # noqa: E402
from worker.outputs.report import report_key, succeeded_mark_key  # noqa: E402

TEMPLATE = "6-second promo for {title}, {price}, 9:16"
COLUMNS = ["id", "title", "description", "link", "image_link", "additional_image_link",
           "availability", "price", "sale_price", "brand", "condition"]  # fmt: skip


def merchant_feed(products: int, base: str) -> bytes:
    lines = ["\t".join(COLUMNS)]
    for index in range(products):
        photos = [f"{base}/img/p{index:05d}-{shot}.jpg" for shot in range(3)]
        sale = f"{index % 50 + 10}.00 USD" if index % 3 == 0 else ""
        lines.append("\t".join([
            f"SKU-{index:05d}", f"Product {index}", "A product.", f"https://shop.example/p/{index}",
            photos[0], ",".join(photos[1:]), "in_stock", f"{index % 50 + 19}.00 USD", sale,
            "Bench Brand", "new",
        ]))  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


def fetch_all(specs: list[JobSpec], scratch: Path, threads: int) -> None:
    client = web_client()
    work = [(url, scratch / spec.id) for spec in specs for url in spec.photos]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(lambda item: client.fetch_photo(*item), work))


def mark_succeeded(specs: list[JobSpec], out: str) -> None:
    """What publishing each job leaves for a rerun: its report, then its succeeded-mark."""
    bucket = open_bucket(out)
    for spec in specs:
        bucket.put_bytes(report_key(spec.id), b'{"status": "succeeded"}')
        bucket.put_bytes(succeeded_mark_key(spec.id, spec.source.digest or ""), b"")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=1000, help="products in the feed")
    parser.add_argument("--threads", type=int, default=16, help="photo fetches at once")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="photoreel-feeds-bench-") as scratch:
        root = Path(scratch)
        os.environ["PHOTOREEL_FETCH_ALLOW_PRIVATE"] = "127.0.0.1"
        os.environ["PHOTOREEL_FETCH_CACHE_DIR"] = str(root / "http-cache")
        os.environ["PHOTOREEL_FETCH_PER_HOST"] = str(args.threads)
        get_settings.cache_clear()
        with PhotoServer() as server:
            server.files["/feeds/google.tsv"] = merchant_feed(args.products, server.base)
            feed_url = server.url("/feeds/google.tsv")
            out = str(root / "out")

            started = time.perf_counter()
            catalog = read_catalog(feed_url, TEMPLATE, {"backend": "dry"})
            planned = time.perf_counter() - started
            photos = sum(len(spec.photos) for spec in catalog.specs)
            print(
                f"1. plan: {len(catalog.specs)} products, {photos} photos checked by HEAD in "
                f"{planned:.2f} s ({server.counts['HEAD 200']} HEADs, "
                f"{server.counts['GET 200']} download: the feed)"
            )
            before = server.counts["GET 200"]
            started = time.perf_counter()
            fetch_all(catalog.specs, root / "scratch-1", args.threads)
            fetched = time.perf_counter() - started
            downloads = server.counts["GET 200"] - before
            print(
                f"2. fetch: {photos} photos in {fetched:.2f} s with {args.threads} threads "
                f"({photos / fetched:.0f} a second), {downloads} downloads"
            )
            mark_succeeded(catalog.specs, out)

            before = server.counts["GET 200"]
            started = time.perf_counter()
            again = read_catalog(feed_url, TEMPLATE, {"backend": "dry"})
            todo, unchanged = split_unchanged(again.specs, out)
            replanned = time.perf_counter() - started
            fetch_all(again.specs, root / "scratch-2", args.threads)
            refetched = time.perf_counter() - started - replanned
            downloads = server.counts["GET 200"] - before
            ok = "ok" if downloads == 0 and not todo else "MISSED"
            print(
                f"3. rerun, nothing changed: plan {replanned:.2f} s, {len(todo)} jobs to make "
                f"({len(unchanged)} unchanged); every photo fetched again in {refetched:.2f} s: "
                f"{downloads} downloads, {server.counts['GET 304']} answered 304 "
                f"(target 0 downloads, 0 jobs: {ok})"
            )


if __name__ == "__main__":
    main()
