import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '@foreman/core';
import type { Logger } from '@foreman/logger';
import type { AlertManager, RuleReport } from './alert-manager.js';

export interface AlertSchedulerOptions {
  manager: AlertManager;
  redis: RedisConnection;
  prefix: string;
  logger: Logger;
  intervalMs?: number;
  /** Told of every evaluation this process ran (tests, logs). */
  onEvaluated?: (reports: RuleReport[]) => void;
}

/**
 * Runs the evaluation once per interval across the whole deployment: every replica ticks, and
 * the first to claim the interval's slot in Redis (SET NX) evaluates it; the others skip it.
 */
export class AlertScheduler {
  private readonly intervalMs: number;
  private readonly instance = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: AlertSchedulerOptions) {
    this.intervalMs = options.intervalMs ?? 30_000;
  }

  start(): void {
    // Ticking twice per interval means no slot is missed when timers drift under load.
    this.timer = setInterval(() => void this.tick(), Math.max(50, Math.floor(this.intervalMs / 2)));
    this.timer.unref();
    void this.tick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Evaluates if this process wins the current slot; resolves to whether it did. */
  async tick(): Promise<boolean> {
    if (this.running) return false;
    const slot = Math.floor(Date.now() / this.intervalMs);
    const key = `${this.options.prefix}:alerting:slot:${slot}`;
    const claimed = await this.options.redis
      .set(key, this.instance, 'PX', this.intervalMs * 2, 'NX')
      .catch((error: Error) => {
        this.options.logger.warn({ err: error }, 'could not claim the alerting slot');
        return null;
      });
    if (claimed !== 'OK') return false;
    this.running = this.options.manager
      .evaluate()
      .then((reports) => this.options.onEvaluated?.(reports))
      .catch((error) => this.options.logger.error({ err: error }, 'alert evaluation failed'))
      .finally(() => {
        this.running = undefined;
      });
    await this.running;
    return true;
  }
}
