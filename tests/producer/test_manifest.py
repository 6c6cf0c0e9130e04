import shutil
from pathlib import Path

import pytest
from PIL import Image

from config.settings import get_settings
from producer import promo_files
from producer.manifest import ManifestError, load_manifest, load_options_file
from tests.conftest import make_photo

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    for name in ("a1.jpg", "a2.jpg", "b1.png"):
        make_photo(tmp_path / "photos" / name)
    return tmp_path


def write(folder: Path, text: str) -> Path:
    manifest = folder / "campaign.yaml"
    manifest.write_text(text)
    return manifest


def test_defaults_merge_and_globs_resolve(campaign: Path) -> None:
    manifest = write(
        campaign,
        """
defaults:
  prompt: "fast promo"
  options: {duration: 8, aspect: "9:16"}
jobs:
  - id: a
    photos: ["photos/a*.jpg"]
    options: {title: "Spring"}
  - photos: ["photos/b1.png"]
    prompt: "slow"
    options: {aspect: "1:1"}
""",
    )
    first, second = load_manifest(manifest)
    assert first.id == "a" and len(first.photos) == 2
    assert first.prompt == "fast promo"
    assert first.options.duration == 8 and first.options.title == "Spring"
    assert second.id == "campaign-2" and second.prompt == "slow"
    assert second.options.aspect == "1:1" and second.options.duration == 8
    assert all(Path(photo).is_absolute() for photo in first.photos + second.photos)
    assert first.source.kind == "manifest"


def test_every_error_is_reported_with_line_and_field(campaign: Path) -> None:
    manifest = write(
        campaign,
        """defaults:
  options: {duration: 8}
jobs:
  - id: ok
    photos: ["photos/a1.jpg"]
  - id: bad-aspect
    photos: ["photos/a1.jpg"]
    options:
      aspect: "4:3"
  - id: nothing
    photos: ["photos/zzz*.jpg"]
  - id: escape
    photos: ["../../etc/*.jpg"]
""",
    )
    with pytest.raises(ManifestError) as raised:
        load_manifest(manifest)
    problems = raised.value.problems
    assert len(problems) == 3, problems
    assert problems[0].startswith("line 9: jobs.1.options.aspect:")
    assert problems[1].startswith("line 11: jobs.2.photos.0:") and "matches no file" in problems[1]
    assert problems[2].startswith("line 13: jobs.3.photos.0:")


def test_schema_errors_are_all_reported(campaign: Path) -> None:
    manifest = write(
        campaign, "jobs:\n  - photos: []\n  - prompt: x\n    photos: [a]\n    size: 3\n"
    )
    with pytest.raises(ManifestError) as raised:
        load_manifest(manifest)
    text = str(raised.value)
    assert "line 2: jobs.0.photos" in text
    assert "line 5: jobs.1.size" in text


def test_symlink_leading_out_is_refused(campaign: Path, tmp_path_factory) -> None:
    outside = make_photo(tmp_path_factory.mktemp("elsewhere") / "secret.jpg")
    (campaign / "photos" / "link.jpg").symlink_to(outside)
    manifest = write(campaign, "jobs:\n  - photos: ['photos/link.jpg']\n")
    with pytest.raises(ManifestError, match="leads outside the manifest's folder"):
        load_manifest(manifest)


def test_not_yaml(campaign: Path) -> None:
    with pytest.raises(ManifestError, match="not valid YAML"):
        load_manifest(write(campaign, "jobs: [unclosed\n"))


@pytest.mark.parametrize("backend", ["local", "dry", "nemo"])
def test_photo_urls_for_every_backend(campaign: Path, backend: str) -> None:
    text = """jobs:
  - id: web
    photos: ["photos/a1.jpg", "https://example.com/b.jpg"]
"""
    [spec] = load_manifest(write(campaign, text), overrides={"backend": backend})
    assert spec.photos[1] == "https://example.com/b.jpg"
    assert spec.options.backend == backend


