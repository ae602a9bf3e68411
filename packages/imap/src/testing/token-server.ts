import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
}

export interface TestTokenServer {
  /** http://127.0.0.1:<port>/token: the refresh_token grant (RFC 6749 section 6). */
  readonly tokenUrl: string;
  /** http://127.0.0.1:<port>/introspect: RFC 7662, what Dovecot's oauth2 passdb asks. */
  readonly introspectionUrl: string;
  /** Every grant request's form fields, oldest first. */
  readonly grants: Array<Record<string, string>>;
  /** Issues a fresh access and refresh token pair for a user; access tokens live `expiresInSeconds`. */
  issue(username: string): IssuedTokens;
  /** Refresh tokens that are refused from now on with 400 invalid_grant. */
  revoke(refreshToken: string): void;
  /** Access tokens that introspect as inactive from now on. */
  expire(accessToken: string): void;
  /** Lifetime reported for new access tokens. @defaultValue 3600 */
  expiresInSeconds: number;
  close(): Promise<void>;
}

/**
 * A small OAuth 2.0 provider on 127.0.0.1 for tests: a token endpoint that refreshes (rotating
 * refresh tokens) and an introspection endpoint, so Dovecot accepts the access tokens it issued.
 */
export async function startTokenServer(clientId = 'foreman-test'): Promise<TestTokenServer> {
  const access = new Map<string, string>();
  const refresh = new Map<string, string>();
  const grants: Array<Record<string, string>> = [];
  const token = (prefix: string) => `${prefix}-${randomBytes(12).toString('hex')}`;
  const issue = (username: string): IssuedTokens => {
    const pair = { accessToken: token('at'), refreshToken: token('rt') };
    access.set(pair.accessToken, username);
    refresh.set(pair.refreshToken, username);
    return pair;
  };
  const form = async (request: IncomingMessage) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    return Object.fromEntries(new URLSearchParams(body));
  };
  const state = { expiresInSeconds: 3_600 };
  const server = createServer(async (request, response) => {
    const reply = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    };
    const fields = await form(request);
    if (request.method === 'POST' && request.url === '/introspect') {
      const username = access.get(fields.token ?? '');
      return reply(200, username ? { active: true, username } : { active: false });
    }
    if (request.method === 'POST' && request.url === '/token') {
      grants.push(fields);
      const username = refresh.get(fields.refresh_token ?? '');
      if (fields.grant_type !== 'refresh_token' || fields.client_id !== clientId || !username) {
        return reply(400, { error: 'invalid_grant' });
      }
      refresh.delete(fields.refresh_token as string);
      const pair = issue(username);
      return reply(200, {
        access_token: pair.accessToken,
        refresh_token: pair.refreshToken,
        token_type: 'Bearer',
        expires_in: state.expiresInSeconds,
      });
    }
    reply(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    tokenUrl: `${base}/token`,
    introspectionUrl: `${base}/introspect`,
    grants,
    issue,
    revoke: (refreshToken) => void refresh.delete(refreshToken),
    expire: (accessToken) => void access.delete(accessToken),
    get expiresInSeconds() {
      return state.expiresInSeconds;
    },
    set expiresInSeconds(value: number) {
      state.expiresInSeconds = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
