import { RunAbort } from './run-abort.js';

export interface TimeLimitOptions {
  /** Hard limit: the run is stopped and the returned promise rejects with `onTimeout()`. */
  timeoutMs: number;
  onTimeout: () => Error;
  /** Soft limit: the signal is aborted with `onSoftTimeout()` so the work can wind down. */
  softTimeoutMs?: number | undefined;
  onSoftTimeout?: () => Error;
  /**
   * The run's abort: the work's signal is its signal, and stopping it (cancel, forced shutdown)
   * rejects at once with the stop's reason.
   * @defaultValue a new one, which only the limits stop
   */
  abort?: RunAbort | undefined;
}

/**
 * Runs `work` with time limits. Past the hard limit, or when the run's abort stops it, the
 * returned promise rejects at once, freeing the worker slot even if the work ignores its signal.
 * One promise and no timer of its own per run: it wraps every task, so it stays cheap.
 */
export function runWithTimeLimit<T>(
  work: (abort: RunAbort) => Promise<T>,
  options: TimeLimitOptions,
): Promise<T> {
  const abort = options.abort ?? new RunAbort();
  const stopped = abort.stoppedBy;
  if (stopped) return Promise.reject(stopped.reason);
  return new Promise<T>((resolve, reject) => {
    let soft: Deadline | undefined;
    const settle = () => {
      hard.cancel();
      soft?.cancel();
      abort.listen(undefined);
    };
    abort.listen((reason) => {
      settle();
      reject(reason);
    });
    const hard = deadlineIn(options.timeoutMs, () => abort.abort(options.onTimeout()));
    if (options.softTimeoutMs !== undefined) {
      const onSoft = options.onSoftTimeout ?? options.onTimeout;
      soft = deadlineIn(options.softTimeoutMs, () => abort.warn(onSoft()));
    }
    let running: Promise<T>;
    try {
      running = work(abort);
    } catch (error) {
      settle();
      return reject(error);
    }
    Promise.resolve(running).then(
      (value) => {
        settle();
        resolve(value);
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
}

/** One run's limit in a `DeadlineList`. */
class Deadline {
  constructor(
    private readonly list: DeadlineList,
    readonly at: number,
    readonly fire: () => void,
  ) {}

  cancel(): void {
    this.list.remove(this);
  }
}

/**
 * The pending deadlines of one duration, in the order they were set, which is their order in time:
 * one Node timer waits for the earliest. A Timeout per run (its ids, its async hooks, its place in
 * the timer lists) cost a busy worker more than a no-op task's handler.
 */
class DeadlineList {
  private readonly pending = new Set<Deadline>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly durationMs: number) {}

  add(fire: () => void): Deadline {
    const deadline = new Deadline(this, performance.now() + this.durationMs, fire);
    if (this.pending.size === 0) {
      // A timer left from earlier deadlines fires no later than this one is due: `expire` sets
      // it again for what is left, so it only needs to keep the process alive once more.
      if (this.timer) this.timer.ref();
      else this.timer = setTimeout(() => this.expire(), this.durationMs);
    }
    this.pending.add(deadline);
    return deadline;
  }

  remove(deadline: Deadline): void {
    if (!this.pending.delete(deadline) || this.pending.size > 0) return;
    // Nothing left to wait for: no timer keeps the process alive. The timer is kept rather than
    // cleared: a task that runs at once would otherwise make and clear a Node timer every time.
    this.timer?.unref();
  }

  private expire(): void {
    this.timer = undefined;
    const now = performance.now();
    const due: Deadline[] = [];
    for (const deadline of this.pending) {
      if (deadline.at > now) {
        this.timer = setTimeout(() => this.expire(), Math.ceil(deadline.at - now));
        break;
      }
      this.pending.delete(deadline);
      due.push(deadline);
    }
    // Fired once the timer is set again, so a throwing one cannot strand the rest.
    for (const deadline of due) deadline.fire();
  }
}

const deadlineLists = new Map<number, DeadlineList>();

/** Calls `fire` in `ms` unless the deadline is cancelled first. */
function deadlineIn(ms: number, fire: () => void): Deadline {
  let list = deadlineLists.get(ms);
  if (!list) {
    list = new DeadlineList(ms);
    deadlineLists.set(ms, list);
  }
  return list.add(fire);
}
