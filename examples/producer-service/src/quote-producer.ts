import { createRedis, type RedisConnection, TaskClient, TaskRegistry } from '@foreman/core/producer';
import { priceQuote } from './quote-contract.js';

export interface QuoteProducerOptions {
  /** Redis the workers read their queues from. */
  redisUrl: string;
  /** Key prefix of the queues: the workers' `QUEUE_PREFIX`. */
  prefix: string;
}

/** Submits quotes to price and waits for their totals; a service's whole use of Foreman. */
export class QuoteProducer {
  private readonly redis: RedisConnection;
  private readonly client: TaskClient;

  constructor(options: QuoteProducerOptions) {
    this.redis = createRedis(options.redisUrl);
    this.client = new TaskClient({
      registry: new TaskRegistry([priceQuote]),
      connection: this.redis,
      prefix: options.prefix,
    });
  }

  /** Submits a quote; the handle's `result()` is typed `{ totalCents, lines }`. */
  submit(items: { sku: string; cents: number; quantity?: number }[]) {
    return this.client.submit(priceQuote, { items });
  }

  get tasks(): TaskClient {
    return this.client;
  }

  async close(): Promise<void> {
    await this.client.close();
    await this.redis.quit();
  }
}
