import type { BaseEnv } from '@foreman/config';
import type { Database } from '@foreman/db';
import { createLogger, type Logger } from '@foreman/logger';
import { TaskClient } from '../client/task-client.js';
import { CompletionDispatcher } from '../completion/completion-dispatcher.js';
import { TaskEventPublisher } from '../events/task-event-publisher.js';
import { FairScheduler } from '../fairness/fair-scheduler.js';
import { ProjectionWatch } from '../records/projection-watch.js';
import { QuarantineLog } from '../records/quarantine-log.js';
import { RECORD_PROJECTOR_DEFAULTS, RecordProjector } from '../records/record-projector.js';
import { TaskRecordWriter } from '../records/task-record-writer.js';
import type { RedisConnection } from '../redis/create-redis.js';
import { rowOwnerLookup } from '../task/row-owner.js';
import type { TaskRegistry } from '../task/task-registry.js';
import { type AppConnections, openConnections } from './open-connections.js';

/** The settings a runtime reads: a process's parsed environment (any app's env schema extends these). */
export type RuntimeEnv = BaseEnv & { RECORD_BUFFER_MAX?: number | undefined };

export interface RuntimeOptions {
  /** The process's name: its logger's, and the folder of its embedded database. */
  name: string;
  env: RuntimeEnv;
  /** The tasks its client may submit. */
  registry: TaskRegistry;
  /** @defaultValue a logger named `name` at `env.LOG_LEVEL` */
  logger?: Logger;
  /**
   * Join the record projectors: store the record rows of the task-event stream, sharing the work
   * with every other process that does.
   * @defaultValue true
   */
  project?: boolean;
  /**
   * Run a completion dispatcher: links, webhooks and singleton release when tasks end, sharing
   * the work with every other process that does.
   * @defaultValue env.COMPLETION_DISPATCHER
   */
  dispatchCompletions?: boolean;
  /**
   * Connections opened by someone else (a test's own schema and Redis prefix): the runtime uses
   * them and leaves them open when it stops; their owner closes them.
   * @defaultValue opened from `env` by `openConnections`, closed by `stop()`
   */
  connections?: AppConnections;
  /**
   * Longest one read of the projector blocks while the stream is idle; tests shorten it so that
   * rows land and `stop()` returns sooner.
   * @defaultValue the projector's own (`RecordProjectorOptions.blockMs`)
   */
  projectorBlockMs?: number;
}

/** What every process of a deployment works with, wired the same way everywhere. */
export interface Runtime {
  readonly logger: Logger;
  readonly database: Database;
  readonly redis: RedisConnection;
  /** Batched, version-fenced record upserts; rows the database refuses go to the quarantine log. */
  readonly records: TaskRecordWriter;
  /** Appends to the task-event stream, capped at RECORD_STREAM_MAX entries. */
  readonly events: TaskEventPublisher;
  readonly fairness: FairScheduler;
  /** Submits with pending records, `submitted` events and fair admission, as the api does. */
  readonly client: TaskClient;
  readonly projector: RecordProjector | undefined;
  readonly completions: CompletionDispatcher | undefined;
  /** Stops projecting (rows already read are stored), then closes the client and connections. */
  stop(): Promise<void>;
}

/**
 * The one place a process gets its connections, record writer, event publisher, fairness, client
 * and projector: the api, beat and every worker app call it, so a task submitted from any of them
 * (a handler's follow-up included) is recorded, announced and admitted alike.
 */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { env } = options;
  const logger = options.logger ?? createLogger(options.name, { level: env.LOG_LEVEL });
  const owned = options.connections === undefined;
  const { database, redis } = options.connections ?? (await openConnections(options.name, env));
  const prefix = env.QUEUE_PREFIX;
  const quarantine = new QuarantineLog({ connection: redis, prefix });
  const records = new TaskRecordWriter({
    db: database.db,
    logger,
    ...(env.RECORD_BUFFER_MAX === undefined ? {} : { maxBuffered: env.RECORD_BUFFER_MAX }),
    onQuarantine: (row) =>
      void quarantine.add(row).catch((error) => logger.warn({ err: error }, 'quarantine log')),
  });
  // Every process's appends trim the stream to the same cap.
  const events = new TaskEventPublisher({
    connection: redis,
    prefix,
    logger,
    eventsKept: env.RECORD_STREAM_MAX,
  });
  const fairness = new FairScheduler({
    connection: redis,
    prefix,
    settings: env.FAIRNESS,
    registry: options.registry,
  });
  const client = new TaskClient({
    registry: options.registry,
    connection: redis,
    prefix,
    rowOwner: rowOwnerLookup(database.db),
    logger,
    fairness,
    events,
    webhooks: { allowedHosts: env.WEBHOOK_ALLOWED_HOSTS, allowPrivate: env.WEBHOOK_ALLOW_PRIVATE },
  });
  // A read never holds more rows than the writer keeps while the database is away, so none is dropped.
  const projector =
    (options.project ?? true)
      ? new RecordProjector({
          connection: redis,
          prefix,
          records,
          logger,
          batchSize: Math.min(
            RECORD_PROJECTOR_DEFAULTS.batchSize,
            env.RECORD_BUFFER_MAX ?? Number.POSITIVE_INFINITY,
          ),
          ...(options.projectorBlockMs === undefined ? {} : { blockMs: options.projectorBlockMs }),
        })
      : undefined;
  await projector?.start();
  // Where nobody projects, records stall and the stream's cap would trim them: say so, loudly.
  const watch = projector ? undefined : new ProjectionWatch({ connection: redis, prefix, logger });
  watch?.start();
  const completions =
    (options.dispatchCompletions ?? env.COMPLETION_DISPATCHER)
      ? new CompletionDispatcher({
          connection: redis,
          prefix,
          client,
          db: database.db,
          logger,
          webhookSecret: env.WEBHOOK_SIGNING_SECRET,
          allowPrivate: env.WEBHOOK_ALLOW_PRIVATE,
          webhookAttempts: env.WEBHOOK_ATTEMPTS,
          webhookBackoffMs: env.WEBHOOK_BACKOFF_MS,
        })
      : undefined;
  await completions?.start();
  return {
    logger,
    database,
    redis,
    records,
    events,
    fairness,
    client,
    projector,
    completions,
    async stop() {
      watch?.close();
      await completions?.close();
      await client.close();
      const projecting = projector?.close();
      await records.close();
      await projecting;
      if (!owned) return;
      redis.disconnect();
      await database.close();
    },
  };
}
