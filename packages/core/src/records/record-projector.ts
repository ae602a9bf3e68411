import { hostname } from 'node:os';
import type { NewDeadLetter, NewTaskRecord } from '@foreman/db';
import type { Logger } from '@foreman/logger';
import { taskEventsStream } from '../events/channels.js';
import { followGroup, joinGroup, type StreamEntry } from '../events/consumer-group.js';
import { duplicateRedis, type RedisConnection } from '../redis/create-redis.js';
import { checkWholeNumbers } from '../util/check-options.js';
import type { TaskRecordWriter } from './task-record-writer.js';

export interface RecordProjectorOptions {
  connection: RedisConnection;
  /** Redis key prefix of the deployment: the stream is `<prefix>:task-events:log`. */
  prefix: string;
  /** Where the rows go: batched upserts, version-fenced, quarantining rows the database refuses. */
  records: TaskRecordWriter;
  logger?: Logger | undefined;
  /**
   * This process's name in the consumer group; unique per process.
   * @defaultValue `<hostname>-<pid>`
   */
  consumer?: string;
  /**
   * Entries taken per read; their rows are stored together before the entries are acknowledged.
   * @defaultValue {@link RECORD_PROJECTOR_DEFAULTS}.batchSize
   */
  batchSize?: number;
  /**
   * Longest one read of the stream blocks while nothing new arrives.
   * @defaultValue {@link RECORD_PROJECTOR_DEFAULTS}.blockMs
   */
  blockMs?: number;
  /**
   * Entries read by a projector that has not acknowledged them for this long (it died) are taken
   * over by another.
   * @defaultValue {@link RECORD_PROJECTOR_DEFAULTS}.claimIdleMs
   */
  claimIdleMs?: number;
  /**
   * How long projected entries stay in the stream for readers that resume (SSE); unprojected
   * entries are never trimmed by the projector.
   * @defaultValue {@link RECORD_PROJECTOR_DEFAULTS}.retainMs
   */
  retainMs?: number;
  /**
   * How long a submit's pending row waits for its task's next step. A task that starts or ends
   * within it is stored as one row, not inserted and then updated: half the database work for
   * the tasks that run at once. The entry stays unacknowledged while held, so a projector that
   * dies holding it loses nothing (another takes it over), and readers overlay it as they do
   * every row not stored yet. 0 stores each step as it comes.
   * @defaultValue {@link RECORD_PROJECTOR_DEFAULTS}.holdPendingMs
   */
  holdPendingMs?: number;
}

export interface RecordProjectorStats {
  /** Entries whose rows are stored and which are acknowledged. */
  projected: number;
  /** Entries that could not be read as a step (acknowledged, logged). */
  unreadable: number;
  /** Entries found trimmed (by the stream's length cap) before any projector read them. */
  lost: number;
  /**
   * Entries not stored yet (unread plus read and unacknowledged), as last measured (every
   * second, also while the database is away); null before the first measure or when Redis cannot
   * tell.
   */
  lag: number | null;
}

/** The consumer group every projector of a deployment reads in. */
export const RECORDS_GROUP = 'records';

/** The defaults of `RecordProjectorOptions`, in one place. */
export const RECORD_PROJECTOR_DEFAULTS = {
  batchSize: 2_000,
  blockMs: 1_000,
  claimIdleMs: 30_000,
  retainMs: 600_000,
  holdPendingMs: 500,
} as const;
const DEFAULTS = RECORD_PROJECTOR_DEFAULTS;
const TRIM_EVERY_MS = 5_000;
const LAG_EVERY_MS = 1_000;
export const RECORD_DATES = ['createdAt', 'startedAt', 'completedAt', 'updatedAt'] as const;
const DEAD_LETTER_DATES = ['failedAt', 'replayedAt'] as const;

/** A pending row waiting for its task's next step, and the entry that carried it. */
interface HeldRow {
  row: NewTaskRecord;
  entry: string;
  since: number;
}

/**
 * Stores the record rows carried by the task-event stream in PostgreSQL. The stream is the
 * durable log: a step is in Redis before its job is acknowledged, so a worker killed right after
 * loses nothing, and an unreachable database only makes the stream longer. Projectors in any
 * number of processes share the work through a consumer group; an entry is acknowledged only
 * once its rows are stored, and one a dead projector held is taken over after `claimIdleMs`.
 */
export class RecordProjector {
  private readonly settings: Record<keyof typeof DEFAULTS, number> & { consumer: string };
  private readonly stream: string;
  private reader: RedisConnection | undefined;
  private running: Promise<void> | undefined;
  private lastTrim = 0;
  private lagTimer: NodeJS.Timeout | undefined;
  private lossReportedAt = '0-0';
  /** Pending rows held for their next step, oldest first (a Map keeps insertion order). */
  private readonly held = new Map<string, HeldRow>();
  readonly stats: RecordProjectorStats = { projected: 0, unreadable: 0, lost: 0, lag: null };

