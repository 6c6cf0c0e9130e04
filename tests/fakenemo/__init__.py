"""A NemoVideo-compatible stub server for tests and local runs (``photoreel fake-nemo``)."""

from tests.fakenemo.app import create_app
from tests.fakenemo.server import FakeNemo, running, serve
from tests.fakenemo.world import FakeConfig, Faults, World

__all__ = ["FakeConfig", "FakeNemo", "Faults", "World", "create_app", "running", "serve"]
