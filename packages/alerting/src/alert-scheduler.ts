import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '@foreman/core';
import type { Logger } from '@foreman/logger';
import type { AlertManager, RuleReport } from './alert-manager.js';

/** The task events an evaluation reacts to: `failed` is a final failure (a dead letter follows). */
export interface TaskEventSource {
  subscribe(handler: (event: { type: string }) => void): Promise<() => void>;
}

export interface AlertSchedulerOptions {
  manager: AlertManager;
  redis: RedisConnection;
  prefix: string;
  logger: Logger;
  /**
   * How often the rules are evaluated, once per interval across every replica.
   * @defaultValue 30000
   */
  intervalMs?: number;
  /** Task events: a final failure (and so a dead letter) triggers an evaluation at once. */
  events?: TaskEventSource;
  /**
   * Wait after a failure event before evaluating: lets the dead letter land, and folds a burst of
   * failures into one evaluation.
   * @defaultValue 1000
   */
  eventDelayMs?: number;
  /** Told of every evaluation this process ran (tests, logs). */
  onEvaluated?: (reports: RuleReport[]) => void;
}

/** Releases the lock only if this holder still has it. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Runs the evaluation once per interval across the whole deployment: every replica ticks, and
 * the first to claim the interval's slot in Redis (SET NX) evaluates it; the others skip it. A
 * final task failure triggers an evaluation too (one per `eventDelayMs` across replicas). Every
 * evaluation holds a Redis lock, as beat's schedule ticks do, so two never run at once.
 */
export class AlertScheduler {
  private readonly intervalMs: number;
  private readonly eventDelayMs: number;
  private readonly instance = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private pendingEvent: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Until then another replica holds the pending evaluation of a failure. */
  private othersClaimUntil = 0;

  constructor(private readonly options: AlertSchedulerOptions) {
    this.intervalMs = options.intervalMs ?? 30_000;
    this.eventDelayMs = options.eventDelayMs ?? 1_000;
    for (const [name, value] of [
      ['intervalMs', this.intervalMs],
      ['eventDelayMs', this.eventDelayMs],
    ] as const) {
      if (!Number.isInteger(value) || value <= 0)
        throw new RangeError(`AlertScheduler ${name} must be a positive integer, got ${value}`);
    }
  }

  async start(): Promise<void> {
    this.stopped = false;
    // Ticking twice per interval means no slot is missed when timers drift under load.
    this.timer = setInterval(() => void this.tick(), Math.max(50, Math.floor(this.intervalMs / 2)));
    this.timer.unref();
    this.unsubscribe = await this.options.events?.subscribe((event) => {
      if (event.type === 'failed') void this.onFailure();
    });
    void this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.pendingEvent);
    this.pendingEvent = undefined;
    this.unsubscribe?.();
    await this.running;
  }

  /** Evaluates if this process wins the current slot; resolves to whether it did. */
  async tick(): Promise<boolean> {
    if (this.running) return false;
    const slot = Math.floor(Date.now() / this.intervalMs);
    if (!(await this.claim(`${this.options.prefix}:alerting:slot:${slot}`, this.intervalMs * 2)))
      return false;
    return this.evaluate();
  }

  /**
   * A final failure: the first replica to hear it claims the evaluation (others skip while the
   * claim lasts) and runs it `eventDelayMs` later.
   */
  private async onFailure(): Promise<void> {
    if (this.pendingEvent || this.stopped || Date.now() < this.othersClaimUntil) return;
    if (await this.claim(`${this.options.prefix}:alerting:event`, this.eventDelayMs)) this.soon();
    else this.othersClaimUntil = Date.now() + this.eventDelayMs;
  }

  /**
   * Evaluates `eventDelayMs` from now, and once more four delays later: the failure's dead letter
   * reaches the database through the record projector, which may lag the event under load.
   */
  private soon(checks = 2): void {
    if (this.pendingEvent || this.stopped) return;
    this.pendingEvent = setTimeout(() => {
      this.pendingEvent = undefined;
      // Busy (an evaluation runs here or elsewhere): it may have read before this failure; go again.
      void this.evaluate().then((ran) => {
        if (!ran) this.soon(checks);
        else if (checks > 1) this.later(() => this.soon(checks - 1), this.eventDelayMs * 3);
      });
    }, this.eventDelayMs);
    this.pendingEvent.unref();
  }

  private later(run: () => void, delayMs: number): void {
    if (this.stopped) return;
    this.pendingEvent = setTimeout(() => {
      this.pendingEvent = undefined;
      run();
    }, delayMs);
    this.pendingEvent.unref();
  }

  private async claim(key: string, ttlMs: number): Promise<boolean> {
    const claimed = await this.options.redis
      .set(key, this.instance, 'PX', ttlMs, 'NX')
      .catch((error: Error) => {
        this.options.logger.warn({ err: error }, 'could not claim an alert evaluation');
        return null;
      });
    return claimed === 'OK';
  }

  /** One evaluation under the deployment-wide lock; false when another one holds it. */
  private async evaluate(): Promise<boolean> {
    if (this.running) return false;
    const lock = `${this.options.prefix}:alerting:lock`;
    // Long enough for a slow evaluation; a replica that dies holding it frees it by expiry.
    if (!(await this.claim(lock, Math.max(this.intervalMs, 60_000)))) return false;
    this.running = this.options.manager
      .evaluate()
      .then((reports) => this.options.onEvaluated?.(reports))
      .catch((error) => this.options.logger.error({ err: error }, 'alert evaluation failed'))
      .finally(async () => {
        await this.options.redis.eval(RELEASE, 1, lock, this.instance).catch(() => {});
        this.running = undefined;
      });
    await this.running;
    return true;
  }
}
