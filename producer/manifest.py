"""YAML campaign manifests → job specs, with every error reported at once, line and field.

```yaml
defaults: {prompt: "…", options: {duration: 15, aspect: "9:16"}}
jobs:
  - id: spring
    photos: ["spring/*.jpg"]        # globs relative to the manifest
    prompt: "…"                     # optional, else the default
    options: {title: "Spring"}      # merged over the defaults
```
Photo and music paths may not leave the manifest's folder or the folders listed in
``PHOTOREEL_ALLOWED_ROOTS``; symlinks that lead out are refused. A photo may be an http(s) URL,
for every backend: the worker fetches it (``worker.files.web_fetch``). A music file is relative to
the manifest.
"""

from __future__ import annotations

import difflib
import glob
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from config.settings import get_settings
from producer.photosets import (
    IMAGE_SUFFIXES,
    PhotoSetError,
    broken_link,
    images_in,
    is_broken_link,
    job_id_for,
)
from producer.promo_files import PromoFiles
from producer.text_files import TextDecodeError, read_text_file
from producer.yaml_file import WrittenLoader, yaml_problem
from worker.job.spec import JobOptions, JobSource, JobSpec, has_audio_suffix

URL_PREFIXES = ("http://", "https://")
LEADS_OUT = "leads outside the manifest's folder and PHOTOREEL_ALLOWED_ROOTS"
DEFAULT_MUSIC = ("defaults", "options", "music")
MAX_YAML_NODES = 2_000_000
"""Values a YAML file may hold once its aliases are expanded: a few hundred bytes of nested
anchors (a "YAML bomb") would otherwise expand to gigabytes. A 60,000-job manifest holds
about 500,000."""


class ManifestError(ValueError):
    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{path}: {len(problems)} problem(s)\n{listing}")


class ManifestDefaults(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt: str = ""
    options: dict[str, Any] = Field(default_factory=dict)


class ManifestJob(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    photos: list[str] = Field(min_length=1)
    prompt: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("photos", mode="before")
    @classmethod
    def _one_glob(cls, value: object) -> object:
        """``photos: "*.jpg"`` is the one glob it reads as, not a list to be refused."""
        return [value] if isinstance(value, str) else value


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    defaults: ManifestDefaults = Field(default_factory=ManifestDefaults)
    jobs: list[ManifestJob] = Field(min_length=1)


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values ``node`` stands for with every alias expanded; each distinct node is
    counted once (``sizes``), so a bomb is measured without being expanded."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    size = 1
    if isinstance(node, yaml.MappingNode):
        size += sum(_expanded_size(value, sizes) for _key, value in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(item, sizes) for item in node.value)
    sizes[id(node)] = size
    return size


def known_options(
    options: dict[str, Any], lines: dict[tuple[str, ...], int], location: tuple[str, ...]
) -> tuple[dict[str, Any], list[str]]:
    """``options`` without the keys that are not job options, and a problem for each of those
    (with its line, and the option it was probably meant to be)."""
    known = list(JobOptions.model_fields)
    kept: dict[str, Any] = {}
    problems = []
    for key, value in options.items():
        if key in known:
            kept[key] = value
            continue
        close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"options are {', '.join(known)}"
        problems.append(_describe(lines, (*location, str(key)), f"unknown option; {hint}"))
    return kept, problems


def _node_lines(node: yaml.Node, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], int]:
    """Map each key path (``("jobs", "0", "options")``) to its 1-based line in the file."""
    lines = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, str(key_node.value))
            lines.update(_node_lines(value_node, child))
            lines[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.update(_node_lines(item, (*path, str(index))))
    return lines


def _locate(lines: dict[tuple[str, ...], int], location: tuple[str, ...]) -> int:
    for end in range(len(location), -1, -1):
        if location[:end] in lines:
            return lines[location[:end]]
    return 1


def _describe(lines: dict[tuple[str, ...], int], location: tuple[str, ...], message: str) -> str:
    field = ".".join(location) or "(manifest)"
    return f"line {_locate(lines, location)}: {field}: {message}"


def resolve_photos(
    patterns: list[str], root: Path, allowed_roots: list[Path]
) -> tuple[list[str], list[tuple[int, str]]]:
    """Globs relative to ``root`` → absolute photo paths (http(s) URLs kept as they are),
    and the problems found as (index of the pattern, message). Names match in any case, as
    on the Windows or macOS machine the manifest or feed was written on (``*.jpg`` takes a
    camera's ``IMG_0001.JPG``), with ``\\`` between folders as there; a photo two globs match is
    taken once. A folder named without a wildcard stands for its photos, as a photo folder
    does for ``run``."""
    photos: list[str] = []
    problems: list[tuple[int, str]] = []
    globbed: set[str] = set()
    for index, pattern in enumerate(patterns):
        if pattern.lower().startswith(URL_PREFIXES):
            photos.append(pattern)
            continue
        as_here = _any_case(pattern.replace("\\", "/"))  # no name on Windows holds a "\\"
        matches = sorted(glob.glob(str(root / as_here), recursive=True))
        if not matches:
            problems.append((index, f"{pattern!r} matches no file"))
            continue
        candidates: list[Path] = []
        for match in map(Path, matches):
            if match.is_dir() and not glob.has_magic(pattern):
                try:
                    inside = images_in(match)
                except PhotoSetError as problem:  # a link in it that leads nowhere
                    problems.append((index, str(problem)))
                    continue
                candidates.extend(inside)
                if not inside:
                    problems.append((index, f"{pattern!r} is a folder with no photos"))
            else:
                candidates.append(match)
        for candidate in candidates:
            if is_broken_link(candidate):
                problems.append((index, f"{candidate.name}: {broken_link(candidate)}"))
                continue
            resolved = candidate.resolve()
            if not _inside(resolved, allowed_roots):
                problems.append((index, f"{pattern!r} {LEADS_OUT}"))
                break
            if str(resolved) in globbed and glob.has_magic(pattern):
                continue
            if resolved.is_file() and resolved.suffix.lower() in IMAGE_SUFFIXES:
                photos.append(str(resolved))
                globbed.add(str(resolved))
    return photos, problems


def _any_case(pattern: str) -> str:
    """The glob ``pattern`` with each letter outside a ``[…]`` set matching either case."""
    written: list[str] = []
    in_set = False
    for char in pattern:
        if char == "[" or char == "]":
            in_set = char == "["
        elif not in_set and char.lower() != char.upper():
            char = f"[{char.lower()}{char.upper()}]"
        written.append(char)
    return "".join(written)


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path.is_relative_to(root) for root in roots)


