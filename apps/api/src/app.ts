import type { AlertManager } from '@foreman/alerting';
import {
  DeadLetterStore,
  type RedisConnection,
  SubmitQuota,
  type TaskClient,
  type TaskRecordWriter,
} from '@foreman/core';
import type { ApiKeyStore, Database } from '@foreman/db';
import type { MailboxAccess } from '@foreman/imap';
import type { Logger } from '@foreman/logger';
import { FairnessMetrics, type QueueAdvisor, type ServiceMetrics } from '@foreman/metrics';
import { type ScheduleLimits, ScheduleService } from '@foreman/schedules';
import { WorkflowClient, WorkflowEngine } from '@foreman/workflows';
import { OpenAPIHono } from '@hono/zod-openapi';
import { Scalar } from '@scalar/hono-api-reference';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { loadDashboardAssets } from './dashboard/static-assets.js';
import { TaskEventFanout } from './events/task-event-fanout.js';
import { TaskEventReader } from './events/task-event-reader.js';
import type { ApiEnv } from './http/api-env.js';
import { ApiError } from './http/api-error.js';
import { errorHandler } from './http/error-handler.js';
import { traceRequests } from './http/trace-requests.js';
import { validationHook } from './http/validation-hook.js';
import { auth } from './middleware/auth/index.js';
import { FailedAuthLimit } from './middleware/rate-limit/failed-auth-limit.js';
import { rateLimit } from './middleware/rate-limit/index.js';
import { refuseNulQuery } from './middleware/refuse-nul-query/index.js';
import { sameOrigin } from './middleware/same-origin/index.js';
import type { ReadTokens } from './read-tokens/read-tokens.js';
import { advisorRoutes } from './routes/advisor.js';
import { aiRoutes } from './routes/ai.js';
import { alertRoutes, alertRuleRoutes } from './routes/alerts.js';
import { analyticsRoutes } from './routes/analytics.js';
import { BULL_BOARD_PATH, bullBoardRoutes } from './routes/bull-board.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { deadLetterRoutes } from './routes/dead-letters.js';
import { emailFeedbackRoutes } from './routes/email-feedback.js';
import { eventRoutes } from './routes/events.js';
import { exportRoutes } from './routes/exports.js';
import { fairnessRoutes } from './routes/fairness.js';
import { healthRoutes } from './routes/health.js';
import { keyRoutes } from './routes/keys.js';
import { mailboxRoutes } from './routes/mailboxes.js';
import { metricsRoutes } from './routes/metrics.js';
import { queueRoutes } from './routes/queues.js';
import { readTokenRoutes } from './routes/read-tokens.js';
import { scheduleRoutes } from './routes/schedules.js';
import { sessionRoutes } from './routes/session.js';
import { taskTypeRoutes } from './routes/task-types.js';
import { taskRoutes } from './routes/tasks.js';
import { workerRoutes } from './routes/workers.js';
import { workflowRoutes } from './routes/workflows.js';
import { IdempotentRequests } from './services/idempotent-requests.js';
import { TaskService } from './services/task-service.js';
import type { SessionCookieOptions } from './session/session-cookie.js';
import { SessionStore } from './session/session-store.js';

