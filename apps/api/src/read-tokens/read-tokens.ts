import { sign, verify } from 'hono/jwt';

/** What one read token may read: one task, one workflow run, or one user's event stream. */
export type ReadScope = { kind: 'task'; id: string } | { kind: 'workflow'; id: string } | { kind: 'user' };

/** A verified token: whose data it reads, and which part of it. */
export interface ReadGrant {
  userId: string;
  scope: ReadScope;
}

export interface MintedReadToken {
  token: string;
  expiresAt: string;
}

export interface ReadTokensOptions {
  /** HMAC-SHA256 key the tokens are signed with; every api replica must share it (32+ characters). */
  secret: string;
  /**
   * How long a token lives, in seconds.
   * @defaultValue 900
   */
  ttlSeconds?: number;
  /**
   * The clock tokens are minted by, in ms since the epoch (tests mint already expired tokens).
   * @defaultValue Date.now
   */
  now?: () => number;
}

/** Read tokens carry this prefix, so the api tells them from api keys without a database lookup. */
export const READ_TOKEN_PREFIX = 'fmr_';
const TOKEN_TYPE = 'foreman-read';

/**
 * Short-lived, read-only bearer tokens for browsers (a signed JWT, HS256): the api mints one for
 * the owner of a task (or workflow run, or for a user's own events) and accepts it in place of an
 * api key on the reads of that one thing only.
 */
export class ReadTokens {
  readonly ttlSeconds: number;
  private readonly secret: string;
  private readonly now: () => number;

  constructor(options: ReadTokensOptions) {
    if (options.secret.length < 32) throw new RangeError('ReadTokens secret must be at least 32 characters');
    const ttlSeconds = options.ttlSeconds ?? 900;
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
      throw new RangeError(`ReadTokens ttlSeconds must be a positive integer (got ${ttlSeconds})`);
    }
    this.secret = options.secret;
    this.ttlSeconds = ttlSeconds;
    this.now = options.now ?? Date.now;
  }

  async mint(grant: ReadGrant): Promise<MintedReadToken> {
    const issuedAt = Math.floor(this.now() / 1_000);
    const exp = issuedAt + this.ttlSeconds;
    const jwt = await sign(
      { typ: TOKEN_TYPE, sub: grant.userId, scope: grant.scope, iat: issuedAt, exp },
      this.secret,
      'HS256',
    );
    return { token: READ_TOKEN_PREFIX + jwt, expiresAt: new Date(exp * 1_000).toISOString() };
  }

  /** The token's grant; undefined when it is forged, altered, expired or not a read token. */
  async verify(token: string): Promise<ReadGrant | undefined> {
    if (!token.startsWith(READ_TOKEN_PREFIX)) return undefined;
    try {
      const claims = await verify(token.slice(READ_TOKEN_PREFIX.length), this.secret, 'HS256');
      if (claims.typ !== TOKEN_TYPE || typeof claims.sub !== 'string' || claims.exp === undefined) {
        return undefined;
      }
      return { userId: claims.sub, scope: claims.scope as ReadScope };
    } catch {
      return undefined;
    }
  }
}

/**
 * Whether a read token of `scope` may make this request: the GET of its task (or workflow run)
 * and the event stream narrowed to it; a user token, that user's event stream. Nothing else.
 */
export function readScopeAllows(
  scope: ReadScope,
  method: string,
  path: string,
  query: URLSearchParams,
): boolean {
  if (method !== 'GET') return false;
  const only = (name: string, value: string) =>
    [...query.keys()].every((key) => key === name || key === 'lastEventId') && query.get(name) === value;
  if (path === '/events') {
    if (scope.kind === 'task') return only('taskId', scope.id);
    if (scope.kind === 'workflow') return only('workflowId', scope.id);
    return !query.has('userId');
  }
  if (scope.kind === 'task') return path === `/tasks/${encodeURIComponent(scope.id)}`;
  if (scope.kind === 'workflow') return path === `/workflows/${encodeURIComponent(scope.id)}`;
  return false;
}
