from redis import Redis

from config.settings import get_settings
from producer.embedded import EmbeddedRedis
from tests.conftest import queued_messages
from worker.app import app, connect
from worker.handoff import submit
from worker.spec import JobSpec


def test_connect_again_sends_later_messages_to_the_new_redis(redis_url: str) -> None:
    with EmbeddedRedis() as first:
        connect(first.url)
        submit(JobSpec(id="a", photos=["/a.jpg"]))
        assert queued_messages(Redis.from_url(first.url), get_settings().queue) == 1
    second_url = f"{redis_url.rsplit('/', 1)[0]}/14"
    second = Redis.from_url(second_url)
    second.flushdb()
    connect(second_url)
    submit(JobSpec(id="b", photos=["/b.jpg"]))
    assert queued_messages(second, get_settings().queue) == 1
    assert app.conf.broker_url == second_url
    second.flushdb()