export interface AppDependencies {
  client: TaskClient;
  database: Database;
  redis: RedisConnection;
  keys: ApiKeyStore;
  logger: Logger;
  /** Redis key prefix of the deployment (the queue prefix). */
  prefix: string;
  maxBodyBytes: number;
  rateLimitPerMinute: number;
  /** Limits on users' schedules (admins exempt); the ScheduleService defaults when left out. */
  scheduleLimits?: ScheduleLimits | undefined;
  /** Failed key checks and sign-ins one client address may cause per minute (default 30). */
  authFailuresPerMinute?: number;
  /** Per-user submit quota (tasks per window); none when left out. */
  submitQuota?: { limit: number; windowMs: number } | undefined;
  apiKeyCacheMs?: number;
  /** How long one read of the event stream blocks (and so the SSE keep-alive interval). */
  eventBlockMs?: number;
  /** The client's record writer: its quarantined and dropped rows are shown on /health. */
  records?: TaskRecordWriter | undefined;
  /** Event streams (`GET /events`) one key may hold open on this process (default 20). */
  eventStreamsPerKey?: number;
  /** Aborted when the api stops: open event streams end, so the server can close at once. */
  shutdown?: AbortSignal;
  /** Serves the Prometheus scrape at /metrics when given (404 METRICS_DISABLED otherwise). */
  metrics?: ServiceMetrics;
  /** Serves /alerts and /alert-rules when given. */
  alerts?: AlertManager;
  /** Serves /advisor when given. */
  advisor?: QueueAdvisor;
  /** Longest wait for Redis or the database in GET /ready (default 2000 ms). */
  healthCheckTimeoutMs?: number;
  /** The dashboard's session cookie (default: Secure over https, 12 hours). */
  sessionCookie?: SessionCookieOptions;
  /** Origins besides the api's own host that cookie-authenticated requests may come from. */
  trustedOrigins?: readonly string[];
  /** Bull Board without job actions (default true). */
  bullBoardReadOnly?: boolean;
  /** The file worker's roots: user exports are downloaded only from inside them (none: no downloads). */
  fileRoots?: readonly string[];
  /** Serves /mailboxes (connect, list, remove users' IMAP mailboxes) when given. */
  mailboxes?: MailboxAccess;
  /** Mints and verifies browsers' read tokens; without it `POST …/token` answers 404 READ_TOKENS_DISABLED. */
  readTokens?: ReadTokens | undefined;
  /** Origins (a product frontend's) whose browsers may call the api cross-origin (CORS); none when empty. */
  corsOrigins?: readonly string[];
}

/**
 * Paths anyone may reach: probes, the Prometheus scrape, the api's own description, and what a
 * browser needs before it has a session (the login page and the dashboard's scripts and styles).
 */
const PUBLIC = ['/', '/health', '/ready', '/metrics', '/openapi.json', '/docs', '/login', '/logout'];
const isPublic = (path: string) => PUBLIC.includes(path) || path.startsWith('/dashboard/assets/');
/** Pages a browser navigates to: without a session they lead to the login page. */
const isPage = (path: string) =>
  path === '/dashboard' ||
  path === BULL_BOARD_PATH ||
  (path.startsWith(`${BULL_BOARD_PATH}/`) && !path.startsWith(`${BULL_BOARD_PATH}/api/`));

