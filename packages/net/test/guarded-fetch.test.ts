import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GuardedFetch, GuardedFetchError, isPublicAddress } from '../src/index.js';

describe('GuardedFetch against a real loopback server', () => {
  const seen: Array<{ url: string; method: string; headers: IncomingHttpHeaders }> = [];
  let port = 0;
  const server = createServer((request, response) => {
    seen.push({ url: request.url ?? '', method: request.method ?? '', headers: request.headers });
    const target = new URL(request.url ?? '/', 'http://x').searchParams.get('to');
    if (request.url?.startsWith('/redirect') && target) {
      return void response
        .writeHead(Number(new URL(request.url, 'http://x').searchParams.get('status') ?? 302), {
          location: target,
        })
        .end();
    }
    if (request.url === '/loop') return void response.writeHead(302, { location: '/loop' }).end();
    response.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen.length = 0;
  });

  const guarded = new GuardedFetch();
  const onlyLocalhost = new GuardedFetch({ allowedHosts: ['LOCALHOST'] });
  afterAll(async () => {
    await guarded.close();
    await onlyLocalhost.close();
  });

  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(GuardedFetchError);
    return error as GuardedFetchError;
  };

  it.each([
    '127.0.0.1',
    '2130706433',
    '127.1',
    '0x7f.1',
    '0177.0.0.1',
    '0.0.0.0',
    '0',
    '[::1]',
    '[::ffff:127.0.0.1]',
    '[::]',
    'localhost',
  ])('refuses %s (the loopback server) without connecting', async (host) => {
    const error = await refusal(guarded.fetch(`http://${host}:${port}/`));
    expect(error.code).toBe('URL_NOT_ALLOWED');
    expect(error.message).toMatch(/not a public address/);
    expect(seen).toHaveLength(0);
  });

  it.each([
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '[fc00::1]',
    '[fe80::1]',
    '[64:ff9b::7f00:1]',
  ])('refuses the non-public address %s', async (host) => {
    expect((await refusal(guarded.fetch(`http://${host}/`))).code).toBe('URL_NOT_ALLOWED');
  });

  it('refuses schemes other than http(s)', async () => {
    expect((await refusal(guarded.fetch('file:///etc/passwd'))).message).toMatch(/only http/);
    expect((await refusal(guarded.fetch('ftp://example.com/'))).code).toBe('URL_NOT_ALLOWED');
  });

  it('fetches an allowed host, but not a redirect from it into loopback by another name', async () => {
    const ok = await onlyLocalhost.fetch(`http://localhost:${port}/hello`);
    expect(await ok.text()).toBe('hello');
    for (const target of [
      `http://127.0.0.1:${port}/`,
      `http://2130706433:${port}/`,
      `http://[::1]:${port}/`,
    ]) {
      seen.length = 0;
      const error = await refusal(
        onlyLocalhost.fetch(`http://localhost:${port}/redirect?to=${encodeURIComponent(target)}`),
      );
      expect(error.code).toBe('URL_NOT_ALLOWED');
      // The first hop was made, the redirect's target never.
      expect(seen.map((hit) => hit.url)).toEqual([`/redirect?to=${encodeURIComponent(target)}`]);
    }
  });

  it('follows redirects up to the limit, as GET after a 303, without credentials across origins', async () => {
    const open = new GuardedFetch({ allowPrivate: true, maxRedirects: 2 });
    try {
      const target = `http://localhost:${port}/landed`;
      const response = await open.fetch(
        `http://127.0.0.1:${port}/redirect?status=303&to=${encodeURIComponent(target)}`,
        {
          method: 'POST',
          body: '{}',
          headers: { authorization: 'Bearer secret', 'content-type': 'application/json' },
        },
      );
      expect(await response.text()).toBe('hello');
      expect(seen[0]).toMatchObject({ method: 'POST', headers: { authorization: 'Bearer secret' } });
      expect(seen[1]).toMatchObject({ url: '/landed', method: 'GET' });
      expect(seen[1]?.headers.authorization).toBeUndefined();
      expect((await refusal(open.fetch(`http://127.0.0.1:${port}/loop`))).code).toBe('TOO_MANY_REDIRECTS');
      expect(seen.filter((hit) => hit.url === '/loop')).toHaveLength(3);
    } finally {
      await open.close();
    }
  });

  it('checks options at construction', () => {
    expect(() => new GuardedFetch({ maxRedirects: -1 })).toThrow(RangeError);
  });
});

describe('isPublicAddress', () => {
  it('accepts public unicast addresses only', () => {
    expect(isPublicAddress('93.184.216.34')).toBe(true);
    expect(isPublicAddress('2606:4700::1111')).toBe(true);
    for (const address of ['127.0.0.1', '::1', '::ffff:10.0.0.1', '2002:7f00:1::', 'not-an-ip']) {
      expect(isPublicAddress(address)).toBe(false);
    }
  });
});
