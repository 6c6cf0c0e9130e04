"""Product catalog feeds → one job per product; a rerun redoes only the changed products.

A feed is CSV (a header row, then one product per row; ``photos`` separated by ``|`` or
``;``) or JSON Lines (``.jsonl``/``.ndjson``: one object per line; ``photos`` a list). Each
product has an ``id`` (its job id and output folder), a ``title`` and ``photos`` — paths
relative to the feed (globs allowed, the manifest rules apply: no leaving the feed's folder
and ``PHOTOREEL_ALLOWED_ROOTS``) or, for the nemo backend, http(s) URLs. Every other column is
a field the prompt template may use: ``"15-second promo for {title}, {price}"``.

Every problem is reported at once with its row (CSV, the header being row 1) or line (JSONL).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from config.settings import get_settings
from producer.enqueue import finished_digest
from producer.manifest import ManifestError, resolve_photos
from producer.photosets import job_id_for
from producer.promo_files import resolve_logo, resolve_promo_files
from producer.text_files import TextDecodeError, read_text_file
from worker.bucket import Bucket, open_bucket
from worker.promo import WORD_FIELDS
from worker.report import report_key, succeeded_mark_key
from worker.spec import JobOptions, JobSource, JobSpec, describe_validation_error, with_notes

REQUIRED_FIELDS = ("id", "title", "photos")
CSV_SUFFIXES = (".csv",)
JSONL_SUFFIXES = (".jsonl", ".ndjson")
PHOTO_SEPARATORS = re.compile(r"[|;]")


class CatalogError(ManifestError):
    """A feed that cannot be read whole; ``problems`` name each row and field."""


@dataclass
class Product:
    where: str
    """``row 3`` (CSV) or ``line 3`` (JSON Lines)."""
    fields: dict[str, Any]
    photos: list[str]


def template_fields(template: str) -> set[str]:
    """The field names ``{title}``, ``{price:.2f}`` … that a prompt template uses."""
    names = set()
    for _text, name, _spec, _conversion in string.Formatter().parse(template):
        if name:
            names.add(re.split(r"[.\[]", name, maxsplit=1)[0])
    return names


CSV_DELIMITERS = ",;\t"
"""What may separate a CSV feed's columns: the one its header holds most of (comma on a tie),
so a spreadsheet's ``;``-separated export reads as it is."""


def _csv_products(
    path: Path, needed: set[str], problems: list[str], notes: list[str]
) -> Iterator[Product]:
    decoded = read_text_file(path, legacy_fallback=True)  # Excel's "CSV" is cp1252
    if note := decoded.note(path.name):
        notes.append(note)
    with io.StringIO(decoded.text, newline="") as feed:
        header_line = feed.readline()
        feed.seek(0)
        reader = csv.reader(feed, delimiter=max(CSV_DELIMITERS, key=header_line.count))
        header = [name.strip() for name in next(reader, [])]
        missing = sorted(needed - set(header))
        if missing:
            problems.append(f"row 1: missing column(s): {', '.join(missing)}")
            return
        for number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                problems.append(f"row {number}: {len(row)} fields, the header has {len(header)}")
                continue
            fields = {name: cell.strip() for name, cell in zip(header, row, strict=True)}
            photos = [part.strip() for part in PHOTO_SEPARATORS.split(fields["photos"])]
            yield Product(f"row {number}", fields, [photo for photo in photos if photo])


def _jsonl_products(
    path: Path, needed: set[str], problems: list[str], notes: list[str]
) -> Iterator[Product]:
    decoded = read_text_file(path, legacy_fallback=False)  # JSON is UTF-8 (RFC 8259)
    if note := decoded.note(path.name):
        notes.append(note)
    with io.StringIO(decoded.text, newline=None) as feed:  # \r\n and \r end lines too
        for number, line in enumerate(feed, start=1):
            if not line.strip():
                continue
            try:
                fields = json.loads(line)
            except json.JSONDecodeError as error:
                problems.append(f"line {number}: not valid JSON: {error.msg}")
                continue
            if not isinstance(fields, dict):
                problems.append(f"line {number}: not a JSON object")
                continue
            missing = sorted(needed - set(fields))
            if missing:
                problems.append(f"line {number}: missing field(s): {', '.join(missing)}")
                continue
            photos = fields["photos"]
            if not isinstance(photos, list) or not all(isinstance(p, str) for p in photos):
                problems.append(f"line {number}: photos: a list of paths or URLs")
                continue
            yield Product(f"line {number}", fields, photos)