def test_allowed_roots_admit_photos_from_other_folders(
    campaign: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path_factory.mktemp("shared")
    make_photo(shared / "logo.jpg")
    manifest = write(campaign, f"jobs:\n  - photos: ['{shared}/*.jpg', 'photos/a1.jpg']\n")
    with pytest.raises(ManifestError, match="leads outside the manifest's folder"):
        load_manifest(manifest, allowed_roots=[])
    monkeypatch.setenv("PHOTOREEL_ALLOWED_ROOTS", f"/nonexistent:{shared}")
    get_settings.cache_clear()
    try:
        [spec] = load_manifest(manifest)
    finally:
        get_settings.cache_clear()
    assert spec.photos[0] == str((shared / "logo.jpg").resolve())


def test_music_is_relative_to_the_manifest_and_must_exist(campaign: Path) -> None:
    (campaign / "audio").mkdir()
    (campaign / "audio" / "theme.mp3").write_bytes(b"ID3")
    manifest = write(
        campaign,
        """defaults:
  options: {music: audio/theme.mp3}
jobs:
  - id: file
    photos: ["photos/a1.jpg"]
  - id: mood
    photos: ["photos/a1.jpg"]
    options: {music: upbeat}
""",
    )
    with_file, with_mood = load_manifest(manifest)
    assert with_file.options.music == str((campaign / "audio" / "theme.mp3").resolve())
    assert with_mood.options.music == "upbeat"


def test_new_rules_report_all_errors_at_once(campaign: Path) -> None:
    manifest = write(
        campaign,
        """defaults:
  options: {music: missing.mp3}
jobs:
  - id: web
    photos: ["photos/none-*.jpg"]
  - id: song
    photos: ["photos/a1.jpg"]
    options:
      music: ../../outside.wav
""",
    )
    (campaign.parent / "outside.wav").write_bytes(b"RIFF")
    with pytest.raises(ManifestError) as raised:
        load_manifest(manifest)
    problems = raised.value.problems
    assert len(problems) == 3, problems
    assert problems[0].startswith("line 5: jobs.0.photos.0:") and "no file" in problems[0]
    assert problems[1].startswith("line 2: defaults.options.music:") and "not a file" in problems[1]
    assert problems[2].startswith("line 9: jobs.1.options.music:") and "outside" in problems[2]


def test_options_file_errors_have_lines(tmp_path: Path) -> None:
    options_file = tmp_path / "job.yaml"
    options_file.write_text("title: Summer\nfps: 500\naspect: '4:3'\n")
    with pytest.raises(ManifestError) as raised:
        load_options_file(options_file, {})
    lines = sorted(problem.split(":")[0] for problem in raised.value.problems)
    assert lines == ["line 2", "line 3"]
    options_file.write_text("title: Summer\n")
    assert load_options_file(options_file, {"backend": "nemo"}).backend == "nemo"


def test_options_as_people_write_them_unquoted(campaign: Path) -> None:
    manifest = write(
        campaign,
        """
defaults:
  options: {aspect: 9:16, duration: 0:30, resolution: 720p}
jobs:
  - photos: ["photos/a*.jpg"]
    options:
      aspect: 4:5
      title: No
""",
    )
    (spec,) = load_manifest(manifest)
    assert (spec.options.aspect, spec.options.duration) == ("4:5", 30)
    assert (spec.options.resolution, spec.options.title) == ("720p", "No")
    options_file = campaign / "job.yaml"
    options_file.write_text("aspect: 9:16\nduration: 1:30\n")
    options = load_options_file(options_file, {})
    assert (options.aspect, options.duration) == ("9:16", 90)


def yaml_bomb(levels: int = 9) -> str:
    """Nine levels of nine aliases each: 600 bytes that stand for 9**9 values."""
    lines = ['a0: &a0 ["lol"]']
    for level in range(1, levels + 1):
        aliases = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    return "\n".join(lines) + f"\njobs:\n  - photos: *a{levels}\n"


def test_yaml_bomb_is_refused_without_being_expanded(campaign: Path) -> None:
    manifest = write(campaign, yaml_bomb())
    with pytest.raises(ManifestError, match="aliases expand to more than 2,000,000 values"):
        load_manifest(manifest)
    options_file = campaign / "job.yaml"
    options_file.write_text(yaml_bomb().replace("jobs:\n  - photos:", "title:"))
    with pytest.raises(ManifestError, match="aliases expand"):
        load_options_file(options_file, {})


def test_aliases_of_a_normal_size_still_work(campaign: Path) -> None:
    manifest = write(
        campaign,
        """
shared: &shared {duration: 5}
jobs:
  - {id: one, photos: ["photos/a1.jpg"], options: *shared}
  - {id: two, photos: ["photos/a2.jpg"], options: *shared}
""".replace("shared: &shared", "defaults:\n  options: &shared"),
    )
    assert [spec.options.duration for spec in load_manifest(manifest)] == [5, 5]


def test_option_typos_are_reported_with_line_and_a_guess(campaign: Path) -> None:
    manifest = write(
        campaign,
        """defaults:
  options: {duraton: 5}
jobs:
  - photos: ["photos/a1.jpg"]
    options:
      titel: Hello
      aspect: "9:16"
  - photos: ["photos/a2.jpg"]
""",
    )
    with pytest.raises(ManifestError) as raised:
        load_manifest(manifest)
    assert raised.value.problems == [
        "line 2: defaults.options.duraton: unknown option; did you mean 'duration'?",
        "line 6: jobs.0.options.titel: unknown option; did you mean 'title'?",
    ]
    options_file = campaign / "job.yaml"
    options_file.write_text("aspect: '9:16'\nmusik: calm\n")
    with pytest.raises(ManifestError, match="line 2: musik: unknown option; did you mean 'music'"):
        load_options_file(options_file, {})


def test_a_manifest_backend_wins_over_the_default_but_not_over_a_flag(campaign: Path) -> None:
    manifest = write(
        campaign,
        """
defaults: {options: {backend: nemo}}
jobs:
  - {id: cloud, photos: ["photos/a1.jpg"]}
  - {id: here, photos: ["photos/a2.jpg"], options: {backend: local}}
""",
    )
    defaults = {"backend": "local"}
    specs = load_manifest(manifest, defaults=defaults)
    assert [spec.options.backend for spec in specs] == ["nemo", "local"]
    flagged = load_manifest(manifest, defaults=defaults, overrides={"backend": "local"})
    assert [spec.options.backend for spec in flagged] == ["local", "local"]


def test_loading_tells_progress_job_by_job(campaign: Path) -> None:
    jobs = "".join(f"  - {{id: j{index}, photos: [photos/a1.jpg]}}\n" for index in range(3))
    told: list[tuple[int, int]] = []
    load_manifest(write(campaign, f"jobs:\n{jobs}"), progress=lambda *at: told.append(at))
    assert told == [(1, 3), (2, 3), (3, 3)]


MANIFEST = (
    'defaults:\n  prompt: "Promo d\'été, 9:16"\n  options: {duration: 6}\n'
    'jobs:\n  - id: summer\n    photos: ["photos/*.jpg"]\n    options: {title: Café}\n'
)


@pytest.mark.parametrize(
    ("encoding", "newline", "note"),
    [
        ("utf-16", "\r\n", "campaign.yaml was read as UTF-16 (BOM)"),  # Notepad's "Unicode"
        ("utf-8-sig", "\r\n", None),  # Notepad's "UTF-8 with BOM"
        ("utf-8", "\r", None),  # classic Mac OS line endings
    ],
)
def test_a_manifest_is_read_as_its_editor_saved_it(
    campaign: Path, encoding: str, newline: str, note: str | None
) -> None:
    manifest = campaign / "campaign.yaml"
    manifest.write_bytes(MANIFEST.replace("\n", newline).encode(encoding))
    [spec] = load_manifest(manifest)
    assert (spec.id, spec.prompt, spec.options.title) == ("summer", "Promo d'été, 9:16", "Café")
    assert spec.source.notes == ([note] if note else None)


def test_a_job_yaml_saved_by_notepad_as_unicode_is_read_and_noted(tmp_path: Path) -> None:
    options_file = tmp_path / "job.yaml"
    options_file.write_bytes("title: Café\r\naspect: '9:16'\r\n".encode("utf-16"))
    notes: list[str] = []
    options = load_options_file(options_file, {}, notes)
    assert (options.title, options.aspect) == ("Café", "9:16")
    assert notes == ["job.yaml was read as UTF-16 (BOM)"]


def test_a_manifest_in_a_legacy_encoding_is_one_error_with_its_line(campaign: Path) -> None:
    manifest = campaign / "campaign.yaml"
    manifest.write_bytes(MANIFEST.encode("cp1252"))
    with pytest.raises(ManifestError) as raised:
        load_manifest(manifest)
    assert raised.value.problems == [
        "cannot read it: not UTF-8: byte 0xe9 at line 2 (save it as UTF-8)"
    ]


def test_ten_thousand_jobs_read_their_shared_brand_template_and_logo_once(
    campaign: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(EXAMPLES / "promo.yaml", campaign / "promo.yaml")
    (campaign / "brand.yaml").write_text('primary: "#1f6f5c"\nlogo: logo.png\n')
    Image.new("RGBA", (64, 32), (200, 30, 30, 255)).save(campaign / "logo.png")
    jobs = "".join(
        f"  - {{id: shoe-{index}, photos: [photos/a1.jpg], options: {{cta: Buy}}}}\n"
        for index in range(10_000)
    )
    manifest = write(
        campaign, f"defaults:\n  options: {{template: promo.yaml, logo: logo.png}}\njobs:\n{jobs}"
    )
    read: list[str] = []
    checked: list[str] = []
    read_text, check_image = promo_files.read_text_file, promo_files.check_image

    def reading(path: Path, **options: bool) -> object:
        read.append(path.name)
        return read_text(path, **options)

    def checking(path: Path, label: str) -> str | None:
        checked.append(path.name)
        return check_image(path, label)

    monkeypatch.setattr(promo_files, "read_text_file", reading)
    monkeypatch.setattr(promo_files, "check_image", checking)

    specs = load_manifest(manifest)

    assert len(specs) == 10_000
    assert sorted(read) == ["brand.yaml", "promo.yaml"]
    assert checked == ["logo.png"] * 2  # the option's logo and the brand's: each once
    assert {spec.options.template.name for spec in specs if spec.options.template} == {"promo"}
    assert all(spec.options.brand and spec.options.brand.primary == "#1f6f5c" for spec in specs)


def test_globs_match_photos_as_windows_and_cameras_name_them(campaign: Path) -> None:
    make_photo(campaign / "photos" / "IMG_0001.JPG")  # a camera's upper-case name
    make_photo(campaign / "photos" / "Cover.Jpeg")
    manifest = write(
        campaign,
        """jobs:
  - id: all-of-them
    photos: ["photos/*.jpg", "photos/*.JPG", "photos/*.jpeg"]
  - id: as-written-on-windows
    photos: ['Photos\\cover.jpeg', 'photos\\a[12].JPG']
""",
    )
    every, windows = load_manifest(manifest)
    assert [Path(photo).name for photo in every.photos] == [
        "IMG_0001.JPG",
        "a1.jpg",
        "a2.jpg",
        "Cover.Jpeg",
    ]
    assert [Path(photo).name for photo in windows.photos] == ["Cover.Jpeg", "a1.jpg", "a2.jpg"]


def test_a_folder_named_as_photos_stands_for_the_photos_in_it(campaign: Path) -> None:
    make_photo(campaign / "more" / "c1.jpg")
    (campaign / "empty").mkdir()
    (campaign / "photos" / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    manifest = write(
        campaign,
        """jobs:
  - id: folder
    photos: [photos]
  - id: glob-and-folder
    photos: ["photos/a*.jpg", "more/"]
""",
    )
    folder, mixed = load_manifest(manifest)
    assert [Path(photo).name for photo in folder.photos] == ["a1.jpg", "a2.jpg", "b1.png"]
    assert [Path(photo).name for photo in mixed.photos] == ["a1.jpg", "a2.jpg", "c1.jpg"]
    with pytest.raises(ManifestError, match=r"jobs.0.photos.0: 'empty' is a folder with no"):
        load_manifest(write(campaign, "jobs:\n  - id: x\n    photos: [empty, photos]\n"))


def test_a_photo_link_that_leads_nowhere_is_a_problem_of_its_line(campaign: Path) -> None:
    (campaign / "photos" / "gone.jpg").symlink_to(campaign / "unmounted" / "gone.jpg")
    (campaign / "linked").mkdir()
    (campaign / "linked" / "x.jpg").symlink_to(campaign / "unmounted" / "x.jpg")
    manifest = write(
        campaign,
        "jobs:\n  - id: a\n    photos: ['photos/*.jpg']\n  - id: b\n    photos: [linked]\n",
    )
    with pytest.raises(ManifestError) as raised:
        load_manifest(manifest)
    first, second = raised.value.problems
    assert first.startswith("line 3: jobs.0.photos.0: gone.jpg: a link to ")
    assert second.startswith("line 5: jobs.1.photos.0: ") and "x.jpg: a link to" in second


def test_a_manifest_indented_with_tabs_is_one_problem_saying_so(campaign: Path) -> None:
    manifest = campaign / "campaign.yaml"
    manifest.write_bytes(b"jobs:\r\n\t- id: a\r\n\t  photos: [photos/a1.jpg]\r\n")  # Notepad
    with pytest.raises(ManifestError) as raised:
        load_manifest(manifest)
    assert raised.value.problems == [
        "line 2, column 1: not valid YAML: a tab indents it (YAML indents with spaces)"
    ]


def test_photos_written_as_one_glob_not_a_list_are_that_glob(campaign: Path) -> None:
    manifest = write(campaign, 'jobs:\n  - id: a\n    photos: "photos/a*.jpg"\n')
    [spec] = load_manifest(manifest)
    assert [Path(photo).name for photo in spec.photos] == ["a1.jpg", "a2.jpg"]
