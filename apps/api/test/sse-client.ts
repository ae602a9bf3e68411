/** One server-sent event as a reader sees it. */
export interface SseEvent {
  event: string;
  id: string | undefined;
  data: string;
}

/** Reads server-sent events from a streaming response, one at a time, with a deadline per event. */
export class SseClient {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = '';

  constructor(response: Response) {
    if (!response.body) throw new Error('response has no body');
    this.reader = response.body.getReader();
  }

  async next(timeoutMs = 15_000): Promise<SseEvent> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const event = parse(block);
        if (event) return event;
        continue;
      }
      const left = until - Date.now();
      if (left <= 0) throw new Error('no server-sent event in time');
      let timer: NodeJS.Timeout | undefined;
      const chunk = await Promise.race([
        this.reader.read(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('no server-sent event in time')), left);
        }),
      ]).finally(() => clearTimeout(timer));
      if (chunk.done) throw new Error('event stream ended');
      this.buffer += this.decoder.decode(chunk.value, { stream: true });
    }
  }

  /** Events until one matches `until` (included). */
  async collect(until: (event: SseEvent) => boolean, timeoutMs = 20_000): Promise<SseEvent[]> {
    const events: SseEvent[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = await this.next(Math.max(1, deadline - Date.now()));
      events.push(event);
      if (until(event)) return events;
    }
  }

  async close(): Promise<void> {
    await this.reader.cancel().catch(() => {});
  }
}

function parse(block: string): SseEvent | undefined {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const [field, ...rest] = line.split(':');
    const value = rest.join(':').replace(/^ /, '');
    if (field === 'event') event = value;
    if (field === 'id') id = value;
    if (field === 'data') data.push(value);
  }
  return data.length > 0 ? { event, id, data: data.join('\n') } : undefined;
}
