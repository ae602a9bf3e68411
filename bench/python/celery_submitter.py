"""Submits benchmark tasks to Celery on request: one JSON command a line on stdin, one answer a
line on stdout. Kept running across a workload so Python's start-up is never timed."""

import json
import sys
import time

from bench_celery import app, clock, io, noop

IO_DATA = "x" * 1024
TASKS = {"noop": noop, "io": io}


def kwargs_of(kind, at=0):
    return {"data": IO_DATA, "at": at} if kind == "io" else {"at": at}


def bulk(producer, kind, count):
    task = TASKS[kind]
    kwargs = kwargs_of(kind)
    for _ in range(count):
        task.apply_async(kwargs=kwargs, producer=producer)
    return {"submitted": count}


def steady(producer, kind, rate, seconds):
    """Open loop at a fixed rate; a late loop catches up rather than lowering the rate."""
    task = TASKS[kind]
    total = max(1, round(rate * seconds))
    began = clock()
    sent = 0
    while sent < total:
        due = min(total, int((clock() - began) / 1000 * rate) + 1)
        while sent < due:
            task.apply_async(kwargs=kwargs_of(kind, clock()), producer=producer)
            sent += 1
        next_at = began + sent / rate * 1000
        delay = (next_at - clock()) / 1000
        if delay > 0:
            time.sleep(delay)
    return {"submitted": total}


def main():
    with app.producer_or_acquire() as producer:
        print(json.dumps({"ready": True}), flush=True)
        for line in sys.stdin:
            command = json.loads(line)
            op = command["op"]
            if op == "bulk":
                answer = bulk(producer, command["kind"], command["count"])
            elif op == "steady":
                answer = steady(producer, command["kind"], command["rate"], command["seconds"])
            else:
                answer = {"error": f"unknown op {op}"}
            print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