def _resolve_music(music: str, root: Path, allowed_roots: list[Path]) -> tuple[str, str | None]:
    """A music file relative to ``root`` → its absolute path; a mood or URL stays as it is.
    Returns the value to use and a problem, if any."""
    if music.startswith(URL_PREFIXES):
        return music, None
    candidate = root / music
    if not candidate.exists():
        if has_audio_suffix(music) or "/" in music:
            return music, f"{music!r} is not a file next to the manifest"
        return music, None
    resolved = candidate.resolve()
    if not _inside(resolved, allowed_roots):
        return music, f"{music!r} {LEADS_OUT}"
    return str(resolved), None


def _parse_yaml(path: Path, shape: str, notes: list[str]) -> tuple[Any, dict[tuple[str, ...], int]]:
    """The file's data and the line of each key path; a ManifestError unless it is a mapping.
    Read as it was saved (``producer.text_files``); a note on how goes to ``notes``."""
    try:
        decoded = read_text_file(path, legacy_fallback=False)
    except (OSError, TextDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ManifestError(path, [f"cannot read it: {reason}"]) from None
    if note := decoded.note(path.name):
        notes.append(note)
    try:
        node = yaml.compose(decoded.text, Loader=WrittenLoader)
    except yaml.YAMLError as error:
        raise ManifestError(path, [yaml_problem(error, decoded.text)]) from None
    if node is None:
        raise ManifestError(path, [f"line 1: {shape}"])
    if _expanded_size(node, {}) > MAX_YAML_NODES:
        message = f"line 1: its aliases expand to more than {MAX_YAML_NODES:,} values; refused"
        raise ManifestError(path, [message])
    try:
        data = WrittenLoader("").construct_document(node)  # from the nodes: no second parse
    except yaml.YAMLError as error:
        raise ManifestError(path, [yaml_problem(error, decoded.text)]) from None
    if not isinstance(data, dict):
        raise ManifestError(path, [f"line 1: {shape}"])
    return data, _node_lines(node)


def load_options_file(
    path: Path, base: dict[str, Any], notes: list[str] | None = None
) -> JobOptions:
    """A YAML mapping of job options (a photo folder's ``job.yaml``) merged over ``base``.

    A music file is relative to the file's folder. Every error at once, with line and field.
    A note for each file not read as UTF-8 (this one, a template, a brand file) goes to
    ``notes``."""
    notes = [] if notes is None else notes
    shape = "job options are a mapping: `duration: 8`, `aspect: 9:16` …"
    data, lines = _parse_yaml(path, shape, notes)
    data, problems = known_options(data, lines, ())
    merged, file_problems = PromoFiles().resolve({**base, **data}, path.parent, notes)
    problems += [_describe(lines, (field,), why) for field, why in file_problems]
    if file_problems:
        raise ManifestError(path, problems)
    try:
        options = JobOptions.model_validate(merged)
    except ValidationError as error:
        problems += [
            _describe(lines, tuple(str(part) for part in item["loc"]), item["msg"])
            for item in error.errors()
        ]
    if problems:
        raise ManifestError(path, problems)
    if options.music:
        folder = path.parent.resolve()
        music, problem = _resolve_music(options.music, folder, [folder])
        if problem:
            raise ManifestError(path, [_describe(lines, ("music",), problem)])
        options = options.model_copy(update={"music": music})
    return options


def load_manifest(
    path: Path,
    *,
    overrides: dict[str, Any] | None = None,
    defaults: dict[str, Any] | None = None,
    allowed_roots: list[Path] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[JobSpec]:
    """The manifest's jobs; ``overrides`` (from the command line) win over its options, which
    win over ``defaults`` (from the settings). ``allowed_roots`` defaults to
    ``PHOTOREEL_ALLOWED_ROOTS``. ``progress(done, total)`` is told of each job read."""
    notes: list[str] = []
    data, lines = _parse_yaml(path, "a manifest is a mapping with `defaults` and `jobs`", notes)
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as error:
        problems = [
            _describe(lines, tuple(str(part) for part in item["loc"]), item["msg"])
            for item in error.errors()
        ]
        raise ManifestError(path, problems) from None
    if allowed_roots is None:
        allowed_roots = get_settings().allowed_roots

    root = path.parent.resolve()
    roots = [root, *(allowed.resolve() for allowed in allowed_roots)]
    default_options, problems = known_options(
        manifest.defaults.options, lines, ("defaults", "options")
    )
    specs: list[JobSpec] = []
    promo_files = PromoFiles()  # a brand, template or logo many jobs share is read once
    for index, job in enumerate(manifest.jobs):
        if progress:
            progress(index + 1, len(manifest.jobs))
        where = ("jobs", str(index))
        job_id = job.id or job_id_for(f"{path.stem}-{index + 1}")
        job_options, typos = known_options(job.options, lines, (*where, "options"))
        problems += typos
        merged = {**(defaults or {}), **default_options, **job_options, **(overrides or {})}
        job_notes = list(notes)
        merged, file_problems = promo_files.resolve(merged, root, job_notes)
        for field, message in file_problems:
            scope = (*where, "options") if field in job.options else ("defaults", "options")
            problems.append(_describe(lines, (*scope, field), f"job {job_id}: {message}"))
        try:
            options = JobOptions.model_validate(merged)
        except ValidationError as error:
            for item in error.errors():
                location = (*where, "options", *(str(part) for part in item["loc"]))
                problems.append(_describe(lines, location, f"job {job_id}: {item['msg']}"))
            continue
        if file_problems:
            continue
        photos, photo_problems = resolve_photos(job.photos, root, roots)
        for photo_index, message in photo_problems:
            problems.append(_describe(lines, (*where, "photos", str(photo_index)), message))
        if options.music:
            music, problem = _resolve_music(options.music, root, roots)
            if problem:
                in_job = "music" in job.options
                location = (*where, "options", "music") if in_job else DEFAULT_MUSIC
                problems.append(_describe(lines, location, problem))
            options = options.model_copy(update={"music": music})
        if photo_problems:
            continue
        if not photos:
            problems.append(_describe(lines, (*where, "photos"), "no photos found"))
            continue
        try:
            specs.append(
                JobSpec(
                    id=job_id,
                    photos=photos,
                    prompt=job.prompt if job.prompt is not None else manifest.defaults.prompt,
                    options=options,
                    source=JobSource(
                        kind="manifest", path=str(path.resolve()), notes=job_notes or None
                    ),
                )
            )
        except ValidationError as error:
            for item in error.errors():
                location = (*where, *(str(part) for part in item["loc"]))
                problems.append(_describe(lines, location, item["msg"]))
    if problems:
        raise ManifestError(path, problems)
    return specs
