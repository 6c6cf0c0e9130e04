import pytest
from pydantic import ValidationError

from worker.job.spec import (
    Aspect,
    Container,
    JobOptions,
    JobSource,
    JobSpec,
    PhotoChoice,
    Resolution,
    SpecError,
    parse_spec,
)


def test_valid_spec_gets_defaults() -> None:
    spec = parse_spec({"id": "summer-1", "photos": ["a.jpg"], "prompt": "15-second promo"})
    assert spec.options.container == "mp4"
    assert spec.options.backend == "local"
    assert spec.options.aspect is None
    assert spec.source.kind == "cli"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"id": "x", "photos": []}, "photos"),
        ({"id": "bad id!", "photos": ["a.jpg"]}, "id"),
        ({"id": "x", "photos": ["a.jpg"], "options": {"aspect": "4:3"}}, "options.aspect"),
        ({"id": "x", "photos": ["a.jpg"], "options": {"container": "avi"}}, "options.container"),
        ({"id": "x", "photos": ["a.jpg"], "options": {"duration": -1}}, "options.duration"),
        ({"id": "x", "photos": ["a.jpg"], "options": {"backend": "gpu"}}, "options.backend"),
        ({"id": "x", "photos": ["a.jpg"], "options": {"colour": "red"}}, "options.colour"),
        ({"id": "x", "photos": ["  "]}, "photos"),
    ],
)
def test_invalid_spec_names_the_field(data: dict, field: str) -> None:
    with pytest.raises(SpecError) as raised:
        parse_spec(data)
    assert str(raised.value).startswith(f"{field}")


def test_content_hash_ignores_id_but_not_prompt() -> None:
    first = JobSpec(id="a", photos=["1.jpg"], prompt="fast")
    renamed = JobSpec(id="b", photos=["1.jpg"], prompt="fast")
    reprompted = JobSpec(id="a", photos=["1.jpg"], prompt="slow")
    assert first.content_hash() == renamed.content_hash()
    assert first.content_hash() != reprompted.content_hash()


def test_aspect_ratio() -> None:
    assert Aspect("9:16").ratio == (9, 16)
    assert [aspect.value for aspect in Aspect] == ["9:16", "16:9", "1:1", "4:5", "3:4", "2:3"]


@pytest.mark.parametrize(
    ("written", "aspect"),
    [("9x16", Aspect.VERTICAL), ("4/5", Aspect.PORTRAIT), ("3 : 4", Aspect.PORTRAIT_3_4)],
)
def test_ratios_as_people_write_them(written: str, aspect: Aspect) -> None:
    assert JobOptions(aspect=written).aspect == aspect


@pytest.mark.parametrize(
    ("written", "resolution"),
    [(720, Resolution.HD), ("1080P", Resolution.FULL_HD), ("4K", Resolution.UHD)],
)
def test_resolutions_as_people_write_them(written: object, resolution: Resolution) -> None:
    assert JobOptions(resolution=written).resolution == resolution


@pytest.mark.parametrize(("written", "seconds"), [("0:30", 30), ("1:30", 90), ("90s", 90)])
def test_a_duration_as_people_write_it(written: str, seconds: float) -> None:
    assert JobOptions(duration=written).duration == seconds


def test_what_is_not_a_duration_or_aspect_is_still_refused() -> None:
    with pytest.raises(ValidationError):
        JobOptions(duration="soon")
    with pytest.raises(ValidationError):
        JobOptions(aspect="4:3")


def test_content_hash_includes_the_producers_digest_of_the_inputs() -> None:
    plain = JobSpec(id="a", photos=["/p/1.jpg"], prompt="fast")
    seen = plain.model_copy(update={"source": JobSource(kind="catalog", digest="abc")})
    changed = plain.model_copy(update={"source": JobSource(kind="catalog", digest="def")})
    assert len({plain.content_hash(), seen.content_hash(), changed.content_hash()}) == 3


@pytest.mark.parametrize(
    ("options", "field", "value"),
    [
        ({"photos": "All"}, "photos", PhotoChoice.ALL),
        ({"photos": "ALL "}, "photos", PhotoChoice.ALL),
        ({"photos": "Best"}, "photos", PhotoChoice.BEST),
        ({"container": "MP4"}, "container", Container.MP4),
        ({"container": " Mov"}, "container", Container.MOV),
    ],
)
def test_choices_as_people_type_them(options: dict, field: str, value: object) -> None:
    assert getattr(JobOptions.model_validate(options), field) == value


def test_a_choice_that_is_none_of_them_is_still_refused() -> None:
    with pytest.raises(ValidationError, match="'best' or 'all'"):
        JobOptions(photos="every")
