import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { Agent, RequestInit, Response } from 'undici';
import { GuardedFetchError } from './guarded-fetch-error.js';
import { isPublicAddress } from './public-address.js';

type Undici = typeof import('undici');

/** What `GuardedFetch.fetch` takes: fetch's init, without redirect handling (always checked). */
export type GuardedRequestInit = Omit<RequestInit, 'redirect' | 'dispatcher'>;
export type { Response as GuardedResponse };

export interface GuardedFetchOptions {
  /**
   * Let URLs reach any address, private and loopback included: only for a trusted network.
   * @defaultValue false
   */
  allowPrivate?: boolean;
  /**
   * Host names or IP literals (as in the URL, case-insensitive) exempt from the address check,
   * e.g. an internal feed server. A redirect from one of them to another host is checked again.
   * @defaultValue []
   */
  allowedHosts?: readonly string[];
  /**
   * Redirects followed, each checked like the first URL, before failing with TOO_MANY_REDIRECTS.
   * @defaultValue 5
   */
  maxRedirects?: number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS_LIMIT = 20;
/** Headers that must not follow a redirect to another origin. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '').toLowerCase();

/**
 * fetch for URLs that users give: only http(s), only public addresses unless allowed, and every
 * redirect followed by hand and checked the same way. Host names are resolved (every address must
 * be public) by the connection's own lookup, so the socket connects to the address that was
 * checked and a DNS answer that changes between check and connect (rebinding) cannot slip through.
 */
export class GuardedFetch {
  private readonly allowPrivate: boolean;
  private readonly allowedHosts: ReadonlySet<string>;
  private readonly maxRedirects: number;
  /**
   * undici is loaded with the first fetch: every process that imports the SDK would otherwise
   * carry it (about 14 MB of RSS), and most never fetch.
   */
  private http: Promise<{ agent: Agent; fetch: Undici['fetch']; Headers: Undici['Headers'] }> | undefined;

  constructor(options: GuardedFetchOptions = {}) {
    const maxRedirects = options.maxRedirects ?? 5;
    if (!Number.isInteger(maxRedirects) || maxRedirects < 0 || maxRedirects > MAX_REDIRECTS_LIMIT) {
      throw new RangeError(`maxRedirects must be a whole number from 0 to ${MAX_REDIRECTS_LIMIT}`);
    }
    this.maxRedirects = maxRedirects;
    this.allowPrivate = options.allowPrivate ?? false;
    this.allowedHosts = new Set((options.allowedHosts ?? []).map(bare));
  }

  /** Like fetch; `redirect` is always followed here, by hand. Rejects with GuardedFetchError. */
  async fetch(input: string | URL, init: GuardedRequestInit = {}): Promise<Response> {
    let url = this.checked(input);
    let method = (init.method ?? 'GET').toUpperCase();
    let body = init.body;
    this.http ??= import('undici').then(({ Agent, fetch, Headers }) => ({
      agent: new Agent({ connect: { lookup: this.lookup } }),
      fetch,
      Headers,
    }));
    const { agent, fetch, Headers } = await this.http;
    const headers = new Headers(init.headers);
    for (let hop = 0; ; hop += 1) {
      const response = await fetch(url, {
        ...init,
        method,
        body,
        headers,
        redirect: 'manual',
        dispatcher: agent,
      }).catch((error: unknown) => {
        // A refusal inside the connection's lookup surfaces as fetch's "fetch failed" cause.
        const cause = (error as { cause?: unknown }).cause;
        throw cause instanceof GuardedFetchError ? cause : error;
      });
      const location = response.headers.get('location');
      if (!REDIRECT_STATUSES.has(response.status) || location === null) return response;
      await response.body?.cancel();
      if (hop >= this.maxRedirects) {
        throw new GuardedFetchError(
          'TOO_MANY_REDIRECTS',
          `${input} redirected more than ${this.maxRedirects} times`,
        );
      }
      const next = this.checked(new URL(location, url));
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === 'POST')
      ) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
        headers.delete('content-type');
        headers.delete('content-length');
      }
      if (next.origin !== url.origin) for (const name of CREDENTIAL_HEADERS) headers.delete(name);
      url = next;
    }
  }

  /** Closes the pooled connections. */
  async close(): Promise<void> {
    await (await this.http)?.agent.close();
  }

  /** The URL if its scheme is http(s) and, for an IP literal, the address may be reached. */
  private checked(input: string | URL): URL {
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      throw new GuardedFetchError('URL_NOT_ALLOWED', `"${input}" is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new GuardedFetchError('URL_NOT_ALLOWED', `${url.protocol} URLs are not fetched, only http(s)`);
    }
    // The URL parser has already turned 2130706433, 127.1 and 0x7f.1 into 127.0.0.1. A literal
    // address is connected to without a lookup, so it is checked here; names are in `lookup`.
    const host = bare(url.hostname);
    if (isIP(host) !== 0 && !this.exempt(host) && !isPublicAddress(host)) throw refused(host, host);
    return url;
  }

  private exempt(host: string): boolean {
    return this.allowPrivate || this.allowedHosts.has(bare(host));
  }

  private readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(
      hostname,
      { all: true, family: options.family ?? 0, hints: options.hints ?? 0 },
      (error, found) => {
        if (error) return callback(error, '', 0);
        const addresses = found as LookupAddress[];
        const blocked = this.exempt(hostname)
          ? undefined
          : addresses.find((entry) => !isPublicAddress(entry.address));
        if (blocked) return callback(refused(hostname, blocked.address), '', 0);
        const [first] = addresses;
        if (!first)
          return callback(
            Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }),
            '',
            0,
          );
        // net asks for every address when it may try several (autoSelectFamily), else for one.
        if (options.all)
          return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, addresses);
        callback(null, first.address, first.family);
      },
    );
  };
}

const refused = (host: string, address: string) =>
  new GuardedFetchError(
    'URL_NOT_ALLOWED',
    host === address
      ? `${address} is not a public address; set FETCH_ALLOWED_HOSTS or FETCH_ALLOW_PRIVATE to reach it`
      : `${host} resolves to ${address}, not a public address; set FETCH_ALLOWED_HOSTS or FETCH_ALLOW_PRIVATE to reach it`,
  );
