import {
  type CancelResult,
  mergeRecords,
  type RedisConnection,
  type SubmittedTask,
  type Submitter,
  type TaskClient,
  TaskNotFoundError,
  TaskStateError,
  unprojectedRecords,
  userSubmitter,
} from '@foreman/core';
import {
  type ApiKeyIdentity,
  and,
  type Database,
  desc,
  eq,
  gte,
  inArray,
  lt,
  type NewTaskRecord,
  or,
  type SQL,
  type TaskRecord,
  type TaskStatus,
  tasks,
} from '@foreman/db';
import { ApiError } from '../http/api-error.js';
import { decodeCursor, encodeCursor } from './task-cursor.js';

export interface TaskFilter {
  status?: TaskStatus | undefined;
  name?: string | undefined;
  queue?: string | undefined;
  userId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

const FINISHED: TaskStatus[] = ['completed', 'failed', 'cancelled'];

/** Reads and acts on task records within what the caller's key may see. */
export class TaskService {
  constructor(
    private readonly client: TaskClient,
    private readonly database: Database,
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  /** Who submits when this key asks: its user, with the key's admin rights or none. */
  static submitter(identity: ApiKeyIdentity): Submitter {
    return userSubmitter(identity.userId, identity.admin);
  }

  /** The user a key acts as: its own, or for admin keys the one asked for (or everyone). */
  static scope(identity: ApiKeyIdentity, requested?: string): string | undefined {
    if (identity.admin) return requested;
    if (requested !== undefined && requested !== identity.userId) {
      throw new ApiError('FORBIDDEN', 'Only admin keys may act for another user');
    }
    return identity.userId;
  }

  async list(
    identity: ApiKeyIdentity,
    filter: TaskFilter,
  ): Promise<{ tasks: TaskRecord[]; nextCursor: string | null }> {
    const where: Array<SQL | undefined> = [];
    const userId = TaskService.scope(identity, filter.userId);
    if (userId !== undefined) where.push(eq(tasks.userId, userId));
    if (filter.status) where.push(eq(tasks.status, filter.status));
    if (filter.name) where.push(eq(tasks.name, filter.name));
    if (filter.queue) where.push(eq(tasks.queue, filter.queue));
    if (filter.from) where.push(gte(tasks.createdAt, new Date(filter.from)));
    if (filter.to) where.push(lt(tasks.createdAt, new Date(filter.to)));
    if (filter.cursor) {
      const after = decodeCursor(filter.cursor);
      where.push(
        or(
          lt(tasks.createdAt, after.createdAt),
          and(eq(tasks.createdAt, after.createdAt), lt(tasks.id, after.id)),
        ),
      );
    }
    const [stored, unlanded] = await Promise.all([
      this.database.db
        .select()
        .from(tasks)
        .where(and(...where))
        .orderBy(desc(tasks.createdAt), desc(tasks.id))
        .limit(filter.limit + 1),
      this.unlanded(userId, filter),
    ]);
    const rows = [...stored, ...unlanded]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
      .slice(0, filter.limit + 1);
    const page = rows.slice(0, filter.limit);
    const last = page.at(-1);
    return { tasks: page, nextCursor: rows.length > filter.limit && last ? encodeCursor(last) : null };
  }

  /**
   * Tasks of the stream's unprojected tail that have no row yet and match the filter: a list shows
   * a task at once after its submit, on any replica, as `GET /tasks/:id` does.
   */
  private async unlanded(userId: string | undefined, filter: TaskFilter): Promise<TaskRecord[]> {
    const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
    const latest = new Map<string, NewTaskRecord>();
    // Merged as the writer merges them: a worker's rows leave the payload to the submit's.
    for (const row of await unprojectedRecords(this.redis, this.prefix)) {
      const seen = latest.get(row.id);
      latest.set(row.id, seen ? mergeRecords(seen, row) : row);
    }
    const matching = [...latest.values()].filter(
      (row) =>
        (userId === undefined || row.userId === userId) &&
        (!filter.status || row.status === filter.status) &&
        (!filter.name || row.name === filter.name) &&
        (!filter.queue || row.queue === filter.queue) &&
        (!filter.from || row.createdAt >= new Date(filter.from)) &&
        (!filter.to || row.createdAt < new Date(filter.to)) &&
        (!after ||
          row.createdAt < after.createdAt ||
          (row.createdAt.getTime() === after.createdAt.getTime() && row.id < after.id)),
    );
    if (matching.length === 0) return [];
    const landed = await this.database.db
      .select({ id: tasks.id })
      .from(tasks)
      .where(
        inArray(
          tasks.id,
          matching.map((row) => row.id),
        ),
      );
    const ids = new Set(landed.map((row) => row.id));
    return matching.filter((row) => !ids.has(row.id)).map(asRecord);
  }

  /**
   * The record, or 404 when it does not exist or belongs to another user (no hint which). A task
   * whose row the projector has not stored yet is read from Redis in the same shape, so a submit
   * is readable at once on every replica.
   */
  async get(identity: ApiKeyIdentity, id: string): Promise<TaskRecord> {
    const [stored] = await this.database.db.select().from(tasks).where(eq(tasks.id, id)).limit(1);
    const record = stored ?? (await this.client.recordFromQueue(id));
    if (!record || (!identity.admin && record.userId !== identity.userId)) {
      throw new ApiError('TASK_NOT_FOUND', `No task with id "${id}"`);
    }
    return record;
  }

  /**
   * Cancels a task: one still waiting is removed and recorded cancelled at once; a running one's
   * worker is told to abort it (`cancelling`).
   */
  async cancel(identity: ApiKeyIdentity, id: string): Promise<CancelResult> {
    const record = await this.get(identity, id);
    if (FINISHED.includes(record.status)) throw new TaskStateError(id, 'cancel', record.status);
    return this.client.cancel(id);
  }

  /** Runs a failed (or cancelled while running) task again, same id, with a fresh set of attempts. */
  async retry(identity: ApiKeyIdentity, id: string): Promise<SubmittedTask> {
    const record = await this.get(identity, id);
    if (record.status !== 'failed' && record.status !== 'cancelled') {
      throw new TaskStateError(id, 'retry', record.status);
    }
    try {
      return await this.client.retry(id, TaskService.submitter(identity));
    } catch (error) {
      // Redis keeps failed jobs for a week; past that only a dead-letter replay can run it again.
      if (error instanceof TaskNotFoundError) throw new TaskStateError(id, 'retry', 'no longer in its queue');
      throw error;
    }
  }
}

/** A row as the table would hold it, with the defaults of the columns it leaves out. */
function asRecord(row: NewTaskRecord): TaskRecord {
  return {
    userId: null,
    priority: 0,
    payload: null,
    result: null,
    error: null,
    stackTrace: null,
    attempts: 0,
    maxRetries: 0,
    startedAt: null,
    completedAt: null,
    durationMs: null,
    waitMs: null,
    queueJobId: null,
    traceId: null,
    progress: null,
    progressMessage: null,
    replayOf: null,
    version: 0,
    updatedAt: row.createdAt,
    ...row,
  } as TaskRecord;
}
