import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FeedServer {
  /** Base URL on the loopback interface. */
  readonly url: string;
  /** Paths of the requests received so far. */
  readonly requests: string[];
  /** Requests to /hang whose client went away before an answer (an aborted fetch). */
  readonly abandoned: number;
  close(): Promise<void>;
}

const calendar = (name: string) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Foreman e2e//EN',
    'BEGIN:VEVENT',
    `UID:${name}@e2e.foreman`,
    'DTSTAMP:20260101T000000Z',
    'DTSTART:20260105T090000Z',
    'DTEND:20260105T093000Z',
    `SUMMARY:Event of ${name}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');

/**
 * iCalendar feeds on 127.0.0.1 for the sync worker: `/feed/<name>.ics` answers after `delayMs`
 * (so a sync of several feeds takes a while and reports progress between them), `/hang.ics`
 * never answers (a task stays running until it is cancelled), `/status/<code>` answers that code.
 */
export async function startFeedServer({ delayMs }: { delayMs: number }): Promise<FeedServer> {
  const requests: string[] = [];
  let abandoned = 0;
  const timers = new Set<NodeJS.Timeout>();
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? '/';
    requests.push(path);
    const feed = path.match(/^\/feed\/([\w-]+)\.ics$/)?.[1];
    const status = path.match(/^\/status\/(\d{3})$/)?.[1];
    if (feed) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        response.writeHead(200, { 'content-type': 'text/calendar', etag: `"${feed}"` }).end(calendar(feed));
      }, delayMs);
      timers.add(timer);
    } else if (path === '/hang.ics') {
      response.once('close', () => {
        if (!response.writableEnded) abandoned += 1;
      });
    } else if (status) {
      response.writeHead(Number(status), { 'content-type': 'text/plain' }).end(`status ${status}`);
    } else {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    }
  };
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    get abandoned() {
      return abandoned;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
