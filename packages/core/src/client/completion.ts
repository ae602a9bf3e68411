import { isIP } from 'node:net';
import { isPublicAddress } from '@foreman/net';
import { WebhookUrlRefusedError } from '../errors/webhook-url-refused-error.js';

/** A task to submit when another ends (Celery's `link` / `link_error`). */
export interface LinkedTask {
  name: string;
  payload: unknown;
  /** Overrides the linked contract's priority. */
  priority?: number | undefined;
  delayMs?: number | undefined;
}

/**
 * What the completion dispatcher does when a task ends, stored in Redis with the task's submit
 * (the queue may drop the job before the dispatcher reads the end: see docs/flow-control.md).
 */
export interface CompletionPlan {
  userId?: string | undefined;
  /** Submitted when the task completes. */
  link?: LinkedTask[] | undefined;
  /** Submitted when the task fails for good or is cancelled. */
  linkError?: LinkedTask[] | undefined;
  /** Called (signed POST) when the task completes, fails for good or is cancelled. */
  webhook?: string | undefined;
  /** The singleton key the task holds, freed when it ends. */
  singletonKey?: string | undefined;
}

/** Where a task's completion plan lives until the dispatcher has carried it out. */
export const completionKey = (prefix: string, taskId: string) => `${prefix}:completion:${taskId}`;

/** Which webhook URLs a submit may give. */
export interface WebhookPolicy {
  /**
   * Host names a webhook may target: exact (`hooks.example.com`) or a suffix wildcard
   * (`*.example.com`). Empty: every webhook is refused.
   */
  allowedHosts: readonly string[];
  /**
   * Let webhooks reach loopback, private and link-local addresses (a trusted network, or tests).
   * @defaultValue false
   */
  allowPrivate?: boolean | undefined;
}

const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '').toLowerCase();

function hostAllowed(host: string, allowed: readonly string[]): boolean {
  return allowed.some((pattern) => {
    const lower = pattern.toLowerCase();
    return lower.startsWith('*.') ? host.endsWith(lower.slice(1)) : host === bare(lower);
  });
}

/**
 * Checks a webhook URL at submit: http(s), a host on the allow-list, and (unless allowed) not a
 * literal private or loopback address. Names are resolved and checked again at every delivery.
 */
export function checkWebhookUrl(url: string, policy: WebhookPolicy | undefined, taskName: string): string {
  const refuse = (reason: string) => new WebhookUrlRefusedError(url, reason, { taskName });
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refuse('it is not a URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw refuse('only http(s) is called');
  if (parsed.username || parsed.password) throw refuse('credentials in the URL are not sent');
  const host = bare(parsed.hostname);
  if (!policy || !hostAllowed(host, policy.allowedHosts)) {
    throw refuse(`${host} is not on the allow-list (WEBHOOK_ALLOWED_HOSTS)`);
  }
  const literal = isIP(host) !== 0 || host === 'localhost' || host.endsWith('.localhost');
  if (literal && !policy.allowPrivate && !isPublicAddress(host)) {
    throw refuse(`${host} is not a public address (set WEBHOOK_ALLOW_PRIVATE to allow it)`);
  }
  return parsed.toString();
}
