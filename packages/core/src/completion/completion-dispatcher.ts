import { hostname } from 'node:os';
import { type Db, webhookDeliveries } from '@foreman/db';
import type { Logger } from '@foreman/logger';
import { GuardedFetch, SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from '@foreman/net';
import { eq } from 'drizzle-orm';
import { type CompletionPlan, completionKey } from '../client/completion.js';
import { FlowControl } from '../client/flow-control.js';
import { SYSTEM_SUBMITTER } from '../client/submitter.js';
import type { TaskClient } from '../client/task-client.js';
import { TaskError } from '../errors/task-error.js';
import { taskEventsStream } from '../events/channels.js';
import { followGroup, joinGroup, type StreamEntry } from '../events/consumer-group.js';
import type { TaskEvent } from '../events/task-event.js';
import { field } from '../records/record-projector.js';
import { duplicateRedis, type RedisConnection } from '../redis/create-redis.js';

export interface CompletionDispatcherOptions {
  connection: RedisConnection;
  /** Redis key prefix of the deployment (the task-event stream's). */
  prefix: string;
  /** Submits the linked tasks. */
  client: TaskClient;
  /** Where each webhook delivery attempt is recorded (`webhook_deliveries`). */
  db: Db;
  logger?: Logger | undefined;
  /** Key of the HMAC-SHA256 signature every webhook carries; without it no webhook is sent. */
  webhookSecret?: string | undefined;
  /**
   * Let webhooks reach loopback and private addresses (must match the submit side's policy).
   * @defaultValue false
   */
  allowPrivate?: boolean | undefined;
  /**
   * Tries of one webhook before it is given up (each recorded).
   * @defaultValue 5
   */
  webhookAttempts?: number | undefined;
  /**
   * Pause before the second try; each next one waits twice as long.
   * @defaultValue 1_000
   */
  webhookBackoffMs?: number | undefined;
  /**
   * Longest one webhook request may take.
   * @defaultValue 10_000
   */
  webhookTimeoutMs?: number | undefined;
  /**
   * This process's name in the consumer group.
   * @defaultValue `<hostname>-<pid>`
   */
  consumer?: string | undefined;
  /**
   * Entries another dispatcher read and left unacknowledged this long (it died) are taken over.
   * @defaultValue 60_000
   */
  claimIdleMs?: number | undefined;
  /**
   * Longest one read of the stream blocks.
   * @defaultValue 1_000
   */
  blockMs?: number | undefined;
}

/** The consumer group every completion dispatcher of a deployment reads in. */
export const COMPLETIONS_GROUP = 'completions';

const ENDS = new Set(['completed', 'failed', 'cancelled']);
/** Submit failures a later try may get past. */
const RETRIED_CODES = new Set<string>(['SUBMIT_FAILED', 'IDEMPOTENCY_KEY_CONFLICT']);
const READ_COUNT = 100;
/** Ends carried out at once at most; the loop waits for one to finish beyond it. */
const MAX_IN_FLIGHT = 500;

/**
 * Carries out what a task asked for when it ends: submits its `link` tasks (completed) or its
 * `linkError` tasks (failed for good, cancelled), POSTs its signed webhook, and frees its
 * singleton key. It follows the task-event stream in its own consumer group, so the worker's
 * path is untouched and several dispatchers share the work. An entry is acknowledged only once
 * all of that is done; a redelivery (restart, takeover) repeats nothing: linked tasks are
 * submitted with the idempotency key `<taskId>:link:<n>` / `<taskId>:link_error:<n>`, and a
 * webhook already delivered (its attempts are in `webhook_deliveries`) is not sent again.
 */
export class CompletionDispatcher {
  private readonly settings: {
    attempts: number;
    backoffMs: number;
    timeoutMs: number;
    claimIdleMs: number;
    blockMs: number;
    consumer: string;
  };
  private readonly stream: string;
  private readonly flow: FlowControl;
  private readonly http: GuardedFetch;
  private reader: RedisConnection | undefined;
  private running: Promise<void> | undefined;
  /** Ends being carried out: the loop reads on meanwhile, so one slow webhook holds up no other task. */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly options: CompletionDispatcherOptions) {
    this.settings = {
      attempts: options.webhookAttempts ?? 5,
      backoffMs: options.webhookBackoffMs ?? 1_000,
      timeoutMs: options.webhookTimeoutMs ?? 10_000,
      claimIdleMs: options.claimIdleMs ?? 60_000,
      blockMs: options.blockMs ?? 1_000,
      consumer: options.consumer ?? `${hostname()}-${process.pid}`,
    };
    for (const key of ['attempts', 'backoffMs', 'timeoutMs', 'claimIdleMs', 'blockMs'] as const) {
      const value = this.settings[key];
      if (!Number.isInteger(value) || value <= 0) {
        throw new TypeError(`CompletionDispatcher: ${key} must be a positive whole number (got ${value})`);
      }
    }
    this.stream = taskEventsStream(options.prefix);
    this.flow = new FlowControl({ connection: options.connection, prefix: options.prefix });
    this.http = new GuardedFetch({ allowPrivate: options.allowPrivate ?? false, maxRedirects: 0 });
  }

  /** Joins the consumer group (created at the stream's end: earlier ends are not replayed) and starts. */
  async start(): Promise<void> {
    await joinGroup(this.options.connection, this.stream, COMPLETIONS_GROUP, '$');
    const reader = duplicateRedis(this.options.connection);
    this.reader = reader;
    this.running = this.loop(reader);
  }

  /** Stops reading; entries in hand are finished (or left pending for another dispatcher). */
  async close(): Promise<void> {
    const reader = this.reader;
    this.reader = undefined;
    reader?.disconnect();
    await this.running;
    await Promise.all(this.inFlight.values());
    await this.http.close();
  }

  private loop(reader: RedisConnection): Promise<void> {
    const member = {
      stream: this.stream,
      group: COMPLETIONS_GROUP,
      consumer: this.settings.consumer,
      idleMs: this.settings.claimIdleMs,
      count: READ_COUNT,
      blockMs: this.settings.blockMs,
    };
    return followGroup(reader, this.options.connection, member, {
      following: () => this.reader === reader,
      take: (entries) => this.dispatch(entries),
      beforeRead: () =>
        this.inFlight.size >= MAX_IN_FLIGHT ? Promise.race(this.inFlight.values()) : undefined,
      onError: (error) => this.options.logger?.warn({ err: error }, 'completion dispatch failed; retrying'),
    });
  }

  /**
   * Starts each entry on its own; one that fails stays unacknowledged, so it is taken over again
   * after `claimIdleMs` (by this dispatcher or another).
   */
  private dispatch(entries: StreamEntry[]): void {
    for (const [id, fields] of entries) {
      // Taken over from itself (it has been slow past claimIdleMs): it is under way already.
      if (this.inFlight.has(id)) continue;
      const done = this.handle(id, fields)
        .catch((error: unknown) => {
          this.options.logger?.warn({ err: error, entry: id }, 'completion not carried out; retried later');
        })
        .finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, done);
    }
  }

  private async handle(id: string, fields: string[]): Promise<void> {
    let event: TaskEvent | undefined;
    try {
      event = JSON.parse(field(fields, 'event') ?? 'null') as TaskEvent | undefined;
    } catch {
      event = undefined;
    }
    if (event && ENDS.has(event.type)) await this.complete(event);
    await this.options.connection.xack(this.stream, COMPLETIONS_GROUP, id);
  }

  private async complete(event: TaskEvent): Promise<void> {
    const key = completionKey(this.options.prefix, event.taskId);
    const stored = await this.options.connection.get(key);
    if (stored === null) return;
    const plan = JSON.parse(stored) as CompletionPlan;
    if (plan.singletonKey) await this.flow.releaseSingleton(plan.singletonKey, event.taskId);
    const succeeded = event.type === 'completed';
    const links = (succeeded ? plan.link : plan.linkError) ?? [];
    const kind = succeeded ? 'link' : 'link_error';
    for (const [index, linked] of links.entries()) {
      try {
        await this.options.client.submit(linked.name, linked.payload, {
          userId: plan.userId,
          submitter: SYSTEM_SUBMITTER,
          priority: linked.priority,
          delayMs: linked.delayMs,
          // Authorized at the parent's submit; a redelivered end finds the same key and submits nothing.
          idempotencyKey: `${event.taskId}:${kind}:${index}`,
        });
      } catch (error) {
        // Refused for good (the task left the registry, its schema changed): retrying the entry
        // would refuse it again forever. Anything else (Redis away) leaves the entry to retry.
        if (!(error instanceof TaskError) || RETRIED_CODES.has(error.code)) throw error;
        this.options.logger?.error(
          { err: error, taskId: event.taskId, linked: linked.name },
          'linked task refused; skipped',
        );
      }
    }
    if (plan.webhook) await this.deliver(plan.webhook, event);
    await this.options.connection.del(key);
  }

  /** POSTs the end, retrying with backoff; every attempt is a row. Gives up after the last try. */
  private async deliver(url: string, event: TaskEvent): Promise<void> {
    const { db } = this.options;
    const secret = this.options.webhookSecret;
    const attempts = () =>
      db
        .select({ delivered: webhookDeliveries.delivered })
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.taskId, event.taskId));
    const previous = await attempts();
    if (previous.some((row) => row.delivered)) return;
    const body = JSON.stringify({
      taskId: event.taskId,
      taskName: event.taskName,
      queue: event.queue,
      status: event.type,
      error: event.error,
      at: event.at,
    });
    for (let attempt = previous.length + 1; attempt <= this.settings.attempts; attempt += 1) {
      if (attempt > 1) {
        await new Promise((resolve) => setTimeout(resolve, this.backoff(attempt)));
        // Another dispatcher may have taken this end over meanwhile (this one was slow) and delivered it.
        if ((await attempts()).some((row) => row.delivered)) return;
      }
      const started = Date.now();
      let statusCode: number | null = null;
      let error: string | null = null;
      if (!secret) error = 'WEBHOOK_SIGNING_SECRET is not set: webhooks are not sent';
      else {
        try {
          const timestamp = String(Date.now());
          const response = await this.http.fetch(url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              [TIMESTAMP_HEADER]: timestamp,
              [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
            },
            body,
            signal: AbortSignal.timeout(this.settings.timeoutMs),
          });
          await response.body?.cancel();
          statusCode = response.status;
          if (!response.ok) error = `the receiver answered ${response.status}`;
        } catch (failure) {
          error = (failure as Error).message;
        }
      }
      const delivered = error === null;
      await db
        .insert(webhookDeliveries)
        .values({
          id: `${event.taskId}:${attempt}`,
          taskId: event.taskId,
          url,
          event: event.type,
          attempt,
          delivered,
          statusCode,
          error,
          durationMs: Date.now() - started,
          attemptedAt: new Date(started),
        })
        .onConflictDoNothing();
      if (delivered) return;
      this.options.logger?.warn({ taskId: event.taskId, attempt, err: error }, 'webhook delivery failed');
    }
    this.options.logger?.error({ taskId: event.taskId, url }, 'webhook given up after its last attempt');
  }

  private backoff(attempt: number): number {
    return this.settings.backoffMs * 2 ** (attempt - 2);
  }
}
