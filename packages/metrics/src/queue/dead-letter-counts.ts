import { count, type Db, deadLetters, isNull } from '@foreman/db';

export interface DeadLetterCountsOptions {
  db: Db;
  /** How long one reading is reused: scrapes and readers within it share one query. */
  maxAgeMs?: number;
}

/**
 * Dead letters not yet replayed, per queue, from the `dead_letters` table: the source of truth.
 * (BullMQ's failed set is not: it drops jobs after 7 days and knows nothing of replays.) One
 * grouped query on a partial index, reused for `maxAgeMs`.
 */
export class DeadLetterCounts {
  private reading: { at: number; counts: Promise<Map<string, number>> } | undefined;

  constructor(private readonly options: DeadLetterCountsOptions) {}

  async byQueue(): Promise<Map<string, number>> {
    const now = Date.now();
    if (!this.reading || now - this.reading.at >= (this.options.maxAgeMs ?? 5_000)) {
      const counts = this.read();
      const reading = { at: now, counts };
      this.reading = reading;
      // A failed reading is not reused: the next caller asks again.
      counts.catch(() => {
        if (this.reading === reading) this.reading = undefined;
      });
    }
    return this.reading.counts;
  }

  async of(queue: string): Promise<number> {
    return (await this.byQueue()).get(queue) ?? 0;
  }

  private async read(): Promise<Map<string, number>> {
    const rows = await this.options.db
      .select({ queue: deadLetters.queue, count: count() })
      .from(deadLetters)
      .where(isNull(deadLetters.replayedAs))
      .groupBy(deadLetters.queue);
    return new Map(rows.map((row) => [row.queue, Number(row.count)]));
  }
}