export function createApp(deps: AppDependencies) {
  const tasks = new TaskService(deps.client, deps.database, deps.redis, deps.prefix);
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.use(traceRequests());
  const sessionCookie = deps.sessionCookie ?? { secure: 'auto', maxAgeSeconds: 12 * 3_600 };
  const sessions = new SessionStore({
    redis: deps.redis,
    prefix: deps.prefix,
    maxAgeSeconds: sessionCookie.maxAgeSeconds,
  });
  const failures = new FailedAuthLimit({
    redis: deps.redis,
    prefix: deps.prefix,
    limit: deps.authFailuresPerMinute ?? 30,
  });
  const authenticate = auth({
    keys: deps.keys,
    sessions,
    failures,
    cacheMs: deps.apiKeyCacheMs,
    isPage,
    readTokens: deps.readTokens,
  });
  const limit = rateLimit({ redis: deps.redis, prefix: deps.prefix, limit: deps.rateLimitPerMinute });

  app.use(
    bodyLimit({
      maxSize: deps.maxBodyBytes,
      onError: () => {
        throw new ApiError('BODY_TOO_LARGE', `Request body exceeds ${deps.maxBodyBytes} bytes`);
      },
    }),
  );
  if (deps.corsOrigins?.length) {
    // Before authentication: a preflight carries no credentials. Bearer tokens only, no cookies.
    app.use(
      '*',
      cors({
        origin: deps.corsOrigins.map((origin) => new URL(origin).origin),
        allowMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
        allowHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID', 'Idempotency-Key'],
        exposeHeaders: ['Retry-After', 'Idempotent-Replayed'],
        maxAge: 600,
      }),
    );
  }
  app.use('*', sameOrigin({ trustedOrigins: deps.trustedOrigins, alwaysGuarded: ['/login'] }));
  app.use('*', async (c, next) => (isPublic(c.req.path) ? next() : authenticate(c, next)));
  app.use('*', async (c, next) => (isPublic(c.req.path) ? next() : limit(c, next)));
  app.use('*', refuseNulQuery());

  app.route('/', healthRoutes({ ...deps, timeoutMs: deps.healthCheckTimeoutMs }));
  app.route('/', sessionRoutes({ keys: deps.keys, sessions, cookie: sessionCookie, failures }));
  app.route('/', dashboardRoutes({ assets: loadDashboardAssets() }));
  app.route(
    BULL_BOARD_PATH,
    bullBoardRoutes({
      queues: deps.client.registry.queues().map((name) => deps.client.queue(name)),
      readOnly: deps.bullBoardReadOnly ?? true,
    }),
  );
  app.route('/', keyRoutes({ keys: deps.keys }));
  // Engine for the api's own reads, submits and cancels; beat's orchestrator advances workflows.
  const engine = new WorkflowEngine({ db: deps.database.db, client: deps.client, logger: deps.logger });
  const workflows = new WorkflowClient({ db: deps.database.db, engine, logger: deps.logger });
  app.route('/', readTokenRoutes({ readTokens: deps.readTokens, tasks, workflows }));
  app.route('/task-types', taskTypeRoutes({ registry: deps.client.registry }));
  const quota = deps.submitQuota
    ? new SubmitQuota({ redis: deps.redis, prefix: deps.prefix, ...deps.submitQuota })
    : undefined;
  const idempotent = new IdempotentRequests({ redis: deps.redis, prefix: deps.prefix });
  app.route('/tasks', taskRoutes({ client: deps.client, tasks, quota, idempotent }));
  app.route(
    '/dead-letters',
    deadLetterRoutes({ deadLetters: new DeadLetterStore({ db: deps.database.db, client: deps.client }) }),
  );
  app.route('/queues', queueRoutes(deps));
  const fair = deps.client.fairness;
  if (fair) {
    app.route(
      '/fairness',
      fairnessRoutes({ fairness: new FairnessMetrics({ scheduler: fair }), fairQueues: fair.queues }),
    );
  }
  app.route('/workflows', workflowRoutes({ workflows, quota, idempotent }));
  app.route(
    '/schedules',
    scheduleRoutes({
      schedules: new ScheduleService({
        db: deps.database.db,
        client: deps.client,
        logger: deps.logger,
        limits: deps.scheduleLimits,
      }),
    }),
  );
  app.route('/metrics', metricsRoutes({ metrics: deps.metrics, database: deps.database }));
  if (deps.advisor) app.route('/advisor', advisorRoutes({ advisor: deps.advisor }));
  if (deps.alerts) {
    app.route('/alerts', alertRoutes({ alerts: deps.alerts }));
    app.route('/alert-rules', alertRuleRoutes({ alerts: deps.alerts }));
  }
  if (deps.mailboxes) app.route('/mailboxes', mailboxRoutes({ access: deps.mailboxes }));
  app.route('/workers', workerRoutes(deps));
  app.route('/emails', emailFeedbackRoutes({ db: deps.database.db }));
  app.route('/analytics', analyticsRoutes({ db: deps.database.db }));
  app.route('/ai', aiRoutes({ db: deps.database.db, client: deps.client, quota }));
  app.route('/exports', exportRoutes({ db: deps.database.db, roots: deps.fileRoots ?? [] }));
  const reader = new TaskEventReader(deps.prefix, deps.redis);
  const fanout = new TaskEventFanout({
    reader,
    redis: deps.redis,
    blockMs: deps.eventBlockMs ?? 15_000,
    maxStreamsPerKey: deps.eventStreamsPerKey ?? 20,
  });
  deps.shutdown?.addEventListener('abort', () => fanout.closeAll(), { once: true });
  app.route('/events', eventRoutes({ reader, fanout }));

  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', { type: 'http', scheme: 'bearer' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Foreman api',
      version: '1.0.0',
      description:
        'Submit and follow background tasks. Every error has the shape `{ error: { code, message, details? } }`.',
    },
    security: [{ apiKey: [] }],
  });
  app.get('/docs', Scalar({ url: '/openapi.json', pageTitle: 'Foreman api' }));

  app.notFound(() => {
    throw new ApiError('ROUTE_NOT_FOUND', 'No such route');
  });
  app.onError(errorHandler(deps.logger));
  return app;
}
