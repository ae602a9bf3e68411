import { GuardedFetch } from '@foreman/net';
import { z } from 'zod';
import { MailboxError } from './mailbox-error.js';

export interface OAuthClient {
  /** The provider's token endpoint (RFC 6749 section 6). */
  tokenEndpoint: string;
  clientId: string;
  clientSecret?: string | undefined;
}

export interface RefreshedToken {
  accessToken: string;
  /** Present when the provider rotates refresh tokens; keep the old one otherwise. */
  refreshToken: string | undefined;
  expiresAt: Date | undefined;
}

const tokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.coerce.number().positive().optional(),
});

export interface RefreshOptions {
  /** Fetch for the endpoint; a GuardedFetch refusing private addresses by default. */
  fetch?: GuardedFetch;
  /** @defaultValue 15_000 */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Trades a refresh token for a new access token at the provider's token endpoint. A 400/401
 * answer (`invalid_grant`: revoked, expired) is OAUTH_GRANT_REVOKED, the user must consent again;
 * anything else that is not a token (network, 5xx, a malformed body) is OAUTH_REFRESH_FAILED.
 */
export async function refreshAccessToken(
  client: OAuthClient,
  refreshToken: string,
  options: RefreshOptions = {},
): Promise<RefreshedToken> {
  const fetcher = options.fetch ?? new GuardedFetch();
  const body = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: client.clientId,
  });
  if (client.clientSecret) body.set('client_secret', client.clientSecret);
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  let response: Awaited<ReturnType<GuardedFetch['fetch']>>;
  try {
    response = await fetcher.fetch(client.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
      signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
    });
  } catch (error) {
    throw new MailboxError('OAUTH_REFRESH_FAILED', `Token endpoint unreachable: ${(error as Error).message}`);
  }
  const text = await response.text();
  if (response.status === 400 || response.status === 401) {
    const reason = safeJson(text)?.error;
    throw new MailboxError(
      'OAUTH_GRANT_REVOKED',
      `Token endpoint refused the refresh token (${response.status}${typeof reason === 'string' ? ` ${reason}` : ''})`,
    );
  }
  const parsed = response.ok ? tokenResponse.safeParse(safeJson(text)) : undefined;
  if (!parsed?.success) {
    throw new MailboxError(
      'OAUTH_REFRESH_FAILED',
      `Token endpoint answered ${response.status} without a token`,
    );
  }
  const { access_token, refresh_token, expires_in } = parsed.data;
  return {
    accessToken: access_token,
    refreshToken: refresh_token,
    expiresAt: expires_in === undefined ? undefined : new Date(Date.now() + expires_in * 1_000),
  };
}

function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
