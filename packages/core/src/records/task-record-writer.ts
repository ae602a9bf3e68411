import {
  type Db,
  deadLetters,
  getTableColumns,
  type NewDeadLetter,
  type NewTaskRecord,
  type SQL,
  sql,
  taskIds,
  tasks,
} from '@foreman/db';
import type { Logger } from '@foreman/logger';
import { checkWholeNumbers } from '../util/check-options.js';
import { stripNul } from './nul.js';

export interface TaskRecordWriterOptions {
  db: Db;
  logger?: Logger | undefined;
  /**
   * Rows per INSERT statement; a full batch is flushed at once.
   * @defaultValue {@link TASK_RECORD_WRITER_DEFAULTS}.maxBatch
   */
  maxBatch?: number;
  /**
   * Longest a row waits in memory before it is flushed.
   * @defaultValue {@link TASK_RECORD_WRITER_DEFAULTS}.flushIntervalMs
   */
  flushIntervalMs?: number;
  /**
   * Rows kept while the database is unreachable (task records and dead letters, each); past this
   * the oldest are dropped, counted in `stats.dropped` and logged.
   * @defaultValue {@link TASK_RECORD_WRITER_DEFAULTS}.maxBuffered
   */
  maxBuffered?: number;
  /**
   * Quarantined rows kept for inspection (`quarantine()`), newest last; older ones only count.
   * 0 keeps none.
   * @defaultValue {@link TASK_RECORD_WRITER_DEFAULTS}.quarantineKept
   */
  quarantineKept?: number;
  /** Told of each quarantined row, e.g. to add it to the deployment's `QuarantineLog`. */
  onQuarantine?: ((row: QuarantinedRow) => void) | undefined;
}

/** A row the database refused for its content (not for being away): kept out of every retry. */
export interface QuarantinedRow {
  kind: 'task' | 'dead-letter';
  taskId: string;
  name: string;
  userId: string | null;
  /** The database's message, e.g. `unsupported Unicode escape sequence`. */
  error: string;
  /** PostgreSQL's SQLSTATE (class 22 data exception or 23 constraint violation). */
  sqlState: string;
  at: Date;
}

export interface TaskRecordWriterStats {
  written: number;
  statements: number;
  failedFlushes: number;
  /** Rows given up because the buffer bound was exceeded while the database was away. */
  dropped: number;
  buffered: number;
  /** Rows the database refused for their content, set aside so the rest land (see `quarantine`). */
  quarantined: number;
}

/** The defaults of `TaskRecordWriterOptions`, in one place. */
export const TASK_RECORD_WRITER_DEFAULTS = {
  maxBatch: 500,
  flushIntervalMs: 50,
  maxBuffered: 100_000,
  quarantineKept: 100,
} as const;
const DEFAULTS = TASK_RECORD_WRITER_DEFAULTS;
/** Fields filled from what handlers return or throw: stripped of U+0000 before they are stored. */
const HANDLER_FIELDS = ['result', 'error', 'stackTrace', 'progressMessage'] as const;
/** Fields a later lifecycle step may not know; an upsert keeps what an earlier step stored. */
const KEPT_FIELDS = [
  'startedAt',
  'completedAt',
  'result',
  'error',
  'stackTrace',
  'durationMs',
  'waitMs',
  'traceId',
  'progress',
  'progressMessage',
  'replayOf',
] as const;

/** An incoming row moves the stored record: a later version, or progress within the same one. */
const FRESH = sql`(${tasks.version} < excluded.version or (${tasks.version} = excluded.version and excluded.progress is not null))`;

/** The columns of `table` as the parts of an insert from `jsonb_to_recordset(...) as r`. */
function recordsetParts(table: typeof tasks | typeof deadLetters, partitionKey: string, storedKey: SQL) {
  const columns = Object.entries(getTableColumns(table));
  const field = (key: string) => sql.identifier(key);
  return {
    columns: sql.join(
      columns.map(([, column]) => sql.identifier(column.name)),
      sql`, `,
    ),
    shape: sql.join(
      columns.map(([key, column]) => sql`${field(key)} ${sql.raw(column.getSQLType())}`),
      sql`, `,
    ),
    // The partition key is the one the task's id is stored with, whatever the row says: one row
    // per task, in one partition. A value the row leaves out takes the column's default, as a
    // plain insert would.
    values: sql.join(
      columns.map(([key, column]) => {
        const value =
          key === partitionKey ? sql`coalesce(${storedKey}, r.${field(key)})` : sql`r.${field(key)}`;
        return column.default === undefined ? value : sql`coalesce(${value}, ${column.default})`;
      }),
      sql`, `,
    ),
  };
}

/** The created_at task `id` is stored with in `task_ids`; null for a task not stored yet. */
const storedCreatedAt = (id: SQL) =>
  sql`(select ${taskIds.createdAt} from ${taskIds} where ${taskIds.id} = ${id})`;

