"""docker-compose.yml: the services a deployment needs, wired the way the code expects."""

from pathlib import Path

import yaml

from producer.cli import cli

COMPOSE = Path(__file__).resolve().parents[1] / "docker-compose.yml"


def test_compose_runs_redis_with_aof_workers_watcher_and_flower() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert set(services) == {"redis", "worker", "io-worker", "watcher", "flower"}
    assert services["io-worker"]["command"] == ["worker", "--io"]
    assert "photoreel.io@" in services["io-worker"]["healthcheck"]["test"][1]
    assert "--appendonly" in services["redis"]["command"]
    worker = services["worker"]
    assert worker["command"][0] == "worker"
    assert worker["environment"]["PHOTOREEL_METRICS_PORT"] in worker["expose"]
    assert "inspect ping -d photoreel@" in worker["healthcheck"]["test"][1]  # worker_command's name
    assert services["flower"]["entrypoint"][:4] == ["celery", "-A", "worker.app", "flower"]
    commands = {command.name or command.callback.__name__ for command in cli.registered_commands}
    for service in ("worker", "watcher"):
        assert services[service]["environment"]["REDIS_URL"].startswith("redis://redis:")
        assert services[service]["command"][0] in commands | {"watch"}
