import type { WorkerFinal, WorkerProcess } from '../infra/worker-process.js';

/** The two task shapes every contender implements the same way. */
export type TaskKind = 'noop' | 'io';

/** Rows and statements a contender wrote to PostgreSQL during one workload. */
export interface DatabaseFigures {
  rowsInserted: number;
  rowsUpdated: number;
  statements: number;
}

export interface ContenderContext {
  /** The contender's own redis-server. */
  redisUrl: string;
  /** Tasks one worker process runs at once. */
  concurrency: number;
  /** Log level of our workers (the production default is info). */
  logLevel: string;
}

/** One contender's state for one workload: its worker process, its submitter, its stores. */
export interface ContenderSession {
  /** Starts a worker process; resolves once it takes work. */
  startWorker(): Promise<WorkerProcess>;
  /** Submits `count` tasks through the contender's bulk path, as fast as it goes. */
  submitBulk(kind: TaskKind, count: number): Promise<void>;
  /**
   * Submits tasks one at a time at `ratePerSecond` for `seconds`, each stamped with its submit time
   * so the worker can report latencies; returns how many were submitted.
   */
  submitSteady(kind: TaskKind, ratePerSecond: number, seconds: number): Promise<number>;
  /** After the worker stopped: what the contender wrote to PostgreSQL, if it writes there. */
  finish(worker: WorkerFinal | undefined): Promise<DatabaseFigures | undefined>;
  close(): Promise<void>;
}

export interface Contender {
  /** Short name used in tables and JSON, e.g. "foreman". */
  readonly name: string;
  readonly description: string;
  /** Once per run, before any workload: checks (or installs) what it needs; returns its version. */
  prepare(): Promise<string>;
  open(context: ContenderContext): Promise<ContenderSession>;
}
