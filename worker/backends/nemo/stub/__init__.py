"""A NemoVideo-compatible stub server for tests and local runs (``photoreel fake-nemo``).

It speaks every call of the protocol over real HTTP (Starlette under uvicorn) and keeps books:
charges per session and protocol mistakes (a missing ``Authorization`` or attribution header, a
second generation message on a session, ``session_id`` instead of ``sessionId`` in an export,
an export before stage 2 finished, a reused render id, the token sent to ``outputUrl``).

- In tests: the ``fake_nemo`` fixture (``tests.backends.nemo.stub.fixtures``) runs it on a
  free loopback port; ``fake.stats()``, ``fake.charges(session_id)``, ``fake.mistakes`` and
  ``fake.world`` read and change its state in-process.
- Over HTTP: ``GET /_fake/stats`` answers the same books as JSON.
- Faults are chosen per session: by ``FakeConfig.faults`` (keyed by a substring of the task name),
  or by a marker ``nemofault-<fault-name>`` in the task name or the prompt, e.g.
  ``job-7-nemofault-drop-stream-nemofault-slow-stage2``. ``Faults`` lists them all.
"""

from worker.backends.nemo.stub.app import create_app
from worker.backends.nemo.stub.server import FakeNemo, running, serve
from worker.backends.nemo.stub.world import FakeConfig, Faults, World

__all__ = ["FakeConfig", "FakeNemo", "Faults", "World", "create_app", "running", "serve"]
