"""Celery side of the benchmark: the app, the two tasks and the harness's progress channel.

The tasks mirror the Node contenders: a no-op and a 1 KB task that waits 5 ms of I/O. Each
finished task bumps counters that a thread ships on file descriptor 3 (one JSON object a line),
the same protocol as bench/src/workers/progress-channel.ts.
"""

import json
import os
import resource
import threading
import time

from celery import Celery

app = Celery("bench", broker=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/0"))
app.conf.update(
    task_ignore_result=True,
    task_serializer="json",
    accept_content=["json"],
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
)

IO_WAIT_SECONDS = 0.005


def clock():
    return time.time() * 1000


class Progress:
    def __init__(self):
        self.lock = threading.Lock()
        self.done = 0
        self.first = None
        self.last = None
        self.samples = []
        self.channel = None

    def record(self, submitted_at, started_at):
        now = clock()
        with self.lock:
            self.done += 1
            if self.first is None:
                self.first = started_at
            self.last = now
            if submitted_at > 0:
                self.samples.append([submitted_at, started_at, now])

    def open(self):
        self.channel = os.fdopen(3, "w", buffering=1)

    def send(self, message):
        self.channel.write(json.dumps(message) + "\n")

    def flush(self):
        with self.lock:
            samples, self.samples = self.samples, []
            message = {"type": "progress", "done": self.done, "first": self.first, "last": self.last}
        self.send({**message, "samples": samples})

    def report_every(self, seconds):
        def loop():
            while True:
                time.sleep(seconds)
                self.flush()

        threading.Thread(target=loop, daemon=True).start()

    def final(self):
        self.flush()
        max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.send({"type": "final", "maxRssMb": max_rss_mb, "extra": {}})
        self.channel.close()


progress = Progress()


@app.task(name="bench.noop")
def noop(at=0):
    progress.record(at, clock())


@app.task(name="bench.io")
def io(data, at=0):
    started_at = clock()
    time.sleep(IO_WAIT_SECONDS)
    progress.record(at, started_at)
