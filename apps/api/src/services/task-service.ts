import {
  type CancelResult,
  mergeRecords,
  type RedisConnection,
  type SubmittedTask,
  type Submitter,
  type TaskClient,
  TaskNotFoundError,
  TaskNotParkedError,
  TaskStateError,
  unprojectedRecords,
  userSubmitter,
} from '@foreman/core';
import {
  type AiApprovalRow,
  type ApiKeyIdentity,
  type ApprovalSignal,
  ApprovalStore,
  and,
  type Database,
  eq,
  findTask,
  inArray,
  listTasks,
  type NewTaskRecord,
  type SQL,
  sql,
  type TaskRecord,
  type TaskSearchColumns,
  type TaskStatus,
  taskErrorMatches,
  taskSearchMatches,
  tasks,
} from '@foreman/db';
import { ApiError } from '../http/api-error.js';
import { type PayloadFilter, payloadContains, payloadHolds } from './payload-filter.js';
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
  /** Free text, see `taskSearchMatches`. */
  q?: string | undefined;
  /** Words of the error, see `taskErrorMatches`. */
  error?: string | undefined;
  payload?: PayloadFilter[] | undefined;
}

const FINISHED: TaskStatus[] = ['completed', 'failed', 'cancelled'];

/** Reads and acts on task records within what the caller's key may see. */
export class TaskService {
  private readonly approvals: ApprovalStore;

  constructor(
    private readonly client: TaskClient,
    private readonly database: Database,
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {
    this.approvals = new ApprovalStore(database.db);
  }

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
    const where: SQL[] = [];
    const userId = TaskService.scope(identity, filter.userId);
    if (userId !== undefined) where.push(eq(tasks.userId, userId));
    if (filter.status) where.push(eq(tasks.status, filter.status));
    if (filter.name) where.push(eq(tasks.name, filter.name));
    if (filter.queue) where.push(eq(tasks.queue, filter.queue));
    where.push(...textConditions(tasks, filter, userId));
    for (const field of filter.payload ?? []) where.push(payloadContains(tasks.payload, field));
    // The stream's tail first, then the table: a row that lands in between is in the table's
    // answer. Read side by side, a row could land after the table was read and before the tail
    // was checked against it, and be in neither.
    const unlanded = await this.unlanded(userId, filter);
    const stored = await listTasks(this.database.db, {
      where,
      from: filter.from ? new Date(filter.from) : undefined,
      to: filter.to ? new Date(filter.to) : undefined,
      after: filter.cursor ? decodeCursor(filter.cursor) : undefined,
      limit: filter.limit + 1,
    });
    const storedIds = new Set(stored.map((row) => row.id));
    const rows = [...stored, ...unlanded.filter((row) => !storedIds.has(row.id))]
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
        (filter.payload ?? []).every((field) => payloadHolds(row.payload, field)) &&
        (!after ||
          row.createdAt < after.createdAt ||
          (row.createdAt.getTime() === after.createdAt.getTime() && row.id < after.id)),
    );
    const found = filter.q || filter.error ? await this.searched(matching, filter) : matching;
    if (found.length === 0) return [];
    const landed = await this.database.db
      .select({ id: tasks.id })
      .from(tasks)
      .where(
        inArray(
          tasks.id,
          found.map((row) => row.id),
        ),
      );
    const ids = new Set(landed.map((row) => row.id));
    return found.filter((row) => !ids.has(row.id)).map(asRecord);
  }

  /** The rows the text filters find, asked of PostgreSQL so their words are the table's words. */
  private async searched(rows: NewTaskRecord[], filter: TaskFilter): Promise<NewTaskRecord[]> {
    if (rows.length === 0) return [];
    const candidates = JSON.stringify(
      rows.map(({ id, name, userId, error, payload, result }) => ({
        id,
        name,
        user_id: userId,
        error,
        payload,
        result,
      })),
    );
    const column = (name: string) => sql.raw(`candidate.${name}`);
    const columns: TaskSearchColumns = {
      id: column('id'),
      name: column('name'),
      userId: column('user_id'),
      error: column('error'),
      payload: column('payload'),
      result: column('result'),
    };
    const found = await this.database.db.execute<{ id: string }>(
      sql`select candidate.id from jsonb_to_recordset(${candidates}::jsonb)
        as candidate(id text, name text, user_id text, error text, payload jsonb, result jsonb)
        where ${and(...textConditions(columns, filter))}`,
    );
    const ids = new Set(found.rows.map((row) => row.id));
    return rows.filter((row) => ids.has(row.id));
  }

  /**
   * The record, or 404 when it does not exist or belongs to another user (no hint which). A task
   * whose row the projector has not stored yet is read from Redis in the same shape, so a submit
   * is readable at once on every replica.
   */
  async get(identity: ApiKeyIdentity, id: string): Promise<TaskRecord> {
    const stored = await findTask(this.database.db, id);
    // An unfinished row may trail the queue (its later steps not projected yet): the queue's
    // reading wins when it is further along, so a task never reads as going backwards.
    const live =
      stored && FINISHED.includes(stored.status) ? undefined : await this.client.recordFromQueue(id);
    const record = stored && (!live || live.version <= stored.version) ? stored : live;
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

  /**
   * Decides the approval a task waits for (its owner's or an admin's key, with the token its record
   * showed) and wakes the task to go on with the decision.
   */
  async signal(
    identity: ApiKeyIdentity,
    id: string,
    signal: Omit<ApprovalSignal, 'taskId' | 'decidedBy'>,
  ): Promise<AiApprovalRow> {
    const record = await this.get(identity, id);
    // A finished task (cancelled while it waited, say) would never read the decision.
    if (FINISHED.includes(record.status)) throw new TaskStateError(id, 'signal', record.status);
    const decided = await this.approvals.decide({ ...signal, taskId: id, decidedBy: identity.userId });
    if (decided === 'UNKNOWN_TOKEN') {
      throw new ApiError('APPROVAL_TOKEN_INVALID', `Task "${id}" waits for no approval with this token`);
    }
    if (decided === 'ALREADY_DECIDED') {
      throw new ApiError('APPROVAL_ALREADY_DECIDED', `The approval of task "${id}" is decided already`);
    }
    if (decided === 'EXPIRED') {
      throw new ApiError('APPROVAL_EXPIRED', `The approval of task "${id}" passed its deadline`);
    }
    try {
      await this.client.wake(id);
    } catch (error) {
      // Not parked (yet, or any more): whenever it runs next, the step finds the decision stored.
      // Gone from Redis since the check above: it finished meanwhile, and nothing is left to wake.
      if (!(error instanceof TaskNotParkedError || error instanceof TaskNotFoundError)) throw error;
    }
    return decided;
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

/**
 * The free-text and error filters over `columns`: the table's, or candidate rows'. `userId`: the
 * user the list is scoped to, so the search index narrows to their rows.
 */
function textConditions(columns: TaskSearchColumns, filter: TaskFilter, userId?: string): SQL[] {
  return [
    ...(filter.q ? [taskSearchMatches(columns, filter.q, userId)] : []),
    ...(filter.error ? [taskErrorMatches(columns, filter.error, userId)] : []),
  ];
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
