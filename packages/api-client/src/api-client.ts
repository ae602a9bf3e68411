import createClient, { type Client } from 'openapi-fetch';
import { ApiClientOptionsError } from './api-client-options-error.js';
import { ApiRequestError } from './api-request-error.js';
import type { paths } from './generated/openapi.js';

export interface ApiClientOptions {
  /** The api's base URL, e.g. `https://foreman.example.org`; must be http(s). */
  baseUrl: string;
  /**
   * Sent as `Authorization: Bearer <token>`: an api key, or (in a browser) a read token minted
   * for one task. A function is asked on every request, so a refreshed token is picked up.
   * @defaultValue none: no Authorization header (the browser's session cookie, or public routes)
   */
  token?: string | (() => string | undefined) | undefined;
  /**
   * The fetch to send requests with (timeouts, retries or tests wrap it here).
   * @defaultValue `globalThis.fetch`
   */
  fetch?: (request: Request) => Promise<Response>;
}

/** The api's routes, typed from its OpenAPI document: `client.GET('/tasks/{id}', { params: { path: { id } } })`. */
export type ApiClient = Client<paths>;

/**
 * A typed client of the api (openapi-fetch over the generated `paths`). It runs in browsers and
 * Node alike: no Node-only module is imported.
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  if (!URL.canParse(options.baseUrl) || !/^https?:$/.test(new URL(options.baseUrl).protocol)) {
    throw new ApiClientOptionsError(`baseUrl must be an http(s) URL (got "${options.baseUrl}")`);
  }
  const send = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const client = createClient<paths>({ baseUrl: options.baseUrl.replace(/\/+$/, ''), fetch: send });
  const { token } = options;
  if (token) {
    client.use({
      onRequest({ request }) {
        const value = typeof token === 'function' ? token() : token;
        if (value) request.headers.set('authorization', `Bearer ${value}`);
        return request;
      },
    });
  }
  return client;
}

/** What every openapi-fetch call resolves to: the data, or the error answer. */
type Answer<Data> = { data?: Data; error?: unknown; response: Response };

/**
 * The data of a call, or the api's error answer thrown as an `ApiRequestError`:
 * `const task = await unwrap(client.GET('/tasks/{id}', { params: { path: { id } } }))`.
 */
export async function unwrap<Data>(call: Promise<Answer<Data>>): Promise<Data> {
  const { data, error, response } = await call;
  if (!response.ok) throw ApiRequestError.of(response, error);
  return data as Data;
}
