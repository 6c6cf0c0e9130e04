"""Product catalog feeds → one job per product; a rerun redoes only the changed products.

A feed is a file or an http(s) URL in any layout ``producer.feeds`` reads (Merchant Center,
Meta and TikTok catalogs, Shopify and WooCommerce exports, our own CSV/JSON Lines). Each
product's ``id`` is its job id and output folder; its photos are URLs (fetched by the worker)
or paths relative to the feed (globs allowed, the manifest rules apply: no leaving the feed's
folder and ``PHOTOREEL_ALLOWED_ROOTS``). Its fields (``title``, ``price`` as shown, ``old_price``,
``brand`` …, every other column) are what the prompt template may use: ``"15-second promo for
{title}, {price}"``. Products out of stock are left out unless asked for, and listed.

Every problem is reported at once with its row, line or item.

What makes a product's video (its ``source.digest``, which a rerun compares with the finished
report's) is its prompt, options, fields and photos: a local photo by its bytes, a web photo by
what its server says of it without sending it — the ETag, Last-Modified and Content-Length of a
HEAD (``WebClient.validators``). The producer downloads no photo: a nightly rerun of an
unchanged feed costs one HEAD per photo and makes no job, and a photo changed behind the same
URL answers with another ETag, so its product is made again. A photo whose server gives neither
ETag nor Last-Modified is told apart by its length alone.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from pydantic import ValidationError

from config.settings import get_settings
from producer.enqueue import finished_digest
from producer.feeds import Feed, FeedOptions, FeedProduct, read_feed
from producer.feeds.model import TextLayout
from producer.manifest import ManifestError, resolve_photos
from producer.photosets import job_id_for
from producer.promo_files import PromoFiles, resolve_logo
from worker.files.bucket import Bucket, open_bucket
from worker.files.web_fetch import is_web_url, web_client
from worker.job.errors import JobFailed, TransientError
from worker.job.spec import JobOptions, JobSource, JobSpec, describe_validation_error, with_notes
from worker.outputs.report import report_key, succeeded_mark_key
from worker.understanding.promo import WORD_FIELDS

PROBE_THREADS = 16
"""HEADs in flight at once while a feed's photos are checked (each host's own limit,
``PHOTOREEL_FETCH_PER_HOST``, applies within them)."""


class CatalogError(ManifestError):
    """A feed that cannot be read whole; ``problems`` name each row and field."""


@dataclass
class Catalog:
    """What a feed gave: a job per product to make, and the products left out."""

    specs: list[JobSpec]
    feed: Feed
    left_out: list[tuple[str, str]] = field(default_factory=list)
    """(product id, why): out of stock, or not shown by its platform (a draft)."""

    def describe(self, name: str) -> str:
        """``feed.csv: Shopify product export, UTF-8 with BOM; 4 products, 2 left out``."""
        left = f", {len(self.left_out)} left out" if self.left_out else ""
        count = len(self.specs) + len(self.left_out)
        products = "product" if count == 1 else "products"
        return (
            f"{name}: {self.feed.format.described}, {self.feed.encoding}; {count} {products}{left}"
        )


def template_fields(template: str) -> set[str]:
    """The field names ``{title}``, ``{price:.2f}`` … that a prompt template uses."""
    names = set()
    for _text, name, _spec, _conversion in string.Formatter().parse(template):
        if name:
            names.add(re.split(r"[.\[]", name, maxsplit=1)[0])
    return names


def inputs_digest(
    photos: list[str], prompt: str, options: JobOptions, validators: dict[str, str]
) -> str:
    """sha256 of what makes the video: the photos (a file: its bytes; a URL: its server's
    validators), prompt, options."""
    digest = hashlib.sha256()
    digest.update(json.dumps([prompt, options.model_dump(mode="json")], sort_keys=True).encode())
    for photo in photos:
        if "://" in photo:
            digest.update(f"{photo}\n{validators.get(photo, '')}".encode())
            continue
        with open(photo, "rb") as image:
            digest.update(hashlib.file_digest(image, "sha256").digest())
    return digest.hexdigest()


def photo_validators(urls: list[str]) -> dict[str, str]:
    """Each web photo's validators (``WebClient.validators``), asked concurrently."""
    unique = list(dict.fromkeys(url for url in urls if is_web_url(url)))
    if not unique:
        return {}
    client = web_client()
    with ThreadPoolExecutor(max_workers=min(PROBE_THREADS, len(unique))) as pool:
        return dict(zip(unique, pool.map(client.validators, unique), strict=True))


