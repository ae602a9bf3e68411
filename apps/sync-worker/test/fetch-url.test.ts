import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchUrlTask } from '../src/tasks/fetch-url.js';

describe('sync.fetch_url against a real HTTP server', () => {
  const feed = 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n';
  const server = createServer((request, response) => {
    if (request.url === '/feed.ics') {
      if (request.headers['if-none-match'] === '"v1"') return void response.writeHead(304).end();
      return void response.writeHead(200, { etag: '"v1"' }).end(feed);
    }
    if (request.url === '/down') return void response.writeHead(503).end();
    response.writeHead(404).end();
  });
  let base: string;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const context = { signal: new AbortController().signal } as never;
  const run = (url: string, etag?: string) =>
    Promise.resolve(fetchUrlTask().handler(etag ? { url, etag } : { url }, context));

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
    await expect(run('http://127.0.0.1:1/')).rejects.toThrow(/fetch failed/);
  });
});
