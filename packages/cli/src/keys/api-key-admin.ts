import type { ApiKeyJson } from '../commands/api-types.js';
import type { ApiClient } from '../http/api-client.js';
import type { CreatedKey, KeyAdmin, NewKey } from './key-admin.js';

/** Keys through the api's admin routes (`/keys`): needs an admin key, no database access. */
export class ApiKeyAdmin implements KeyAdmin {
  readonly via = 'api';

  constructor(private readonly api: ApiClient) {}

  async create(input: NewKey): Promise<CreatedKey> {
    const created = await this.api.post<Omit<CreatedKey, 'label'>>('/keys', input);
    return { ...created, label: input.label ?? null };
  }

  async list(): Promise<ApiKeyJson[]> {
    return (await this.api.get<{ keys: ApiKeyJson[] }>('/keys')).keys;
  }

  async revoke(id: string): Promise<void> {
    await this.api.delete(`/keys/${encodeURIComponent(id)}`);
  }

  async close(): Promise<void> {}
}
