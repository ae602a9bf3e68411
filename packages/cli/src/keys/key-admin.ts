import type { ApiKeyJson } from '../commands/api-types.js';

export interface NewKey {
  userId: string;
  admin: boolean;
  label?: string | undefined;
}

/** A created key: the secret is here once and nowhere else. */
export interface CreatedKey {
  id: string;
  userId: string;
  admin: boolean;
  label: string | null;
  key: string;
}

/** Creates, lists and revokes api keys, on the database or through the api's admin routes. */
export interface KeyAdmin {
  /** Where the keys are managed, for people: `database` or `api`. */
  readonly via: 'database' | 'api';
  create(input: NewKey): Promise<CreatedKey>;
  list(): Promise<ApiKeyJson[]>;
  /** Throws KEY_NOT_FOUND (exit 4) unless a live key was revoked. */
  revoke(id: string): Promise<void>;
  close(): Promise<void>;
}
