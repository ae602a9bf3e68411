import type { Db } from '@foreman/db';
import type { Logger } from '@foreman/logger';
import type { WorkflowEngine } from './workflow-engine.js';
import { WorkflowStore } from './workflow-store.js';

export interface WorkflowOrchestratorOptions {
  db: Db;
  engine: WorkflowEngine;
  logger?: Logger | undefined;
  /** How often to look for finished node tasks and expired nodes. */
  pollIntervalMs?: number;
  /** How often every running workflow is advanced, whatever the news. */
  sweepIntervalMs?: number;
}

const DEFAULTS = { pollIntervalMs: 250, sweepIntervalMs: 10_000 };

/**
 * Drives workflows forward from the database alone, so it can stop and start anywhere: on
 * start it advances every running workflow, then polls for workflows with news. Several
 * orchestrators may run at once; each step holds the workflow's row lock.
 */
export class WorkflowOrchestrator {
  private readonly store: WorkflowStore;
  private readonly settings: typeof DEFAULTS;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastSweep = 0;
  private stopped = true;

  constructor(private readonly options: WorkflowOrchestratorOptions) {
    this.store = new WorkflowStore(options.db);
    this.settings = {
      pollIntervalMs: options.pollIntervalMs ?? DEFAULTS.pollIntervalMs,
      sweepIntervalMs: options.sweepIntervalMs ?? DEFAULTS.sweepIntervalMs,
    };
  }

  /** Resumes every running workflow, then keeps polling. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.tick();
    this.schedule();
  }

  /** One pass; returns how many workflows moved. */
  async tick(): Promise<number> {
    const sweep = Date.now() - this.lastSweep >= this.settings.sweepIntervalMs;
    if (sweep) this.lastSweep = Date.now();
    const ids = sweep ? await this.store.running() : await this.store.needingAttention();
    let moved = 0;
    for (const id of ids) {
      try {
        if (await this.options.engine.advance(id)) moved += 1;
      } catch (error) {
        this.options.logger?.error({ err: error, workflowId: id }, 'workflow step failed; retried next tick');
      }
    }
    return moved;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.tick()
        .then(
          () => undefined,
          (error) => this.options.logger?.error({ err: error }, 'workflow tick failed'),
        )
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.settings.pollIntervalMs);
    this.timer.unref?.();
  }
}
