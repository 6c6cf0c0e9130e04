"""``python -m worker.flow.solo_worker``: one single-process (``solo``) Celery worker, the
kind ``run`` starts one of per render at once. It runs its stages in its own process, and
starts without Celery's command line, whose import (click, its REPL, pygments' lexers) is
about 0.1 s of a worker's 0.8 s start on this kind of machine.

Its options are those of ``celery worker`` that ``run`` uses: ``--queues``, ``--hostname``
(``%h`` is the host's name), ``--loglevel``.
"""

from __future__ import annotations

import argparse
import sys

from celery.utils.log import mlevel
from celery.utils.nodenames import default_nodename, host_format


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m worker.flow.solo_worker")
    parser.add_argument("--queues", required=True, help="the queue to consume")
    parser.add_argument("--hostname", default=None, help="node name; %%h: this host's name")
    parser.add_argument("--loglevel", default="WARNING", help="Celery's own log level")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    options = parse(argv)
    from worker.flow.service import app

    worker = app.Worker(
        hostname=host_format(default_nodename(options.hostname)),
        pool_cls="solo",
        concurrency=1,
        loglevel=mlevel(options.loglevel),
        queues=[options.queues],
        without_mingle=True,  # this machine's own worker: no one to sync with at start-up
        without_gossip=True,
        quiet=True,
    )
    worker.start()
    sys.exit(worker.exitcode)


if __name__ == "__main__":
    main()
