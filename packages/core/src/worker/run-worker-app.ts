import { type Env, loadConfig, type WorkerEnv, workerEnvSchema } from '@foreman/config';
import type { Database } from '@foreman/db';
import { createLogger, type Logger } from '@foreman/logger';
import { createRuntime } from '../app/create-runtime.js';
import type { TaskClient } from '../client/task-client.js';
import type { TaskEventPublisher } from '../events/task-event-publisher.js';
import { FairDispatcher } from '../fairness/fair-dispatcher.js';
import type { RecordProjector } from '../records/record-projector.js';
import type { TaskRecordWriter } from '../records/task-record-writer.js';
import { checkRedisDurability } from '../redis/check-durability.js';
import type { RedisConnection } from '../redis/create-redis.js';
import type { TaskImplementation } from '../task/implement-task.js';
import { TaskRegistry } from '../task/task-registry.js';
import { type HealthRoutes, type HealthServer, startHealthServer } from './health-server.js';
import type { TaskLifecycleListener } from './task-lifecycle-listener.js';
import { TaskWorker } from './task-worker.js';

export interface WorkerAppOptions {
  /** Service name in logs and health reports, e.g. "email-worker". */
  name: string;
  queue: string;
  /** The queue's task implementations, built once the app's connections exist. */
  tasks: (resources: WorkerResources) => AnyTaskImplementation[];
  /**
   * The tasks handlers may submit through `resources.client`.
   * @defaultValue the app's own tasks
   */
  registry?: TaskRegistry;
  /**
   * The app's own defaults of WORKER_CONCURRENCY, HEALTH_PORT and RECORD_PROJECTOR (task workers
   * leave projecting to the api, beat and maintenance-worker; see docs/delivery.md).
   */
  defaults: { concurrency: number; healthPort: number; recordProjector: boolean };
  env?: Env;
  /** Exit the process on SIGTERM/SIGINT after a graceful stop (off in tests). */
  handleSignals?: boolean;
  /** Extra observers of every task attempt. */
  listeners?: TaskLifecycleListener[];
  /** Add-ons such as metrics: more listeners, routes on the health port, work started with the app. */
  plugins?: WorkerAppPlugin[];
}

/** Extends a worker app without changing it; started after the worker, stopped before it closes. */
export interface WorkerAppPlugin {
  /** Called with the app's settings before `listeners` and `routes` are read. */
  configure?(config: WorkerEnv): void;
  listeners?: TaskLifecycleListener[];
  routes?: HealthRoutes;
  start?(app: WorkerApp): Promise<void> | void;
  stop?(): Promise<void> | void;
}

// biome-ignore lint/suspicious/noExplicitAny: implementations of different contracts share one list
export type AnyTaskImplementation = TaskImplementation<any>;

/** Connections a worker app opens for itself, lent to task implementations that need them. */
export interface WorkerResources {
  readonly database: Database;
  readonly redis: RedisConnection;
  readonly logger: Logger;
  readonly dataDir: string;
  /** Submits follow-up tasks as the api does: recorded, announced, fairly admitted. */
  readonly client: TaskClient;
  /** Appends to the task-event stream, e.g. a handler's own events (streamed output). */
  readonly events: TaskEventPublisher;
}

export interface WorkerApp {
  readonly name: string;
  readonly config: WorkerEnv;
  readonly worker: TaskWorker;
  readonly health: HealthServer;
  readonly database: Database;
  readonly redis: RedisConnection;
  readonly records: TaskRecordWriter;
  /** Stores the record rows of the task-event stream, sharing the work with every other projector. */
  readonly projector: RecordProjector | undefined;
  readonly logger: Logger;
  stop(): Promise<void>;
}

