import type { ApiKeyIdentity } from '@foreman/db';

/**
 * Absolute file paths of the servers (`/var/lib/foreman/files/alice/a.txt`, `file:///app/dist/x.js`),
 * but not the paths of URLs (`https://host/a/b`): preceded by neither a word character, `:`, `/`
 * nor `.`.
 */
const SERVER_PATH = /(?<![\w:/.~-])(?:file:\/\/)?(?:\/[\w.@+~-]+)+\/([\w.@+~-]+)/g;

/**
 * An error message as a key may see it: admins see it whole; users see server paths cut to their
 * last part (`…/a.txt`), since where the servers keep files and code is not theirs to know.
 */
export function errorFor(identity: ApiKeyIdentity, error: string): string;
export function errorFor(identity: ApiKeyIdentity, error: string | null): string | null;
export function errorFor(identity: ApiKeyIdentity, error: string | null): string | null {
  if (error === null || identity.admin) return error;
  return error.replace(SERVER_PATH, '…/$1');
}

/** Stack traces name the servers' files and code: admins only. */
export const stackFor = (identity: ApiKeyIdentity, stack: string | null): string | null =>
  identity.admin ? stack : null;