def read_products(
    path: Path, needed: set[str], problems: list[str], notes: list[str]
) -> list[Product]:
    """The feed's products carrying every ``needed`` field; problems are appended, and a
    note when the file was not UTF-8. TextDecodeError when it is no text it reads."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return list(_csv_products(path, needed, problems, notes))
    if suffix in JSONL_SUFFIXES:
        return list(_jsonl_products(path, needed, problems, notes))
    problems.append(f"not a .csv or .jsonl feed: {path.name}")
    return []


def inputs_digest(photos: list[str], prompt: str, options: JobOptions) -> str:
    """sha256 of what makes the video: the photos' bytes (a URL: its text), prompt, options."""
    digest = hashlib.sha256()
    digest.update(json.dumps([prompt, options.model_dump(mode="json")], sort_keys=True).encode())
    for photo in photos:
        if "://" in photo:
            digest.update(photo.encode())
            continue
        with open(photo, "rb") as image:
            digest.update(hashlib.file_digest(image, "sha256").digest())
    return digest.hexdigest()


def _product_spec(
    product: Product,
    template: str,
    options: JobOptions,
    root: Path,
    roots: list[Path],
    feed: Path,
) -> tuple[JobSpec | None, list[str]]:
    where = product.where
    try:
        prompt = template.format_map(product.fields)
    except (KeyError, IndexError, ValueError, AttributeError) as error:
        return None, [f"{where}: prompt template: {type(error).__name__}: {error}"]
    photos, photo_problems = resolve_photos(product.photos, root, roots, backend=options.backend)
    problems = [f"{where}: photos: {message}" for _index, message in photo_problems]
    fields = {key: value for key, value in product.fields.items() if key != "photos"}
    if fields.get("logo") and options.logo is None:
        fields["logo"], problem = resolve_logo(str(fields["logo"]), root)
        if problem:
            problems.append(f"{where} ({product.fields['id']}): logo: {problem}")
    if not photos and not photo_problems:
        problems.append(f"{where}: photos: no photos found")
    if problems:
        return None, problems
    try:
        spec = JobSpec(
            id=job_id_for(str(product.fields["id"])),
            photos=photos,
            prompt=prompt,
            options=options,
            source=JobSource(kind="catalog", path=str(feed.resolve()), fields=fields),
        )
    except ValidationError as error:
        return None, [f"{where}: {describe_validation_error(error)}"]
    digest = inputs_digest(spec.photos, f"{spec.prompt}\n{json.dumps(fields)}", spec.options)
    return spec.model_copy(update={"source": spec.source.model_copy(update={"digest": digest})}), []


def catalog_specs(
    feed: Path,
    template: str,
    overrides: dict[str, Any],
    *,
    allowed_roots: list[Path] | None = None,
) -> list[JobSpec]:
    """One job spec per product, its ``source.digest`` set; a CatalogError lists every
    problem. ``allowed_roots`` defaults to ``PHOTOREEL_ALLOWED_ROOTS``."""
    if not feed.is_file():
        raise CatalogError(feed, ["no such file"])
    root = feed.parent.resolve()
    notes: list[str] = []
    resolved, file_problems = resolve_promo_files(overrides, root, notes)
    option_problems = [f"options: {field}: {why}" for field, why in file_problems]
    failed = {field for field, _why in file_problems}
    try:
        options = JobOptions.model_validate(
            {key: value for key, value in resolved.items() if key not in failed}
        )
    except ValidationError as error:
        option_problems.append(f"options: {describe_validation_error(error)}")
    if option_problems:
        raise CatalogError(feed, option_problems)
    extra_roots = get_settings().allowed_roots if allowed_roots is None else allowed_roots
    roots = [root, *(extra.resolve() for extra in extra_roots)]
    problems: list[str] = []
    needed = set(REQUIRED_FIELDS) | template_fields(template)
    if options.template is not None:
        needed |= options.template.fields() - set(WORD_FIELDS)
    try:
        products = read_products(feed, needed, problems, notes)
    except (TextDecodeError, csv.Error) as error:
        raise CatalogError(feed, [f"unreadable: {error}"]) from None
    specs: dict[str, JobSpec] = {}
    for product in products:
        spec, product_problems = _product_spec(product, template, options, root, roots, feed)
        problems.extend(product_problems)
        if spec is None:
            continue
        if spec.id in specs:
            problems.append(f"{product.where}: id: {spec.id!r} is used by an earlier product")
        specs[spec.id] = spec
    if not products and not problems:
        problems.append("no products")
    if problems:
        raise CatalogError(feed, problems)
    return [with_notes(spec, notes) for spec in specs.values()]


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