/** The parts of the dead-letter insert: a letter takes its task's created_at as partition key. */
const DEAD_LETTER_INSERT = recordsetParts(deadLetters, 'taskCreatedAt', storedCreatedAt(sql`r."taskId"`));

/** The parts of the upsert statement, built once from the table's columns. */
const UPSERT = {
  ...recordsetParts(tasks, 'createdAt', storedCreatedAt(sql`r."id"`)),
  // A later step moves these; what it does not know keeps the value an earlier step stored.
  // An earlier step landing late moves nothing, but fills in the payload: only the submit's
  // row carries it, and projectors side by side may store a worker's row before it.
  updates: sql.join(
    [
      ...(['status', 'attempts', 'version'] as const).map((key) => {
        const column = sql.identifier(tasks[key].name);
        return sql`${column} = case when ${FRESH} then excluded.${column} else ${tasks}.${column} end`;
      }),
      ...(['queueJobId', ...KEPT_FIELDS] as const).map((key) => {
        const column = sql.identifier(tasks[key].name);
        return sql`${column} = case when ${FRESH} then coalesce(excluded.${column}, ${tasks}.${column}) else ${tasks}.${column} end`;
      }),
      sql`${sql.identifier(tasks.payload.name)} = coalesce(${tasks.payload}, excluded.${sql.identifier(tasks.payload.name)})`,
      sql`${sql.identifier(tasks.updatedAt.name)} = now()`,
    ],
    sql`, `,
  ),
  where: sql`${FRESH} or (${tasks.payload} is null and excluded.${sql.identifier(tasks.payload.name)} is not null)`,
};

/**
 * Buffers task record writes and flushes them as multi-row upserts, on size or after a short
 * interval, so the database never sets the pace of the queue. Writes for one task that meet in the
 * buffer collapse into one row; the version column keeps late writes from moving a record back
 * (a write of the same version only lands when it carries progress). Dead letters travel the same
 * way, so an unreachable database delays them rather than losing them.
 *
 * A statement the database refuses for a row's content (SQLSTATE class 22 or 23) is split until
 * the row at fault stands alone; that row is quarantined (logged, counted, kept for inspection)
 * and every other row lands. Only connection-like failures keep rows for a retry.
 */
export class TaskRecordWriter {
  private readonly options: Pick<TaskRecordWriterOptions, 'db' | 'logger' | 'onQuarantine'> &
    Record<keyof typeof DEFAULTS, number>;
  private buffer = new Map<string, NewTaskRecord>();
  private readonly quarantined: QuarantinedRow[] = [];
  private deadLetters = new Map<string, NewDeadLetter>();
  private waiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private retryDelayMs = 0;
  private closed = false;
  /** Set by close: flushes are driven by close alone from then on. */
  private stopping = false;
  readonly stats: TaskRecordWriterStats = {
    written: 0,
    statements: 0,
    failedFlushes: 0,
    dropped: 0,
    buffered: 0,
    quarantined: 0,
  };

  constructor(options: TaskRecordWriterOptions) {
    const sizes = {
      maxBatch: options.maxBatch ?? DEFAULTS.maxBatch,
      flushIntervalMs: options.flushIntervalMs ?? DEFAULTS.flushIntervalMs,
      maxBuffered: options.maxBuffered ?? DEFAULTS.maxBuffered,
    };
    const quarantineKept = options.quarantineKept ?? DEFAULTS.quarantineKept;
    checkWholeNumbers('TaskRecordWriter', sizes);
    checkWholeNumbers('TaskRecordWriter', { quarantineKept }, 0);
    this.options = { ...options, ...sizes, quarantineKept };
  }

  /** Queues a row; the promise settles once the row is stored (or dropped), and never rejects. */
  write(row: NewTaskRecord): Promise<void> {
    if (this.closed) throw new Error('TaskRecordWriter is closed');
    row = withoutNul(row, HANDLER_FIELDS);
    const existing = this.buffer.get(row.id);
    this.buffer.delete(row.id);
    this.buffer.set(row.id, existing ? mergeRecords(existing, row) : row);
    return this.queued();
  }

  /** Queues a dead letter; like `write`, settles once stored (or dropped) and never rejects. */
  writeDeadLetter(row: NewDeadLetter): Promise<void> {
    if (this.closed) throw new Error('TaskRecordWriter is closed');
    this.deadLetters.set(row.taskId, withoutNul(row, ['error', 'stackTrace'] as const));
    return this.queued();
  }

  /** False while flushes fail (the database is away); callers then stop waiting for writes. */
  get healthy(): boolean {
    return this.retryDelayMs === 0;
  }

