import type { MailboxEnv } from '@foreman/config';
import type { Db } from '@foreman/db';
import { GuardedFetch } from '@foreman/net';
import type { HostPolicy } from './host-guard.js';
import { MailboxConnector } from './mailbox-connector.js';
import { MailboxStore } from './mailbox-store.js';
import { SecretBox } from './secret-box.js';

export interface MailboxAccess {
  readonly store: MailboxStore;
  readonly connector: MailboxConnector;
  /** Undefined when MAILBOX_SECRET_KEY is unset. */
  readonly secrets: SecretBox | undefined;
  /** Which hosts connections may reach (MAILBOX_ALLOW_PRIVATE_HOSTS, MAILBOX_ALLOWED_HOSTS). */
  readonly hosts: HostPolicy;
}

/** The store and connector an app builds from the mailbox settings (`mailboxEnvSchema`). */
export function mailboxAccess(
  db: Db,
  env: MailboxEnv,
  options: { refreshWithinMs?: number } = {},
): MailboxAccess {
  const secrets = env.MAILBOX_SECRET_KEY
    ? SecretBox.fromSettings(env.MAILBOX_SECRET_KEY, env.MAILBOX_PREVIOUS_SECRET_KEYS)
    : undefined;
  const store = new MailboxStore(db, secrets);
  const hosts = { allowPrivate: env.MAILBOX_ALLOW_PRIVATE_HOSTS, allowedHosts: env.MAILBOX_ALLOWED_HOSTS };
  const connector = new MailboxConnector({
    store,
    hosts,
    fetch: new GuardedFetch(hosts),
    oauth: {
      tokenEndpoint: env.OAUTH_TOKEN_URL,
      clientId: env.OAUTH_CLIENT_ID,
      clientSecret: env.OAUTH_CLIENT_SECRET,
    },
    refreshWithinMs: options.refreshWithinMs,
  });
  return { store, connector, secrets, hosts };
}
