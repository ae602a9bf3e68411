import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { LatencySample, WorkerMessage } from '../workers/progress-channel.js';
import { readCpuMs } from './cpu.js';

export interface WorkerProcessOptions {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** Name used in errors. */
  label: string;
  readyTimeoutMs?: number;
}

export interface WorkerFinal {
  maxRssMb: number;
  /** CPU time the worker used from ready to the stop request: its work, not its start-up. */
  cpuMs: number | undefined;
  extra: Record<string, unknown>;
}

/**
 * A contender's worker as a child process. Whatever its language, it reports on file descriptor 3
 * (see ProgressChannel): ready once it takes work, then counts, first/last times and latency
 * samples, and a final message with its peak RSS when it stops on SIGTERM.
 */
export class WorkerProcess {
  done = 0;
  first: number | null = null;
  last: number | null = null;
  readonly samples: LatencySample[] = [];
  private final: Omit<WorkerFinal, 'cpuMs'> | undefined;
  private cpuAtReadyMs: number | undefined;
  private readonly stderr: string[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly label: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr.push(chunk.toString());
      if (this.stderr.length > 50) this.stderr.shift();
    });
  }

  static async start(options: WorkerProcessOptions): Promise<WorkerProcess> {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    const worker = new WorkerProcess(child, options.label);
    const ready = new Promise<void>((resolve, reject) => {
      worker.onMessage = (message) => {
        if (message.type === 'ready') resolve();
      };
      child.once('error', reject);
      void worker.exited.then((code) =>
        reject(new Error(`${options.label} exited with ${code} before it was ready:\n${worker.errors()}`)),
      );
    });
    createInterface({ input: child.stdio[3] as Readable }).on('line', (line) => worker.receive(line));
    const timeoutMs = options.readyTimeoutMs ?? 90_000;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    try {
      await ready;
    } finally {
      clearTimeout(timer);
    }
    worker.cpuAtReadyMs = readCpuMs(worker.pid);
    return worker;
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** Waits until `count` tasks are done; false if no task finished for `stallMs` before that. */
  async waitForDone(count: number, stallMs = 60_000): Promise<boolean> {
    let seen = this.done;
    let progressAt = Date.now();
    while (this.done < count) {
      if (this.child.exitCode !== null) {
        throw new Error(`${this.label} exited with ${this.child.exitCode}:\n${this.errors()}`);
      }
      if (this.done !== seen) {
        seen = this.done;
        progressAt = Date.now();
      } else if (Date.now() - progressAt > stallMs) {
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }

  /** Stops the worker gracefully (SIGTERM), killing it after `graceMs`; returns its final report. */
  async stop(graceMs = 60_000): Promise<WorkerFinal | undefined> {
    const cpuAtStopMs = readCpuMs(this.pid);
    if (this.child.exitCode === null) {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      this.child.kill('SIGTERM');
      await this.exited;
      clearTimeout(timer);
    }
    // The last lines on the channel may arrive just after the exit event.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const cpuMs =
      cpuAtStopMs !== undefined && this.cpuAtReadyMs !== undefined
        ? cpuAtStopMs - this.cpuAtReadyMs
        : undefined;
    return this.final && { ...this.final, cpuMs };
  }

  errors(): string {
    return this.stderr.join('').slice(-4_000);
  }

  private onMessage: (message: WorkerMessage) => void = () => {};

  private receive(line: string): void {
    const message = JSON.parse(line) as WorkerMessage;
    if (message.type === 'progress') {
      this.done = message.done;
      this.first = message.first;
      this.last = message.last;
      for (const sample of message.samples) this.samples.push(sample);
    } else if (message.type === 'final') {
      this.final = { maxRssMb: message.maxRssMb, extra: message.extra };
    }
    this.onMessage(message);
  }
}