@dataclass(frozen=True)
class FeedPlace:
    """Where a feed is: its folder (relative photo paths) or its URL (relative links)."""

    location: str
    root: Path
    url: str | None = None

    def photos(self, photos: list[str], roots: list[Path]) -> tuple[list[str], list[str]]:
        if self.url is not None:
            return [urljoin(self.url, photo) for photo in photos], []
        resolved, problems = resolve_photos(photos, self.root, roots)
        return resolved, [message for _index, message in problems]


def _product_spec(
    product: FeedProduct,
    template: str,
    options: JobOptions,
    place: FeedPlace,
    roots: list[Path],
) -> tuple[JobSpec | None, list[str]]:
    where = product.where
    try:
        prompt = template.format_map(product.fields)
    except (KeyError, IndexError, ValueError, AttributeError) as error:
        return None, [f"{where}: prompt template: {type(error).__name__}: {error}"]
    photos, photo_problems = place.photos(product.photos, roots)
    problems = [f"{where}: photos: {message}" for message in photo_problems]
    fields = {key: value for key, value in product.fields.items() if key != "photos"}
    if fields.get("logo") and options.logo is None:
        fields["logo"], problem = resolve_logo(str(fields["logo"]), place.root)
        if problem:
            problems.append(f"{where} ({product.id}): logo: {problem}")
    if not photos and not photo_problems:
        problems.append(f"{where}: photos: no photos found")
    if problems:
        return None, problems
    try:
        spec = JobSpec(
            id=job_id_for(str(product.id)),
            photos=photos,
            prompt=prompt,
            options=options,
            source=JobSource(kind="catalog", path=place.location, fields=fields),
        )
    except ValidationError as error:
        return None, [f"{where}: {describe_validation_error(error)}"]
    return spec, []


def _feed_bytes(feed: Path | str) -> tuple[bytes, FeedPlace]:
    text = str(feed)
    if is_web_url(text):
        try:
            fetched = web_client().fetch_document(text)
        except (JobFailed, TransientError) as error:
            raise CatalogError(Path(text), [getattr(error, "message", str(error))]) from None
        return fetched.content, FeedPlace(text, Path.cwd(), url=text)
    path = Path(feed)
    if not path.is_file():
        raise CatalogError(path, ["no such file"])
    return path.read_bytes(), FeedPlace(str(path.resolve()), path.parent.resolve())


def _missing_fields(feed: Feed, needed: set[str]) -> list[str]:
    """A problem per field the template needs that the feed lacks: once for a table (its
    row 1), per product otherwise."""
    if not needed:
        return []
    if isinstance(feed.layout, TextLayout):
        present = set().union(*(product.fields for product in feed.products))
        missing = sorted(needed - present)
        return [f"row 1: missing column(s): {', '.join(missing)}"] if missing else []
    return [
        f"{product.where}: missing field(s): {', '.join(sorted(needed - set(product.fields)))}"
        for product in feed.products
        if needed - set(product.fields)
    ]


