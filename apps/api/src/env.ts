import {
  baseEnvSchema,
  commaList,
  loadConfig,
  mailboxEnvSchema,
  port,
  positiveInt,
  scheduleLimitsEnvSchema,
  submitQuotaEnvSchema,
} from '@foreman/config';
import { z } from 'zod';

/** A comma-separated list of http(s) origins. */
const originList = () => commaList('').pipe(z.array(z.url({ protocol: /^https?$/ })));

export const apiEnvSchema = baseEnvSchema
  .extend(submitQuotaEnvSchema.shape)
  .extend(mailboxEnvSchema.shape)
  .extend(scheduleLimitsEnvSchema.shape)
  .extend({
    PORT: port(3000),
    /** Largest request body accepted, in bytes; larger bodies get 413. */
    MAX_BODY_BYTES: positiveInt(1024 * 1024),
    /** Requests one api key may make per minute; more get 429 with Retry-After. */
    RATE_LIMIT_PER_MINUTE: positiveInt(600),
    /**
     * Failed key checks and sign-ins one client address may cause per minute; more get 429 before
     * any database lookup (keys already verified still pass).
     */
    AUTH_FAILURES_PER_MINUTE: positiveInt(30),
    /**
     * Store the record rows of the task-event stream from this api process too. Off by default:
     * beat and maintenance-worker project, and an api's event loop answers requests.
     */
    RECORD_PROJECTOR: z.stringbool().default(false),
    /** Event streams (GET /events) one key may hold open on one api process; one more gets 429. */
    EVENT_STREAMS_PER_KEY: positiveInt(20),
    /** How long a verified key is trusted before the database is asked again (revocation delay). */
    API_KEY_CACHE_MS: positiveInt(5_000),
    /**
     * An admin key to accept (stored hashed at start, user `admin`). Unset: when no admin key exists,
     * the api creates one and writes it to `DATA_DIR/admin-key`.
     */
    ADMIN_API_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
    /** JSON file of alert channels and rules; rules can also be managed through /alert-rules. */
    ALERT_RULES_FILE: z.string().min(1).optional(),
    /** How often the rules are evaluated when ALERT_EVALUATION is on, once per interval across replicas. */
    ALERT_INTERVAL_MS: positiveInt(30_000),
    /** on: this api evaluates the rules too; off (default): beat does. */
    ALERT_EVALUATION: z.enum(['on', 'off']).default('off'),
    /**
     * Secure flag of the dashboard's session cookie. auto: set when the request came over https
     * (directly or per X-Forwarded-Proto); always / never force it.
     */
    SESSION_COOKIE_SECURE: z.enum(['auto', 'always', 'never']).default('auto'),
    /** Lifetime of the dashboard's session cookie, in seconds. */
    SESSION_MAX_AGE_SECONDS: positiveInt(12 * 3_600),
    /**
     * Origins, comma-separated, from which cookie-authenticated (dashboard) requests may change state,
     * besides the api's own host: for a proxy that rewrites the Host header.
     */
    TRUSTED_ORIGINS: originList(),
    /**
     * Origins, comma-separated (`https://app.example.com`), whose pages may call the api from the
     * browser (CORS), with a read token or a key in `Authorization`. Empty: no CORS headers.
     */
    CORS_ORIGINS: originList(),
    /**
     * HMAC key (32+ characters, the same on every replica) that signs browsers' read tokens
     * (`POST /tasks/{id}/token`, …). Unset: minting answers 404 READ_TOKENS_DISABLED.
     */
    READ_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /** Lifetime of a read token, in seconds. */
    READ_TOKEN_TTL_SECONDS: positiveInt(900),
    /** Bull Board (/admin/queues) shows jobs without retry, remove, clean or pause buttons. */
    BULL_BOARD_READ_ONLY: z.stringbool().default(true),
    /**
     * The file worker's FILE_ROOTS (comma-separated), on a file system this process shares with it:
     * GET /exports/{id}/download serves export files from inside them only.
     */
    FILE_ROOTS: commaList('.data/files'),
  });

export type ApiEnvConfig = z.output<typeof apiEnvSchema>;

export const loadApiEnv = () => loadConfig(apiEnvSchema);
