import type { ApiKeyIdentity } from '@foreman/db';

/** How a request presented its key: a header (scripts, curl) or the dashboard's session cookie. */
export type Credential = 'header' | 'cookie';

/** What middleware hands to route handlers: the identity behind the request's key, and how it came. */
export interface ApiEnv {
  Variables: { identity: ApiKeyIdentity; credential: Credential };
}
