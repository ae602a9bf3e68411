import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GuardedFetch } from '@foreman/net';
import { fetchUrlTask } from '../src/tasks/fetch-url.js';

describe('sync.fetch_url against a real HTTP server', () => {
  const feed = 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n';
  const server = createServer((request, response) => {
    if (request.url === '/feed.ics') {
      if (request.headers['if-none-match'] === '"v1"') return void response.writeHead(304).end();
      return void response.writeHead(200, { etag: '"v1"' }).end(feed);
    }
    if (request.url === '/down') return void response.writeHead(503).end();
    if (request.url === '/to-loopback') {
      const { port } = server.address() as AddressInfo;
      return void response.writeHead(302, { location: `http://2130706433:${port}/feed.ics` }).end();
    }
    response.writeHead(404).end();
  });
  let base: string;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://localhost:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  // The test server is on loopback: it is reached by name through the allow-list, as a deployment
  // would allow an internal host, never by switching the check off.
  const http = new GuardedFetch({ allowedHosts: ['localhost'] });
  afterAll(() => http.close());

  const context = { signal: new AbortController().signal } as never;
  const run = (url: string, etag?: string) =>
    Promise.resolve(fetchUrlTask({ http }).handler(etag ? { url, etag } : { url }, context));

  it('downloads and hashes the body, keeping the ETag', async () => {
    const result = await run(`${base}/feed.ics`);
    expect(result).toEqual({
      status: 200,
      notModified: false,
      etag: '"v1"',
      bytes: feed.length,
      sha256: createHash('sha256').update(feed).digest('hex'),
    });
  });

  it('sends If-None-Match and reports not modified', async () => {
    expect(await run(`${base}/feed.ics`, '"v1"')).toMatchObject({ status: 304, notModified: true, bytes: 0 });
  });

  it('fails retryably on 5xx and for good on 404', async () => {
    await expect(run(`${base}/down`)).rejects.toThrow(/answered 503/);
    await expect(run(`${base}/missing`)).rejects.toMatchObject({ name: 'NonRetryableError' });
  });

  it('fails on an unreachable host', async () => {
    await expect(run('http://localhost:1/')).rejects.toThrow(/fetch failed/);
  });

  it.each(['127.0.0.1', '2130706433', '127.1', '0x7f.1', '0.0.0.0', '[::1]', '169.254.169.254', '10.1.2.3'])(
    'refuses %s for good, without fetching it',
    async (host) => {
      const { port } = server.address() as AddressInfo;
      await expect(run(`http://${host}:${port}/feed.ics`)).rejects.toMatchObject({
        name: 'NonRetryableError',
        message: expect.stringMatching(/not a public address/),
      });
    },
  );

  it('refuses a redirect from an allowed host into loopback', async () => {
    await expect(run(`${base}/to-loopback`)).rejects.toMatchObject({
      name: 'NonRetryableError',
      message: expect.stringMatching(/127\.0\.0\.1 is not a public address/),
    });
  });
});
