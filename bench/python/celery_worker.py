"""Runs a Celery worker for the benchmark and reports to the harness on file descriptor 3.

The threads pool runs every task in this one process (so its RSS is the worker's) with the same
concurrency as the Node contenders; gossip, mingle and heartbeats are off, as in a tuned deploy.
"""

import os
import sys

from celery import signals

from bench_celery import app, progress


@signals.worker_ready.connect
def on_ready(**_):
    progress.send({"type": "ready"})
    progress.report_every(0.1)


def main():
    progress.open()
    concurrency = os.environ.get("BENCH_CONCURRENCY", "32")
    argv = [
        "worker",
        "--pool=threads",
        f"--concurrency={concurrency}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=WARNING",
    ]
    try:
        app.worker_main(argv)
    except SystemExit:
        pass
    finally:
        progress.final()
    sys.exit(0)


if __name__ == "__main__":
    main()