  constructor(private readonly options: RecordProjectorOptions) {
    this.settings = {
      batchSize: options.batchSize ?? DEFAULTS.batchSize,
      blockMs: options.blockMs ?? DEFAULTS.blockMs,
      claimIdleMs: options.claimIdleMs ?? DEFAULTS.claimIdleMs,
      retainMs: options.retainMs ?? DEFAULTS.retainMs,
      holdPendingMs: options.holdPendingMs ?? DEFAULTS.holdPendingMs,
      consumer: options.consumer ?? `${hostname()}-${process.pid}`,
    };
    const { consumer: _, holdPendingMs, ...numbers } = this.settings;
    checkWholeNumbers('RecordProjector', numbers);
    checkWholeNumbers('RecordProjector', { holdPendingMs }, 0);
    this.stream = taskEventsStream(options.prefix);
  }

  /** Joins the consumer group (creating it to read the whole stream) and starts projecting. */
  async start(): Promise<void> {
    await joinGroup(this.options.connection, this.stream, RECORDS_GROUP, '0');
    const reader = duplicateRedis(this.options.connection);
    this.reader = reader;
    this.running = this.loop(reader);
    // Apart from the loop, which waits on the database while it is away.
    this.lagTimer = setInterval(() => {
      this.lag()
        .then((lag) => {
          this.stats.lag = lag ?? null;
        })
        .catch(() => {});
    }, LAG_EVERY_MS);
    this.lagTimer.unref();
  }

  /**
   * Stops reading; rows of entries already read, held ones included, are stored before it
   * resolves (the writer's close bounds that).
   */
  async close(): Promise<void> {
    clearInterval(this.lagTimer);
    const reader = this.reader;
    this.reader = undefined;
    // Queued before the caller closes the writer, which flushes them.
    const held = this.releaseHeld(Number.POSITIVE_INFINITY);
    const released = this.store(held.stored, held.taken);
    // A blocked read holds the connection: drop it rather than wait for the block to end.
    reader?.disconnect();
    await this.running;
    await released.catch((error) =>
      this.options.logger?.warn({ err: error }, 'held record rows not acknowledged; they project again'),
    );
  }

  private loop(reader: RedisConnection): Promise<void> {
    const held = this.held;
    const batchSize = this.settings.batchSize;
    const member = {
      stream: this.stream,
      group: RECORDS_GROUP,
      consumer: this.settings.consumer,
      idleMs: this.settings.claimIdleMs,
      // Held rows may be released with the next read's: together they stay within one batch,
      // which is no more than the writer keeps while the database is away.
      get count() {
        return batchSize - held.size;
      },
      blockMs: this.settings.blockMs,
    };
    return followGroup(reader, this.options.connection, member, {
      following: () => this.reader === reader,
      take: (entries) => this.project(entries),
      // Before the read: entries trimmed unread are only visible until the group reads past them.
      beforeRead: () => (Date.now() - this.lastTrim >= TRIM_EVERY_MS ? this.trim() : undefined),
      onError: (error) => this.options.logger?.warn({ err: error }, 'record projection failed; retrying'),
    });
  }

  private async project(entries: StreamEntry[]): Promise<void> {
    const stored: Array<Promise<void>> = [];
    const taken: string[] = [];
    // Held rows stay under half a batch, so that a read always has room.
    const holdable =
      this.reader !== undefined && this.settings.holdPendingMs > 0 ? this.settings.batchSize / 2 : 0;
    for (const [id, fields] of entries) {
      try {
        const record = field(fields, 'record');
        const deadLetter = field(fields, 'deadLetter');
        if (record) {
          const row = revive<NewTaskRecord>(record, RECORD_DATES);
          const held = this.held.get(row.id);
          if (this.held.size + 1 < holdable && !held && !deadLetter && row.status === 'pending') {
            this.held.set(row.id, { row, entry: id, since: Date.now() });
            continue;
          }
          // Written together, the two rows meet in the writer's buffer and land as one.
          if (held) {
            this.held.delete(row.id);
            stored.push(this.options.records.write(held.row));
            taken.push(held.entry);
          }
          stored.push(this.options.records.write(row));
        }
        if (deadLetter) {
          stored.push(
            this.options.records.writeDeadLetter(revive<NewDeadLetter>(deadLetter, DEAD_LETTER_DATES)),
          );
        }
      } catch (error) {
        this.stats.unreadable += 1;
        this.options.logger?.error(
          { err: error, entry: id },
          'task-event entry is not a readable step; skipped',
        );
      }
      taken.push(id);
    }
    const released = this.releaseHeld(Date.now() - this.settings.holdPendingMs);
    await this.store(stored.concat(released.stored), taken.concat(released.taken));
  }

