import { z } from 'zod';
import { fairnessEnv } from './fairness.js';

/** A TCP port, given as a string in the environment. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);

/** A positive integer such as a concurrency or a batch size. */
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** A comma-separated setting read as its trimmed, non-empty items. */
export const commaList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    );

const isRedisUrl = (value: string) => /^rediss?:\/\//.test(value) && URL.canParse(value);

/** One redis:// or rediss:// URL, or comma-separated seed nodes of a Redis Cluster. */
const redisUrl = z
  .string()
  .refine(
    (value) => value.split(',').every((part) => isRedisUrl(part.trim())),
    'must be a redis:// or rediss:// URL, or a comma-separated list of them (cluster nodes)',
  );

/** Settings every process shares: where Redis and PostgreSQL are and how to name keys. */
/** A comma-separated list of host names or IP literals. */
const hostList = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((host) => host.trim())
      .filter(Boolean),
  );

export const baseEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REDIS_URL: redisUrl.default('redis://127.0.0.1:6379'),
  /** Connect to a Redis Cluster (implied when REDIS_URL lists more than one node). */
  REDIS_CLUSTER: z.stringbool().default(false),
  /** Prefix of every queue key in Redis; tests set a unique one per run. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_{}-]+$/, 'letters, digits and : _ - { } only')
    .default('foreman'),
  /** PostgreSQL URL; when unset, an embedded PGlite database under DATA_DIR is used. */
  DATABASE_URL: z
    .string()
    .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must start with postgres:// or postgresql://')
    .optional(),
  /** PostgreSQL schema holding the system's tables; tests use one per file. */
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'lower-case letters, digits and _ only')
    .default('public'),
  /** Longest wait for a new PostgreSQL connection before the query fails (pg connectionTimeoutMillis). */
  DATABASE_CONNECT_TIMEOUT_MS: positiveInt(5_000),
  /**
   * PostgreSQL statement_timeout of every pooled connection: the server cancels a statement that
   * runs longer. 0: no limit (e.g. for a maintenance worker that VACUUMs very large tables).
   */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(60_000),
  /**
   * Measure and export metrics (Prometheus /metrics, process, host, queue and task instruments).
   * false: none of it, e.g. to measure its cost; heartbeats and the task-record summaries stay.
   */
  METRICS_ENABLED: z.stringbool().default(true),
  /** Longest wait for one dependency (Redis, the database) in a readiness check before it counts as down. */
  HEALTH_CHECK_TIMEOUT_MS: positiveInt(2_000),
  DATA_DIR: z.string().default('.data'),
  /**
   * Most entries the task-event stream keeps. Entries carry task record rows until a projector
   * stores them, so this bounds how long PostgreSQL may be away before rows are lost: about
   * RECORD_STREAM_MAX / (3 x tasks per second) seconds, e.g. 5.5 minutes at 1,000 tasks/s. Each
   * entry takes about the size of its payload and result in Redis memory.
   */
  RECORD_STREAM_MAX: positiveInt(1_000_000),
  /** Per-queue fair sharing between users; api and workers must agree, so set it once for all. */
  FAIRNESS: fairnessEnv,
  /**
   * Hosts a submit's completion webhook may target, comma-separated: exact names or `*.suffix`
   * wildcards. Empty: submits with a webhook are refused.
   */
  WEBHOOK_ALLOWED_HOSTS: hostList,
  /** Let completion webhooks reach loopback, private and link-local addresses: a trusted network only. */
  WEBHOOK_ALLOW_PRIVATE: z.stringbool().default(false),
  /** HMAC-SHA256 key of completion webhooks' `x-foreman-signature`; unset, no webhook is sent. */
  WEBHOOK_SIGNING_SECRET: z.string().min(16).optional(),
  /** Tries of one completion webhook, each recorded in webhook_deliveries. */
  WEBHOOK_ATTEMPTS: positiveInt(5),
  /** Pause before a webhook's second try; each next one waits twice as long. */
  WEBHOOK_BACKOFF_MS: positiveInt(1_000),
  /**
   * Run a completion dispatcher in this process (links, webhooks, singleton release); on in the
   * maintenance worker by default.
   */
  COMPLETION_DISPATCHER: z.stringbool().default(false),
});

export type BaseEnv = z.output<typeof baseEnvSchema>;

/**
 * The per-user submit quota, counted in Redis: the api counts what users submit, beat their
 * schedules' runs, so both read it.
 */
export const submitQuotaEnvSchema = z.object({
  /** Tasks one user may submit per SUBMIT_QUOTA_WINDOW_MS (a bulk counts each task). 0: no quota. */
  SUBMIT_QUOTA: z.coerce.number().int().min(0).default(0),
  SUBMIT_QUOTA_WINDOW_MS: positiveInt(60_000),
});

export type SubmitQuotaEnv = z.output<typeof submitQuotaEnvSchema>;

