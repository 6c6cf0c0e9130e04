from __future__ import annotations

from pathlib import Path

from producer.command_inputs import collect_specs, option_overrides
from tests.conftest import make_photo
from worker.job.spec import BackendName


def test_manifest_backend_is_not_overridden_without_a_flag(tmp_path: Path) -> None:
    make_photo(tmp_path / "a.jpg")
    manifest = tmp_path / "m.yaml"
    manifest.write_text("jobs:\n  - {id: cloud, photos: [a.jpg], options: {backend: nemo}}\n")
    [spec] = collect_specs([manifest], option_overrides(None, None, None))
    assert spec.options.backend == BackendName.NEMO
    [flagged] = collect_specs([manifest], option_overrides(BackendName.LOCAL, None, None))
    assert flagged.options.backend == BackendName.LOCAL
