import type { ApiKeyIdentity } from '@foreman/db';

/** What middleware hands to route handlers: the identity behind the request's key. */
export interface ApiEnv {
  Variables: { identity: ApiKeyIdentity };
}
