import type { AddressInfo } from 'node:net';
import { AlertManager, AlertScheduler, createChannels, loadRulesFile } from '@foreman/alerting';
import { type Env, loadConfig } from '@foreman/config';
import { createRegistry } from '@foreman/contracts';
import { createRuntime } from '@foreman/core/worker';
import { ApiKeyStore } from '@foreman/db';
import { mailboxAccess } from '@foreman/imap';
import { QueueAdvisor, ServiceMetrics } from '@foreman/metrics';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { bootstrapAdminKey } from './bootstrap-admin-key.js';
import { apiEnvSchema } from './env.js';
import { ReadTokens } from './read-tokens/read-tokens.js';

export interface ApiServer {
  readonly port: number;
  stop(): Promise<void>;
}

/** Opens the api's connections and listens; `stop` closes everything in order. */
export async function startApiServer(env?: Env): Promise<ApiServer> {
  const config = loadConfig(apiEnvSchema, env);
  // The rows its submits, cancels and retries append are stored by beat and maintenance-worker
  // (RECORD_PROJECTOR): reads answer from the queue until they land.
  const runtime = await createRuntime({
    name: 'api',
    env: config,
    registry: createRegistry(),
    project: config.RECORD_PROJECTOR,
  });
  const { database, redis, records, client, logger } = runtime;
  const metrics = config.METRICS_ENABLED
    ? new ServiceMetrics({
        service: 'api',
        diskPath: config.DATA_DIR,
        queues: {
          connection: redis,
          prefix: config.QUEUE_PREFIX,
          names: client.registry.queues(),
          db: database.db,
        },
        fairness: client.fairness,
        records,
      })
    : undefined;
  const keys = new ApiKeyStore(database.db);
  await bootstrapAdminKey({
    keys,
    database,
    logger,
    adminKey: config.ADMIN_API_KEY,
    dataDir: config.DATA_DIR,
  });
  const rulesFile = config.ALERT_RULES_FILE
    ? await loadRulesFile(config.ALERT_RULES_FILE)
    : { channels: {}, rules: [] };
  const alerts = new AlertManager({
    db: database.db,
    redis,
    prefix: config.QUEUE_PREFIX,
    logger: logger.child({ component: 'alerting' }),
    channels: createChannels(rulesFile.channels, logger),
    fileRules: rulesFile.rules,
  });
  const scheduler = new AlertScheduler({
    manager: alerts,
    redis,
    prefix: config.QUEUE_PREFIX,
    logger,
    intervalMs: config.ALERT_INTERVAL_MS,
  });
  if (config.ALERT_EVALUATION === 'on') await scheduler.start();
  const shutdown = new AbortController();
  const app = createApp({
    shutdown: shutdown.signal,
    client,
    records,
    database,
    redis,
    keys,
    logger,
    prefix: config.QUEUE_PREFIX,
    maxBodyBytes: config.MAX_BODY_BYTES,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    scheduleLimits: {
      maxPerUser: config.SCHEDULE_MAX_PER_USER,
      minIntervalMs: config.SCHEDULE_MIN_INTERVAL_MS,
    },
    authFailuresPerMinute: config.AUTH_FAILURES_PER_MINUTE,
    eventStreamsPerKey: config.EVENT_STREAMS_PER_KEY,
    submitQuota:
      config.SUBMIT_QUOTA > 0
        ? { limit: config.SUBMIT_QUOTA, windowMs: config.SUBMIT_QUOTA_WINDOW_MS }
        : undefined,
    apiKeyCacheMs: config.API_KEY_CACHE_MS,
    healthCheckTimeoutMs: config.HEALTH_CHECK_TIMEOUT_MS,
    sessionCookie: { secure: config.SESSION_COOKIE_SECURE, maxAgeSeconds: config.SESSION_MAX_AGE_SECONDS },
    trustedOrigins: config.TRUSTED_ORIGINS,
    corsOrigins: config.CORS_ORIGINS,
    readTokens: config.READ_TOKEN_SECRET
      ? new ReadTokens({ secret: config.READ_TOKEN_SECRET, ttlSeconds: config.READ_TOKEN_TTL_SECONDS })
      : undefined,
    bullBoardReadOnly: config.BULL_BOARD_READ_ONLY,
    fileRoots: config.FILE_ROOTS,
    mailboxes: mailboxAccess(database.db, config),
    metrics,
    alerts,
    advisor: new QueueAdvisor({
      db: database.db,
      redis,
      prefix: config.QUEUE_PREFIX,
      queues: client.registry.queues(),
    }),
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const listening = serve({ fetch: app.fetch, port: config.PORT, hostname: '0.0.0.0' }, () =>
      resolve(listening),
    );
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, database: database.kind }, 'api listening');
  return {
    port,
    async stop() {
      // A server closes once its connections end, and an event stream would never end by itself.
      shutdown.abort();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await scheduler.stop();
      await metrics?.close();
      await runtime.stop();
    },
  };
}
