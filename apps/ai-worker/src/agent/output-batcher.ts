/**
 * Gathers streamed text and sends it at most once per `intervalMs`, so a model writing dozens of
 * tokens a second costs a few task events a second, not one a token.
 */
export class OutputBatcher {
  private pending = '';
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly send: (text: string) => Promise<void>,
    private readonly intervalMs: number,
  ) {
    if (!Number.isInteger(intervalMs) || intervalMs < 1) {
      throw new TypeError('OutputBatcher: intervalMs must be a whole number of at least 1');
    }
  }

  write(text: string): void {
    this.pending += text;
    this.timer ??= setTimeout(() => void this.flush(), this.intervalMs);
  }

  /** Sends what is pending now; resolves once it and everything sent before it went out. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending) {
      const text = this.pending;
      this.pending = '';
      // Chained, so the pieces go out in the order they were written.
      this.sending = this.sending.then(() => this.send(text));
    }
    return this.sending;
  }
}
