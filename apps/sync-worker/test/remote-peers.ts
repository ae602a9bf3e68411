import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (request: IncomingMessage, response: ServerResponse, body: string) => void;

/** An HTTP server on loopback whose routes each test scripts; it counts the requests per path. */
export async function startPeer() {
  const routes = new Map<string, Route>();
  const hits = new Map<string, number>();
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      hits.set(path, (hits.get(path) ?? 0) + 1);
      const route = routes.get(path);
      if (route) route(request, response, body);
      else response.writeHead(404).end('not found');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    route: (path: string, handler: Route) => routes.set(path, handler),
    hits: (path: string) => hits.get(path) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type Peer = Awaited<ReturnType<typeof startPeer>>;

export interface FeedEvent {
  uid: string;
  summary: string;
  start: string;
  end?: string;
  lastModified: string;
  sequence?: number;
}

/** An iCalendar document (RFC 5545, CRLF lines) with the given events. */
export function icsFeed(events: FeedEvent[]): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Foreman tests//EN'];
  for (const event of events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${event.uid}`,
      'DTSTAMP:20260101T000000Z',
      `DTSTART${event.start.length === 8 ? ';VALUE=DATE' : ''}:${event.start}`,
      ...(event.end ? [`DTEND:${event.end}`] : []),
      `SUMMARY:${event.summary}`,
      `LAST-MODIFIED:${event.lastModified}`,
      `SEQUENCE:${event.sequence ?? 0}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.join('\r\n')}\r\n`;
}

/** A loopback port nothing listens on: bound, noted, and released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