  /** The last rows quarantined (up to `quarantineKept`), oldest first. */
  quarantine(): readonly QuarantinedRow[] {
    return [...this.quarantined];
  }

  private get size(): number {
    return this.buffer.size + this.deadLetters.size;
  }

  private queued(): Promise<void> {
    this.enforceBound();
    this.stats.buffered = this.size;
    const stored = new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.buffer.size >= this.options.maxBatch && this.retryDelayMs === 0) void this.flush();
    else this.schedule();
    return stored;
  }

  /** Writes everything buffered now; resolves when the buffer is empty or a write failed. */
  async flush(): Promise<void> {
    // A loop, not an if: a concurrent caller may have started the next flush meanwhile.
    while (this.flushing) await this.flushing;
    if (this.size === 0) {
      this.release();
      return;
    }
    this.flushing = this.flushAll().finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
  }

  /** Flushes, retrying until the buffer is empty or the deadline passes; then stops for good. */
  async close(deadlineMs = 10_000): Promise<void> {
    const until = Date.now() + deadlineMs;
    this.stopping = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (;;) {
      await this.flush();
      if ((this.size === 0 && !this.flushing) || Date.now() >= until) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    while (this.flushing) await this.flushing;
    if (this.size > 0) {
      this.stats.dropped += this.size;
      this.options.logger?.error({ lost: this.size }, 'task records not written before shutdown');
      this.buffer.clear();
      this.deadLetters.clear();
    }
    this.closed = true;
    clearTimeout(this.timer);
    this.release();
  }

  private schedule(): void {
    if (this.timer || this.stopping) return;
    const delay = Math.max(this.options.flushIntervalMs, this.retryDelayMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delay);
    this.timer.unref?.();
  }

  private async flushAll(): Promise<void> {
    const pending = this.buffer;
    const letters = this.deadLetters;
    const waiters = this.waiters;
    this.buffer = new Map();
    this.deadLetters = new Map();
    this.waiters = [];
    const rows = [...pending.values()];
    // One order for every writer: two processes upserting overlapping tasks in opposite orders
    // would deadlock and have to retry. `rows` keeps arrival order for a failed flush to restore.
    const ordered = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    // A quarantined row leaves `pending` / `letters`: a failed flush must not put it back.
    const setAside = (row: NewTaskRecord, error: unknown) => {
      pending.delete(row.id);
      this.quarantineRow({ kind: 'task', taskId: row.id, name: row.name, userId: row.userId ?? null }, error);
    };
    const setAsideLetter = (row: NewDeadLetter, error: unknown) => {
      letters.delete(row.taskId);
      const { taskId, name, userId } = row;
      this.quarantineRow({ kind: 'dead-letter', taskId, name, userId: userId ?? null }, error);
    };
    try {
      for (let start = 0; start < ordered.length; start += this.options.maxBatch) {
        const batch = ordered.slice(start, start + this.options.maxBatch);
        const upsert = async (part: NewTaskRecord[]) => {
          await this.upsert(part);
          this.stats.written += part.length;
        };
        await this.store(batch, upsert, setAside);
      }
      // Written after the records, so a dead letter never points at a record not yet stored.
      if (letters.size > 0) {
        await this.store([...letters.values()], (part) => this.insertDeadLetters(part), setAsideLetter);
        letters.clear();
      }
      this.retryDelayMs = 0;
      for (const resolve of waiters) resolve();
    } catch (error) {
      this.stats.failedFlushes += 1;
      // Put back what was not written, ahead of rows written since (they are newer: they win the
      // merge and are the last the bound drops).
      const since = this.buffer;
      this.buffer = new Map();
      for (const row of rows) {
        if (!pending.has(row.id)) continue;
        const newer = since.get(row.id);
        since.delete(row.id);
        this.buffer.set(row.id, newer ? mergeRecords(row, newer) : row);
      }
      for (const [id, row] of since) this.buffer.set(id, row);
      for (const [taskId, letter] of letters) {
        if (!this.deadLetters.has(taskId)) this.deadLetters.set(taskId, letter);
      }
      this.waiters = [...waiters, ...this.waiters];
      this.enforceBound();
      this.retryDelayMs = Math.min(5_000, Math.max(100, this.retryDelayMs * 2));
      this.options.logger?.warn(
        { err: error, buffered: this.size, retryInMs: this.retryDelayMs },
        'task record flush failed; keeping rows to retry',
      );
    } finally {
      this.stats.buffered = this.size;
      if (this.size > 0) this.schedule();
      else this.release();
    }
  }

  /**
   * Runs one statement for `rows`; on a data error, halves the rows until the one at fault is
   * alone and sets it aside. Any other error is thrown: the flush keeps every row for a retry.
   */
  private async store<R>(
    rows: R[],
    insert: (rows: R[]) => Promise<void>,
    setAside: (row: R, error: unknown) => void,
  ): Promise<void> {
    try {
      await insert(rows);
      this.stats.statements += 1;
    } catch (error) {
      if (sqlStateOf(error) === undefined) throw error;
      if (rows.length === 1) {
        setAside(rows[0] as R, error);
        return;
      }
      const half = Math.ceil(rows.length / 2);
      await this.store(rows.slice(0, half), insert, setAside);
      await this.store(rows.slice(half), insert, setAside);
    }
  }

  private quarantineRow(row: Omit<QuarantinedRow, 'error' | 'sqlState' | 'at'>, error: unknown): void {
    const entry: QuarantinedRow = {
      ...row,
      error: messageOf(error),
      sqlState: sqlStateOf(error) ?? '',
      at: new Date(),
    };
    this.stats.quarantined += 1;
    this.quarantined.push(entry);
    if (this.quarantined.length > this.options.quarantineKept) this.quarantined.shift();
    this.options.logger?.error(
      { err: error, ...entry, totalQuarantined: this.stats.quarantined },
      'task record refused by the database; quarantined so the other rows land',
    );
    this.options.onQuarantine?.(entry);
  }

  /**
   * One statement for the batch whatever its size: the rows travel as a single JSON parameter
   * expanded by `jsonb_to_recordset`, which costs far less to build and to parse than thousands of
   * bound values. A JSON null reads as SQL NULL, as an absent value does.
   */
  private async upsert(rows: NewTaskRecord[]): Promise<void> {
    await this.options.db.execute(sql`
      insert into ${tasks} (${UPSERT.columns})
      select ${UPSERT.values} from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(${UPSERT.shape})
      on conflict (id, created_at) do update set ${UPSERT.updates}
      where ${UPSERT.where}`);
  }

  /** Stores dead letters, one statement as `upsert`; a task's letter is stored once. */
  private async insertDeadLetters(rows: NewDeadLetter[]): Promise<void> {
    const parts = DEAD_LETTER_INSERT;
    await this.options.db.execute(sql`
      insert into ${deadLetters} (${parts.columns})
      select ${parts.values} from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(${parts.shape})
      on conflict do nothing`);
  }

  private enforceBound(): void {
    const excess =
      dropOldest(this.buffer, this.options.maxBuffered) +
      dropOldest(this.deadLetters, this.options.maxBuffered);
    if (excess === 0) return;
    this.stats.dropped += excess;
    this.options.logger?.error(
      { dropped: excess, totalDropped: this.stats.dropped, bound: this.options.maxBuffered },
      'task record buffer full; oldest record updates dropped',
    );
  }

  private release(): void {
    if (this.size > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

/**
 * The SQLSTATE of a database error that a row's content caused: class 22 (data exception, e.g. a
 * NUL in text or jsonb) or 23 (constraint violation). Undefined for anything else (connection
 * lost, timeouts, the server shutting down), which a retry may cure. Drizzle wraps pg's error.
 */
function sqlStateOf(error: unknown): string | undefined {
  for (let cause = error, depth = 0; cause && depth < 5; depth += 1) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code)) return code;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The innermost message: drizzle's own repeats the whole statement and its parameters. */
function messageOf(error: unknown): string {
  let message = String(error);
  for (let cause = error, depth = 0; cause && depth < 5; depth += 1) {
    if (cause instanceof Error) message = cause.message;
    cause = (cause as { cause?: unknown }).cause;
  }
  return message;
}

/** A copy of `row` whose handler-given `fields` hold no U+0000 (the row itself when none did). */
function withoutNul<R extends object, F extends keyof R>(row: R, fields: readonly F[]): R {
  let copy: R | undefined;
  for (const field of fields) {
    const value = row[field];
    const stripped = stripNul(value);
    if (stripped !== value) {
      copy ??= { ...row };
      copy[field] = stripped;
    }
  }
  return copy ?? row;
}

/** Removes the oldest entries past `bound`; returns how many went. */
function dropOldest(map: Map<string, unknown>, bound: number): number {
  const excess = map.size - bound;
  if (excess <= 0) return 0;
  const iterator = map.keys();
  for (let i = 0; i < excess; i += 1) map.delete(iterator.next().value as string);
  return excess;
}

/** Combines two writes of one task: the higher version wins, keeping fields only the other knew. */
export function mergeRecords(a: NewTaskRecord, b: NewTaskRecord): NewTaskRecord {
  const [older, newer] = (a.version ?? 0) > (b.version ?? 0) ? [b, a] : [a, b];
  const merged: NewTaskRecord = { ...older, ...newer };
  for (const field of KEPT_FIELDS) {
    if (newer[field] === undefined || newer[field] === null) {
      (merged as Record<string, unknown>)[field] = older[field];
    }
  }
  return merged;
}
