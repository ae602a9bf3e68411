import { randomUUID } from 'node:crypto';
import {
  and,
  type Db,
  type DeadLetter,
  deadLetters,
  desc,
  eq,
  isNotNull,
  isNull,
  lt,
  type SQL,
} from '@foreman/db';
import type { Submitter } from '../client/submitter.js';
import type { SubmittedTask, TaskClient } from '../client/task-client.js';
import { TaskNotFoundError } from '../errors/task-not-found-error.js';
import { TaskStateError } from '../errors/task-state-error.js';

export interface DeadLetterQuery {
  name?: string | undefined;
  /** Only this user's dead letters. */
  userId?: string | undefined;
  /** true: only replayed ones; false: only those not yet replayed. */
  replayed?: boolean | undefined;
  /** Only those that failed before this time (for paging, newest first). */
  before?: Date | undefined;
  limit?: number | undefined;
}

export interface ReplayAllResult {
  replayed: SubmittedTask[];
  failed: Array<{ taskId: string; error: Error }>;
}

/**
 * Tasks that failed for good, queryable and replayable. A replay submits the original payload as
 * a new task that links back to the original (`replayOf`); the dead letter links to the replay
 * (`replayedAs`), and is replayed at most once.
 */
export class DeadLetterStore {
  constructor(private readonly options: { db: Db; client: TaskClient }) {}

  list(query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    const conditions: SQL[] = [];
    if (query.name !== undefined) conditions.push(eq(deadLetters.name, query.name));
    if (query.userId !== undefined) conditions.push(eq(deadLetters.userId, query.userId));
    if (query.replayed === true) conditions.push(isNotNull(deadLetters.replayedAs));
    if (query.replayed === false) conditions.push(isNull(deadLetters.replayedAs));
    if (query.before !== undefined) conditions.push(lt(deadLetters.failedAt, query.before));
    return this.options.db
      .select()
      .from(deadLetters)
      .where(and(...conditions))
      .orderBy(desc(deadLetters.failedAt))
      .limit(Math.min(Math.max(1, query.limit ?? 50), 1_000));
  }

  async get(taskId: string): Promise<DeadLetter | undefined> {
    const [row] = await this.options.db.select().from(deadLetters).where(eq(deadLetters.taskId, taskId));
    return row;
  }

  /** Submits the dead task's payload again as a new task, if `submitter` may run it (TASK_FORBIDDEN). */
  async replay(taskId: string, submitter: Submitter): Promise<SubmittedTask> {
    const replayId = randomUUID();
    const [claimed] = await this.options.db
      .update(deadLetters)
      .set({ replayedAs: replayId, replayedAt: new Date() })
      .where(and(eq(deadLetters.taskId, taskId), isNull(deadLetters.replayedAs)))
      .returning();
    if (!claimed) {
      const existing = await this.get(taskId);
      if (!existing) throw new TaskNotFoundError(taskId, 'among the dead letters');
      throw new TaskStateError(taskId, 'replay', `already replayed as "${existing.replayedAs}"`);
    }
    try {
      return await this.options.client.submit(claimed.name, claimed.payload, {
        taskId: replayId,
        userId: claimed.userId ?? undefined,
        submitter,
        replayOf: taskId,
      });
    } catch (error) {
      // Not submitted (the contract changed, Redis is down): the dead letter stays replayable.
      await this.options.db
        .update(deadLetters)
        .set({ replayedAs: null, replayedAt: null })
        .where(eq(deadLetters.taskId, taskId));
      throw error;
    }
  }

  /** Replays every dead letter not yet replayed (of one task name or user, when given), oldest first. */
  async replayAll(
    query: Pick<DeadLetterQuery, 'name' | 'userId' | 'limit'>,
    submitter: Submitter,
  ): Promise<ReplayAllResult> {
    const waiting = await this.list({ ...query, replayed: false, limit: query.limit ?? 1_000 });
    const result: ReplayAllResult = { replayed: [], failed: [] };
    for (const letter of waiting.reverse()) {
      try {
        result.replayed.push(await this.replay(letter.taskId, submitter));
      } catch (error) {
        result.failed.push({ taskId: letter.taskId, error: error as Error });
      }
    }
    return result;
  }
}
