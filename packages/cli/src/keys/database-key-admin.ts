import { ApiKeyStore, createDatabase, type Database } from '@foreman/db';
import type { ApiKeyJson } from '../commands/api-types.js';
import { CliError, EXIT } from '../errors.js';
import type { CreatedKey, KeyAdmin, NewKey } from './key-admin.js';

/**
 * Keys straight on the database (`ApiKeyStore`): how an operator bootstraps the first keys, before
 * any api key exists. Only the key's SHA-256 is written.
 */
export class DatabaseKeyAdmin implements KeyAdmin {
  readonly via = 'database';
  private readonly database: Database;
  private readonly store: ApiKeyStore;

  constructor(options: { url: string; schema: string }) {
    this.database = createDatabase({ url: options.url, schema: options.schema, poolSize: 1 });
    this.store = new ApiKeyStore(this.database.db);
  }

  async create(input: NewKey): Promise<CreatedKey> {
    const created = await this.guard(() => this.store.create(input));
    return { ...created, label: input.label ?? null };
  }

  async list(): Promise<ApiKeyJson[]> {
    const keys = await this.guard(() => this.store.list());
    return keys.map((key) => ({
      ...key,
      createdAt: key.createdAt.toISOString(),
      revokedAt: key.revokedAt?.toISOString() ?? null,
    }));
  }

  async revoke(id: string): Promise<void> {
    if (!(await this.guard(() => this.store.revoke(id)))) {
      throw new CliError('KEY_NOT_FOUND', `No live key with id "${id}"`, EXIT.notFound);
    }
  }

  close(): Promise<void> {
    return this.database.close();
  }

  /** Database failures as cli errors that say what to do. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const code = pgCode(error);
      if (code === '42P01') {
        throw new CliError(
          'DATABASE_NOT_MIGRATED',
          `No api_keys table in schema "${this.database.schema}": run the migrations first (the api does at start, or node apps/api/dist/migrate.js)`,
        );
      }
      if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === '28P01' || code === '3D000') {
        throw new CliError(
          'DATABASE_UNREACHABLE',
          `Cannot use the database: ${(error as Error).message}`,
          EXIT.unreachable,
        );
      }
      throw error;
    }
  }
}

/** The PostgreSQL (or socket) error code, also when drizzle wraps the driver's error. */
function pgCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const errors = (current as { errors?: unknown[] }).errors;
    if (Array.isArray(errors) && errors.length > 0) current = errors[0];
    else current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
