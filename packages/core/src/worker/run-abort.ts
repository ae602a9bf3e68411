/**
 * The abort of one run, made cheap for the common run that nobody aborts: the `AbortSignal` a
 * handler may read is created on its first read, and the run's time limit hears a stop through one
 * callback instead of an event listener. A busy worker makes one per task.
 */
export class RunAbort {
  private controller: AbortController | undefined;
  private signalled: { reason: unknown } | undefined;
  private stopped: { reason: unknown } | undefined;
  private onStop: ((reason: unknown) => void) | undefined;

  /** What the work watches: aborted by a stop and by a warning (the soft time limit). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.signalled) this.controller.abort(this.signalled.reason);
    }
    return this.controller.signal;
  }

  /** Whether the run was stopped, and why (a warning does not count). */
  get stoppedBy(): { reason: unknown } | undefined {
    return this.stopped;
  }

  /** Stops the run: the signal aborts, and the run ends at once with `reason`. The first stop wins. */
  abort(reason: unknown): void {
    if (this.stopped) return;
    this.stopped = { reason };
    this.warn(reason);
    this.onStop?.(reason);
  }

  /** Aborts the signal only, so the work can wind down while the run goes on. */
  warn(reason: unknown): void {
    if (this.signalled) return;
    this.signalled = { reason };
    this.controller?.abort(reason);
  }

  /** The one listener of stops: the run's time limit. */
  listen(onStop: ((reason: unknown) => void) | undefined): void {
    this.onStop = onStop;
  }
}