/** Everything a worker app's main does: config, database, records, worker, health, shutdown. */
export async function runWorkerApp(options: WorkerAppOptions): Promise<WorkerApp> {
  const config = loadConfig(workerEnvSchema(options.defaults), options.env);
  const logger = createLogger(options.name, { level: config.LOG_LEVEL });
  // Without one given, the app's own tasks, registered once they are built (before any runs).
  const registry = options.registry ?? new TaskRegistry();
  const runtime = await createRuntime({
    name: options.name,
    env: config,
    logger,
    registry,
    project: config.RECORD_PROJECTOR,
  });
  const { database, redis, records, events, projector } = runtime;
  await warnUnlessDurable(redis, logger);
  const plugins = options.plugins ?? [];
  for (const plugin of plugins) plugin.configure?.(config);
  const implementations = options.tasks({
    database,
    redis,
    logger,
    dataDir: config.DATA_DIR,
    client: runtime.client,
    events,
  });
  if (!options.registry) for (const task of implementations) registry.register(task.contract);
  // After the registry is complete: a task with a flow key sends its queue through admission too.
  const dispatcher = runtime.fairness.isFair(options.queue)
    ? new FairDispatcher({
        scheduler: runtime.fairness,
        queue: options.queue,
        connection: redis,
        prefix: config.QUEUE_PREFIX,
        logger,
      })
    : undefined;
  const worker = new TaskWorker({
    queue: options.queue,
    tasks: implementations,
    connection: redis,
    prefix: config.QUEUE_PREFIX,
    events,
    records,
    logger,
    concurrency: config.WORKER_CONCURRENCY,
    lockDurationMs: config.WORKER_LOCK_DURATION_MS,
    stalledIntervalMs: config.WORKER_STALLED_INTERVAL_MS,
    maxStalledCount: config.WORKER_MAX_STALLED_COUNT,
    listeners: [
      ...(options.listeners ?? []),
      ...plugins.flatMap((plugin) => plugin.listeners ?? []),
      ...(dispatcher ? [dispatcher.listener] : []),
    ],
  });
  await worker.start();
  dispatcher?.start();
  const startedAt = Date.now();
  const health = await startHealthServer(
    config.HEALTH_PORT,
    {
      // In-memory figures only: record figures (dropped updates above all) while the database is away.
      report: () => ({
        service: options.name,
        queue: options.queue,
        concurrency: config.WORKER_CONCURRENCY,
        running: worker.isRunning(),
        runningTaskIds: worker.runningTaskIds(),
        uptimeMs: Date.now() - startedAt,
        // `quarantined` counts rows the database refused (see docs/delivery.md); liveness stays ok.
        records: records.stats,
        // `lost`: stream entries the cap (RECORD_STREAM_MAX) trimmed before any projector stored them.
        projector: projector?.stats,
      }),
      dependencies: { redis: () => timeRedisPing(redis), database: () => database.ping() },
      timeoutMs: config.HEALTH_CHECK_TIMEOUT_MS,
    },
    Object.assign({}, ...plugins.map((plugin) => plugin.routes ?? {})),
  );
  logger.info(
    {
      queue: options.queue,
      concurrency: config.WORKER_CONCURRENCY,
      fairness: config.FAIRNESS[options.queue] ?? (dispatcher ? 'flow keys' : 'off'),
      healthPort: health.port,
      database: database.kind,
    },
    'worker started',
  );

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      logger.info('stopping: no new tasks, waiting for running ones');
      for (const plugin of plugins) await plugin.stop?.();
      // Admit nothing more here: what this process does not run, other replicas will.
      await dispatcher?.stop();
      await worker.close({ graceMs: config.SHUTDOWN_GRACE_MS });
      await health.close();
      // Rows the projector already read are stored by the writer's close (or left pending in the
      // stream for another projector, if the database is away).
      await runtime.stop();
      logger.info('stopped');
    })();
    return stopping;
  };
  if (options.handleSignals ?? true) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        void stop().then(
          () => process.exit(0),
          (error) => {
            logger.error({ err: error }, 'unclean stop');
            process.exit(1);
          },
        );
      });
    }
  }
  const app: WorkerApp = {
    name: options.name,
    config,
    worker,
    health,
    database,
    redis,
    records,
    projector,
    logger,
    stop,
  };
  for (const plugin of plugins) await plugin.start?.(app);
  return app;
}

async function warnUnlessDurable(redis: RedisConnection, logger: Logger): Promise<void> {
  const { warnings, unknown } = await checkRedisDurability(redis);
  if (unknown !== undefined)
    logger.info({ reason: unknown }, 'could not read Redis settings to check durability');
  for (const warning of warnings)
    logger.warn({ see: 'docs/delivery.md' }, `Redis is not durable: ${warning}`);
}

async function timeRedisPing(redis: RedisConnection): Promise<number> {
  const started = performance.now();
  await redis.ping();
  return performance.now() - started;
}
