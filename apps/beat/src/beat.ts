import {
  AlertManager,
  type AlertPredicate,
  AlertScheduler,
  createChannels,
  loadRulesFile,
} from '@foreman/alerting';
import type { Env } from '@foreman/config';
import { allSchedules, createRegistry } from '@foreman/contracts';
import {
  createRuntime,
  type HealthServer,
  type RecordProjector,
  type RedisConnection,
  type ScheduleDeclaration,
  SubmitQuota,
  startHealthServer,
  TaskEventSubscriber,
  type TaskRegistry,
} from '@foreman/core';
import type { Database } from '@foreman/db';
import type { Logger } from '@foreman/logger';
import { metricsRoutes, ServiceMetrics } from '@foreman/metrics';
import { ScheduleRunner, ScheduleService } from '@foreman/schedules';
import {
  WorkflowClient,
  WorkflowEngine,
  WorkflowOrchestrator,
  type WorkflowPredicate,
} from '@foreman/workflows';
import { loadBeatEnv } from './env.js';

export interface BeatOptions {
  env?: Env;
  /** Defaults seeded into the schedules table; every domain's declarations unless given. */
  declarations?: readonly ScheduleDeclaration[];
  /** Contracts that schedules may fire; every contract of the system unless given. */
  registry?: TaskRegistry;
  /** Predicates that workflow node conditions may name. */
  predicates?: Record<string, WorkflowPredicate>;
  /** Predicates that `custom` alert rules may name. */
  alertPredicates?: Record<string, AlertPredicate>;
}

export interface Beat {
  readonly schedules: ScheduleService;
  readonly runner: ScheduleRunner;
  readonly workflows: WorkflowClient;
  readonly alerts: AlertManager;
  readonly health: HealthServer;
  readonly database: Database;
  readonly redis: RedisConnection;
  readonly logger: Logger;
  /** Stores the record rows of the task-event stream, with the workers' projectors. */
  readonly projector: RecordProjector;
  stop(): Promise<void>;
}

/**
 * Seeds the declared schedules and fires the schedules table by each row's overlap and misfire
 * policies (`ScheduleRunner`); orchestrates workflows. Any number of beats, or a restarted one,
 * fire each occurrence once: ticks are exclusive across beats and each run's task id is derived
 * from its schedule and occurrence. Evaluates the alert rules once per ALERT_INTERVAL_MS across
 * beats, and soon after a task fails for good.
 */
export async function startBeat(options: BeatOptions = {}): Promise<Beat> {
  const env = loadBeatEnv(options.env);
  // Beat projects too, so records land (and workflows advance) even with no worker up; its
  // scheduled runs take their turn among their owner's tasks on fair queues.
  const runtime = await createRuntime({
    name: 'beat',
    env,
    registry: options.registry ?? createRegistry(),
  });
  const { database, redis, client, logger } = runtime;
  const projector = runtime.projector as RecordProjector;
  const schedules = new ScheduleService({ db: database.db, client, logger });
  const runner = new ScheduleRunner({
    db: database.db,
    client,
    connection: redis,
    prefix: env.QUEUE_PREFIX,
    logger,
    tickMs: env.SCHEDULE_TICK_MS,
    misfireGraceMs: env.SCHEDULE_MISFIRE_GRACE_MS,
    // Users' scheduled runs count against the quota the api counts their submits into.
    quota: SubmitQuota.fromEnv(redis, env.QUEUE_PREFIX, env),
  });
  const engine = new WorkflowEngine({ db: database.db, client, predicates: options.predicates, logger });
  const workflows = new WorkflowClient({ db: database.db, engine, logger });
  const orchestrator = new WorkflowOrchestrator({
    db: database.db,
    engine,
    logger,
    pollIntervalMs: env.WORKFLOW_POLL_MS,
  });
  const declarations = options.declarations ?? allSchedules;
  await schedules.reconcile(declarations);
  runner.start();
  // Resumes the workflows left running by a previous beat, then follows them all.
  await orchestrator.start();

  const rulesFile = env.ALERT_RULES_FILE
    ? await loadRulesFile(env.ALERT_RULES_FILE)
    : { channels: {}, rules: [] };
  const alertLogger = logger.child({ component: 'alerting' });
  const alerts = new AlertManager({
    db: database.db,
    redis,
    prefix: env.QUEUE_PREFIX,
    logger: alertLogger,
    channels: createChannels(rulesFile.channels, alertLogger),
    fileRules: rulesFile.rules,
    ...(options.alertPredicates ? { predicates: options.alertPredicates } : {}),
  });
  const events = new TaskEventSubscriber({ connection: redis, prefix: env.QUEUE_PREFIX, logger });
  const alerting = new AlertScheduler({
    manager: alerts,
    redis,
    prefix: env.QUEUE_PREFIX,
    logger: alertLogger,
    intervalMs: env.ALERT_INTERVAL_MS,
    events,
    eventDelayMs: env.ALERT_EVENT_DELAY_MS,
  });
  if (env.ALERT_EVALUATION === 'on') await alerting.start();

  const metrics = env.METRICS_ENABLED
    ? new ServiceMetrics({ service: 'beat', diskPath: env.DATA_DIR })
    : undefined;
  const startedAt = Date.now();
  const health = await startHealthServer(
    env.HEALTH_PORT,
    {
      report: () => ({ service: 'beat', uptimeMs: Date.now() - startedAt, projector: projector.stats }),
      dependencies: { redis: () => timeRedisPing(redis), database: () => database.ping() },
      timeoutMs: env.HEALTH_CHECK_TIMEOUT_MS,
    },
    // Beat runs no tasks: its summaries are empty, its process and host metrics are not.
    metrics ? metricsRoutes(metrics.registry, () => []) : {},
  );
  logger.info(
    { declared: declarations.map((declaration) => declaration.id), healthPort: health.port },
    'beat started',
  );

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await runner.stop();
      await orchestrator.stop();
      await alerting.stop();
      await events.close();
      await health.close();
      await metrics?.close();
      await runtime.stop();
      logger.info('beat stopped');
    })();
    return stopping;
  };
  return { schedules, runner, workflows, alerts, health, database, redis, logger, projector, stop };
}

async function timeRedisPing(redis: RedisConnection): Promise<number> {
  const started = performance.now();
  await redis.ping();
  return performance.now() - started;
}
