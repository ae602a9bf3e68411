import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';
import { baseEnvSchema, fetchEnvSchema, workerEnvSchema } from './schemas.js';

describe('loadConfig', () => {
  it('applies defaults when nothing is set', () => {
    const config = loadConfig(baseEnvSchema, {});
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.QUEUE_PREFIX).toBe('foreman');
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('defaults the switches and timeouts of metrics, health and the database pool', () => {
    expect(loadConfig(baseEnvSchema, {})).toMatchObject({
      METRICS_ENABLED: true,
      HEALTH_CHECK_TIMEOUT_MS: 2_000,
      DATABASE_CONNECT_TIMEOUT_MS: 5_000,
      DATABASE_STATEMENT_TIMEOUT_MS: 60_000,
    });
    const off = loadConfig(baseEnvSchema, { METRICS_ENABLED: 'false', DATABASE_STATEMENT_TIMEOUT_MS: '0' });
    expect(off).toMatchObject({ METRICS_ENABLED: false, DATABASE_STATEMENT_TIMEOUT_MS: 0 });
    expect(() => loadConfig(baseEnvSchema, { HEALTH_CHECK_TIMEOUT_MS: '0' })).toThrow(ConfigError);
    expect(() => loadConfig(baseEnvSchema, { METRICS_ENABLED: 'perhaps' })).toThrow(ConfigError);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig(baseEnvSchema, { DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig(workerEnvSchema({ concurrency: 2, healthPort: 4000, recordProjector: false }), {
        REDIS_URL: 'http://nope',
        WORKER_CONCURRENCY: '-3',
        DATABASE_URL: 'mysql://x',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const variables = (error as ConfigError).issues.map((issue) => issue.variable).sort();
    expect(variables).toEqual(['DATABASE_URL', 'REDIS_URL', 'WORKER_CONCURRENCY']);
    expect((error as ConfigError).message).toContain('WORKER_CONCURRENCY');
    expect((error as ConfigError).code).toBe('CONFIG_INVALID');
  });

  it('coerces numbers and keeps app defaults', () => {
    const config = loadConfig(workerEnvSchema({ concurrency: 4, healthPort: 4001, recordProjector: false }), {
      HEALTH_PORT: '5000',
    });
    expect(config.WORKER_CONCURRENCY).toBe(4);
    expect(config.HEALTH_PORT).toBe(5000);
  });

  it("takes the app's record-projector default unless RECORD_PROJECTOR says otherwise", () => {
    const taskWorker = workerEnvSchema({ concurrency: 1, healthPort: 0, recordProjector: false });
    const maintenance = workerEnvSchema({ concurrency: 1, healthPort: 0, recordProjector: true });
    expect(loadConfig(taskWorker, {}).RECORD_PROJECTOR).toBe(false);
    expect(loadConfig(maintenance, {}).RECORD_PROJECTOR).toBe(true);
    expect(loadConfig(taskWorker, { RECORD_PROJECTOR: 'true' }).RECORD_PROJECTOR).toBe(true);
    expect(loadConfig(maintenance, { RECORD_PROJECTOR: 'false' }).RECORD_PROJECTOR).toBe(false);
  });

  it('accepts any zod object schema', () => {
    expect(() => loadConfig(z.object({ TOKEN: z.string() }), {})).toThrow(/TOKEN/);
  });
});

describe('FAIRNESS', () => {
  it('is off for every queue by default', () => {
    expect(loadConfig(baseEnvSchema, {}).FAIRNESS).toEqual({});
  });

  it('parses per-queue limits and fills the ready window', () => {
    const config = loadConfig(baseEnvSchema, {
      FAIRNESS: '{"email":{"concurrency":2,"rate":{"count":10,"intervalMs":1000}}}',
    });
    expect(config.FAIRNESS).toEqual({
      email: { concurrency: 2, rate: { count: 10, intervalMs: 1000 }, readyWindow: 10 },
    });
  });

  it('names the variable when the JSON or a limit is bad', () => {
    expect(() => loadConfig(baseEnvSchema, { FAIRNESS: '{email' })).toThrow(/FAIRNESS.*JSON/);
    expect(() => loadConfig(baseEnvSchema, { FAIRNESS: '{"email":{"concurrency":0}}' })).toThrow(/FAIRNESS/);
    expect(() => loadConfig(baseEnvSchema, { FAIRNESS: '{"email":{"concurency":2}}' })).toThrow(/FAIRNESS/);
  });
});

describe('FETCH_*', () => {
  it('refuses private addresses by default and lists allowed hosts', () => {
    expect(loadConfig(fetchEnvSchema, {})).toEqual({ FETCH_ALLOW_PRIVATE: false, FETCH_ALLOWED_HOSTS: [] });
    expect(
      loadConfig(fetchEnvSchema, {
        FETCH_ALLOW_PRIVATE: 'true',
        FETCH_ALLOWED_HOSTS: ' feeds.internal, 10.0.0.7 ,',
      }),
    ).toEqual({ FETCH_ALLOW_PRIVATE: true, FETCH_ALLOWED_HOSTS: ['feeds.internal', '10.0.0.7'] });
    expect(() => loadConfig(fetchEnvSchema, { FETCH_ALLOW_PRIVATE: 'maybe' })).toThrow(/FETCH_ALLOW_PRIVATE/);
  });
});

describe('WEBHOOK_*', () => {
  it('refuses every webhook and private address by default, and reads the allow-list', () => {
    const defaults = loadConfig(baseEnvSchema, {});
    expect(defaults).toMatchObject({
      WEBHOOK_ALLOWED_HOSTS: [],
      WEBHOOK_ALLOW_PRIVATE: false,
      WEBHOOK_ATTEMPTS: 5,
      WEBHOOK_BACKOFF_MS: 1_000,
      COMPLETION_DISPATCHER: false,
    });
    expect(defaults.WEBHOOK_SIGNING_SECRET).toBeUndefined();
    expect(
      loadConfig(baseEnvSchema, {
        WEBHOOK_ALLOWED_HOSTS: 'hooks.example.com, *.example.org',
        WEBHOOK_ALLOW_PRIVATE: 'true',
      }),
    ).toMatchObject({
      WEBHOOK_ALLOWED_HOSTS: ['hooks.example.com', '*.example.org'],
      WEBHOOK_ALLOW_PRIVATE: true,
    });
    expect(() => loadConfig(baseEnvSchema, { WEBHOOK_SIGNING_SECRET: 'short' })).toThrow(
      /WEBHOOK_SIGNING_SECRET/,
    );
  });
});
