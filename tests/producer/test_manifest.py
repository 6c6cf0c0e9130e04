from pathlib import Path

import pytest

from producer.manifest import ManifestError, load_manifest
from tests.conftest import make_photo


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
