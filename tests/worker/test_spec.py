import pytest

from worker.spec import Aspect, JobSource, JobSpec, SpecError, parse_spec


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


def test_content_hash_includes_the_producers_digest_of_the_inputs() -> None:
    plain = JobSpec(id="a", photos=["/p/1.jpg"], prompt="fast")
    seen = plain.model_copy(update={"source": JobSource(kind="catalog", digest="abc")})
    changed = plain.model_copy(update={"source": JobSource(kind="catalog", digest="def")})
    assert len({plain.content_hash(), seen.content_hash(), changed.content_hash()}) == 3