/** Limits on the schedules of users without an admin key, checked when one is created or retimed. */
export const scheduleLimitsEnvSchema = z.object({
  SCHEDULE_MAX_PER_USER: positiveInt(100),
  /** Shortest time between two runs of a user's schedule (the shortest gap of a cron). */
  SCHEDULE_MIN_INTERVAL_MS: positiveInt(60_000),
});

/** Settings of a worker app; the app supplies its own default concurrency and health port. */
export const workerEnvSchema = (defaults: {
  concurrency: number;
  healthPort: number;
  recordProjector: boolean;
}) =>
  baseEnvSchema.extend({
    WORKER_CONCURRENCY: positiveInt(defaults.concurrency),
    HEALTH_PORT: port(defaults.healthPort),
    SHUTDOWN_GRACE_MS: positiveInt(30_000),
    /** Lock of a running job; a worker that dies loses its jobs to others once it expires. */
    WORKER_LOCK_DURATION_MS: positiveInt(30_000),
    /** How often a worker looks for jobs of dead workers. */
    WORKER_STALLED_INTERVAL_MS: positiveInt(30_000),
    /** Times a job is retaken from dead workers before it fails for good. */
    WORKER_MAX_STALLED_COUNT: positiveInt(5),
    /**
     * Task record rows held in memory while the database is unreachable; the worker's record
     * projector reads no more stream entries at once than this.
     */
    RECORD_BUFFER_MAX: positiveInt(100_000),
    /**
     * Store the record rows of the task-event stream from this worker (a member of the projectors'
     * consumer group, with the api, beat and maintenance-worker). Off leaves it to them and keeps
     * the worker's CPU for tasks; the app's default says which it is.
     */
    RECORD_PROJECTOR: z.stringbool().default(defaults.recordProjector),
  });

/** Where an OpenAI-compatible chat-completions server is; shared by every app that asks a model. */
export const chatEnvSchema = z.object({
  AI_BASE_URL: z.url().default('http://127.0.0.1:11434/v1'),
  AI_API_KEY: z.string().optional(),
  AI_MODEL: z.string().min(1).default('llama3.2'),
  AI_REQUEST_TIMEOUT_MS: positiveInt(120_000),
});

export type ChatEnv = z.output<typeof chatEnvSchema>;

/** Host names or IP literals, comma-separated. */

/** How workers fetch URLs that users give (feeds, `sync.fetch_url`): see @foreman/net. */
export const fetchEnvSchema = z.object({
  /** Let user-given URLs reach private, loopback and link-local addresses: a trusted network only. */
  FETCH_ALLOW_PRIVATE: z.stringbool().default(false),
  /** Host names or IP literals, comma-separated, that user-given URLs may reach whatever their address. */
  FETCH_ALLOWED_HOSTS: hostList,
});
export type FetchEnv = z.output<typeof fetchEnvSchema>;

export type WorkerEnv = z.output<ReturnType<typeof workerEnvSchema>>;

/**
 * The standard OpenTelemetry variables that decide whether tracing starts; the SDK reads the rest
 * (OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_EXPORTER_OTLP_HEADERS, OTEL_TRACES_SAMPLER, ...) itself.
 */
export const tracingEnvSchema = z.object({
  OTEL_SDK_DISABLED: z.enum(['true', 'false']).default('false'),
  /** otlp, zipkin, console or none; unset means none unless an OTLP endpoint is given. */
  OTEL_TRACES_EXPORTER: z.string().optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** Set by pnpm/npm scripts; names the service when OTEL_SERVICE_NAME does not. */
  npm_package_name: z.string().optional(),
});

export type TracingEnv = z.output<typeof tracingEnvSchema>;

/**
 * Mailbox credentials and connections, shared by every app that touches a user's IMAP mailbox
 * (api, email-worker, maintenance-worker): they must agree on the keys.
 */
export const mailboxEnvSchema = z.object({
  /**
   * `<key id>:<32 random bytes, base64>` sealing mailbox credentials (AES-256-GCM). Unset: no
   * mailbox can be connected or synced. Generate: `echo "k1:$(openssl rand -base64 32)"`.
   */
  MAILBOX_SECRET_KEY: z.string().min(1).optional(),
  /** Keys of earlier rotations, comma-separated, still opening what they sealed until re-sealed. */
  MAILBOX_PREVIOUS_SECRET_KEYS: z.string().default(''),
  /** IMAP hosts and token endpoints connected to even when their address is not public. */
  MAILBOX_ALLOWED_HOSTS: hostList,
  /** Connect to any address, private and loopback included (a trusted network only). */
  MAILBOX_ALLOW_PRIVATE_HOSTS: z.stringbool().default(false),
  /** Token endpoint of OAuth mailboxes that name none of their own. */
  OAUTH_TOKEN_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** OAuth client of mailboxes whose tokens name none. */
  OAUTH_CLIENT_ID: z.string().min(1).optional(),
  OAUTH_CLIENT_SECRET: z.string().min(1).optional(),
});

export type MailboxEnv = z.output<typeof mailboxEnvSchema>;