  /** Writes the rows held since `heldSince` or earlier; what `store` then waits for and acknowledges. */
  private releaseHeld(heldSince: number): { stored: Array<Promise<void>>; taken: string[] } {
    const stored: Array<Promise<void>> = [];
    const taken: string[] = [];
    for (const [taskId, held] of this.held) {
      if (held.since > heldSince) break;
      this.held.delete(taskId);
      stored.push(this.options.records.write(held.row));
      taken.push(held.entry);
    }
    return { stored, taken };
  }

  /** Waits for the rows of `taken` entries to be stored, then acknowledges the entries. */
  private async store(stored: Array<Promise<void>>, taken: string[]): Promise<void> {
    if (taken.length === 0) return;
    // The writer settles once the rows are stored (or quarantined); only then are they acknowledged.
    // It also settles rows it gave up (buffer bound, close): those entries stay pending, to be
    // taken over and stored again after `claimIdleMs`.
    const dropped = this.options.records.stats.dropped;
    await Promise.all(stored);
    if (this.options.records.stats.dropped > dropped) {
      this.options.logger?.warn(
        { entries: taken.length },
        'record writer gave up rows; their entries are left to project again',
      );
      return;
    }
    await this.options.connection.xack(this.stream, RECORDS_GROUP, ...taken);
    this.stats.projected += taken.length;
  }

  /**
   * Entries of the stream not stored yet: unread by the group plus read and not acknowledged;
   * undefined when Redis cannot tell (entries were deleted or trimmed past the group's position).
   */
  async lag(): Promise<number | undefined> {
    const group = await readRecordsGroup(this.options.connection, this.stream);
    return group && unstoredIn(group);
  }

  /**
   * Trims what every projector has stored and readers no longer need, and reports entries that
   * were trimmed (by the stream's length cap) before they were projected: records were lost.
   */
  private async trim(): Promise<void> {
    this.lastTrim = Date.now();
    const connection = this.options.connection;
    const info = toMap((await connection.xinfo('STREAM', this.stream)) as unknown[]);
    const groups = ((await connection.xinfo('GROUPS', this.stream)) as unknown[][]).map(toMap);
    const group = groups.find((candidate) => candidate.name === RECORDS_GROUP);
    if (!group) return;
    const delivered = String(group['last-delivered-id']);
    const first = String(info['recorded-first-entry-id'] ?? '0-0');
    // Our own trims stop at the group's position; the length cap does not. Entries gone past it
    // were never read: all that were removed, less those the group had read (all gone by then).
    if (compareIds(delivered, first) < 0 && first !== this.lossReportedAt) {
      const removed = Number(info['entries-added']) - Number(info.length);
      const lost = removed - Number(group['entries-read'] ?? 0);
      if (lost > 0) {
        this.lossReportedAt = first;
        this.stats.lost += lost;
        this.options.logger?.error(
          { lost, lastProjected: delivered, oldestKept: first },
          'task-event entries were trimmed before they were projected: their task records are lost',
        );
      }
    }
    const [, oldestPending] = (await connection.xpending(this.stream, RECORDS_GROUP)) as [
      number,
      string | null,
    ];
    const retained = `${Date.now() - this.settings.retainMs}-0`;
    const keepFrom = [oldestPending ?? delivered, retained].sort(compareIds)[0]!;
    await connection.xtrim(this.stream, 'MINID', keepFrom);
  }
}

/** The records group as `XINFO GROUPS` reports it; undefined before any projector joined. */
export async function readRecordsGroup(
  connection: RedisConnection,
  stream: string,
): Promise<Record<string, unknown> | undefined> {
  const groups = ((await connection.xinfo('GROUPS', stream)) as unknown[][]).map(toMap);
  return groups.find((candidate) => candidate.name === RECORDS_GROUP);
}

/**
 * A group's entries not stored yet: unread plus read and not acknowledged; undefined when Redis
 * cannot tell (entries were deleted or trimmed past the group's position).
 */
export function unstoredIn(group: Record<string, unknown>): number | undefined {
  if (group.lag === null || group.lag === undefined) return undefined;
  return Number(group.lag) + Number(group.pending ?? 0);
}

export function field(fields: string[], name: string): string | undefined {
  for (let index = 0; index < fields.length; index += 2) if (fields[index] === name) return fields[index + 1];
  return undefined;
}

export function revive<T>(json: string, dates: readonly string[]): T {
  const row = JSON.parse(json) as Record<string, unknown>;
  for (const key of dates) if (typeof row[key] === 'string') row[key] = new Date(row[key] as string);
  return row as T;
}

export function toMap(flat: unknown[]): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  for (let index = 0; index < flat.length; index += 2) map[String(flat[index])] = flat[index + 1];
  return map;
}

/** Orders stream ids (`<ms>-<seq>`) numerically. */
function compareIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = b.split('-').map(Number);
  return aMs - bMs || aSeq - bSeq;
}
