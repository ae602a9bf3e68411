import { readFileSync } from 'node:fs';

/** Resident set size of a process in MiB, or undefined once it is gone. */
export function readRssMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

export interface RssSample {
  /** Milliseconds since sampling began. */
  atMs: number;
  rssMb: number;
  /** Tasks the process had finished when the sample was taken. */
  done: number;
}

/** Samples one process's RSS on an interval, tagging each sample with the work done so far. */
export class RssSampler {
  readonly samples: RssSample[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly began = performance.now();

  constructor(
    private readonly pid: number,
    private readonly done: () => number,
    intervalMs = 250,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    this.sample();
  }

  get peakMb(): number {
    return this.samples.reduce((peak, sample) => Math.max(peak, sample.rssMb), 0);
  }

  stop(): RssSample[] {
    this.sample();
    clearInterval(this.timer);
    return this.samples;
  }

  private sample(): void {
    const rssMb = readRssMb(this.pid);
    if (rssMb !== undefined) {
      this.samples.push({ atMs: performance.now() - this.began, rssMb, done: this.done() });
    }
  }
}
