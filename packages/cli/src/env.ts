import { baseEnvSchema, type Env, loadConfig } from '@foreman/config';
import { z } from 'zod';

/** What the cli reads from the environment; flags override each. */
export const cliEnvSchema = baseEnvSchema
  // When DATABASE_URL is set, `keys` commands work on that database (and schema) instead of the api.
  .pick({ DATABASE_URL: true, DATABASE_SCHEMA: true })
  .extend({
    /** Base URL of the api. */
    FOREMAN_URL: z.url().default('http://127.0.0.1:3000'),
    /** Api key sent as a bearer token; `keys` commands on the database need none. */
    FOREMAN_API_KEY: z.string().min(1).optional(),
    /** Limit of one api request. */
    FOREMAN_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  });

export type CliEnv = z.output<typeof cliEnvSchema>;

export const loadCliEnv = (env: Env): CliEnv => loadConfig(cliEnvSchema, env);