def read_catalog(
    feed: Path | str,
    template: str,
    overrides: dict[str, Any],
    *,
    allowed_roots: list[Path] | None = None,
    feed_options: FeedOptions | None = None,
    include_out_of_stock: bool = False,
) -> Catalog:
    """One job spec per product (its ``source.digest`` set) and the products left out; a
    CatalogError lists every problem. ``allowed_roots`` defaults to
    ``PHOTOREEL_ALLOWED_ROOTS``."""
    data, place = _feed_bytes(feed)
    name = Path(str(feed)).name
    notes: list[str] = []
    resolved, file_problems = PromoFiles().resolve(overrides, place.root, notes)
    option_problems = [f"options: {field}: {why}" for field, why in file_problems]
    failed = {field for field, _why in file_problems}
    try:
        options = JobOptions.model_validate(
            {key: value for key, value in resolved.items() if key not in failed}
        )
    except ValidationError as error:
        option_problems.append(f"options: {describe_validation_error(error)}")
    if option_problems:
        raise CatalogError(Path(str(feed)), option_problems)
    extra_roots = get_settings().allowed_roots if allowed_roots is None else allowed_roots
    roots = [place.root, *(extra.resolve() for extra in extra_roots)]
    parsed = read_feed(data, name, feed_options)
    if not parsed.encoding.startswith("UTF-8"):
        notes.append(f"{name} was read as {parsed.encoding}")
    needed = template_fields(template)
    if options.template is not None:
        needed |= options.template.fields() - set(WORD_FIELDS)
    missing = _missing_fields(parsed, needed)
    if missing:
        raise CatalogError(Path(str(feed)), parsed.problems + missing)
    problems = list(parsed.problems)
    catalog = Catalog([], parsed)
    specs: dict[str, JobSpec] = {}
    for product in parsed.products:
        if not product.available and not include_out_of_stock:
            catalog.left_out.append((product.id, product.unavailable_reason))
            continue
        spec, product_problems = _product_spec(product, template, options, place, roots)
        problems.extend(product_problems)
        if spec is None:
            continue
        if spec.id in specs:
            problems.append(f"{product.where}: id: {spec.id!r} is used by an earlier product")
        specs[spec.id] = spec
    if not parsed.products and not problems:
        problems.append("no products")
    if problems:
        raise CatalogError(Path(str(feed)), problems)
    validators = photo_validators([photo for spec in specs.values() for photo in spec.photos])
    catalog.specs = [with_notes(_with_digest(spec, validators), notes) for spec in specs.values()]
    return catalog


def _with_digest(spec: JobSpec, validators: dict[str, str]) -> JobSpec:
    fields = spec.source.fields or {}
    prompt = f"{spec.prompt}\n{json.dumps(fields, sort_keys=True, default=str)}"
    digest = inputs_digest(spec.photos, prompt, spec.options, validators)
    return spec.model_copy(update={"source": spec.source.model_copy(update={"digest": digest})})


def catalog_specs(
    feed: Path | str,
    template: str,
    overrides: dict[str, Any],
    *,
    allowed_roots: list[Path] | None = None,
) -> list[JobSpec]:
    """The job specs of ``read_catalog`` with the feed's own options."""
    return read_catalog(feed, template, overrides, allowed_roots=allowed_roots).specs


def split_unchanged(specs: list[JobSpec], out: str) -> tuple[list[JobSpec], list[JobSpec]]:
    """(specs to make, specs whose video in ``out`` was made from the same inputs), from one
    listing of ``out``; a report is read only when the listing cannot settle its job."""
    bucket = open_bucket(out)
    modified = bucket.modified_times()
    todo: list[JobSpec] = []
    unchanged: list[JobSpec] = []
    for spec in specs:
        same = _made_from_same_inputs(bucket, modified, spec)
        (unchanged if same else todo).append(spec)
    return todo, unchanged


def _made_from_same_inputs(bucket: Bucket, modified: dict[str, float], spec: JobSpec) -> bool:
    """A succeeded-mark for the spec's digest no older than the job's report settles it; a
    report without one (written before marks existed) is read, and marked when it matches."""
    digest = spec.source.digest
    reported = modified.get(report_key(spec.id))
    if reported is None or digest is None:
        return False
    mark = succeeded_mark_key(spec.id, digest)
    marked = modified.get(mark)
    if marked is not None and marked >= reported:
        return True
    if finished_digest(bucket.url, spec.id) != digest:
        return False
    bucket.put_bytes(mark, b"")
    return True
