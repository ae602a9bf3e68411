import type { ApiClient } from '@foreman/api-client';
import type { ApiKeyJson } from '../commands/api-types.js';
import { call } from '../http/api.js';
import type { CreatedKey, KeyAdmin, NewKey } from './key-admin.js';

/** Keys through the api's admin routes (`/keys`): needs an admin key, no database access. */
export class ApiKeyAdmin implements KeyAdmin {
  readonly via = 'api';

  constructor(private readonly api: ApiClient) {}

  async create(input: NewKey): Promise<CreatedKey> {
    const created = await call(this.api.POST('/keys', { body: input }));
    return { ...created, label: input.label ?? null };
  }

  async list(): Promise<ApiKeyJson[]> {
    return (await call(this.api.GET('/keys'))).keys;
  }

  async revoke(id: string): Promise<void> {
    await call(this.api.DELETE('/keys/{id}', { params: { path: { id } } }));
  }

  async close(): Promise<void> {}
}
