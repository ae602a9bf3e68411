import { Socket } from 'node:net';

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export const clock = (): number => performance.timeOrigin + performance.now();

/** One finished task seen by a worker: [submitted, started, completed], wall-clock ms. */
export type LatencySample = [number, number, number];

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; done: number; first: number | null; last: number | null; samples: LatencySample[] }
  | { type: 'final'; maxRssMb: number; extra: Record<string, unknown> };

/**
 * The worker side of the benchmark's channel (file descriptor 3, one JSON object a line). Handlers
 * only bump counters; a timer ships them, so reporting costs the measured work next to nothing.
 */
export class ProgressChannel {
  private readonly socket = new Socket({ fd: 3, readable: false, writable: true });
  private done = 0;
  private first: number | null = null;
  private last: number | null = null;
  private samples: LatencySample[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 100) {
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  ready(): void {
    this.send({ type: 'ready' });
  }

  /** A task finished; `submittedAt` 0 means the task carries no submit time to sample. */
  record(submittedAt: number, startedAt: number): void {
    const now = clock();
    this.done += 1;
    this.first ??= startedAt;
    this.last = now;
    if (submittedAt > 0) this.samples.push([submittedAt, startedAt, now]);
  }

  /** Sends what is left and the process's peak RSS, then closes the channel. */
  async final(extra: Record<string, unknown> = {}): Promise<void> {
    clearInterval(this.timer);
    this.flush();
    const maxRssMb = process.resourceUsage().maxRSS / 1024;
    const line = `${JSON.stringify({ type: 'final', maxRssMb, extra } satisfies WorkerMessage)}\n`;
    await new Promise<void>((resolve) => this.socket.end(line, () => resolve()));
  }

  private flush(): void {
    const samples = this.samples;
    this.samples = [];
    this.send({ type: 'progress', done: this.done, first: this.first, last: this.last, samples });
  }

  private send(message: WorkerMessage): void {
    this.socket.write(`${JSON.stringify(message)}\n`);
  }
}
