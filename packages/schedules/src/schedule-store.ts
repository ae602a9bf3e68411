import {
  and,
  asc,
  count,
  type Db,
  eq,
  isNotNull,
  isNull,
  lte,
  type NewScheduleRecord,
  notInArray,
  or,
  type ScheduleRecord,
  schedules,
  sql,
} from '@foreman/db';

/** What beat writes back after handling a schedule's due occurrences. */
export type TickRecord = Pick<
  NewScheduleRecord,
  'nextRunAt' | 'lastRunAt' | 'lastTaskId' | 'queuedRunAt' | 'skippedRuns'
>;

/** Rows of the `schedules` table; no knowledge of queues or contracts. */
export class ScheduleStore {
  constructor(private readonly db: Db) {}

  /** Every schedule, or one owner's only. */
  list(ownerUserId?: string): Promise<ScheduleRecord[]> {
    return this.db
      .select()
      .from(schedules)
      .where(ownerUserId === undefined ? undefined : eq(schedules.ownerUserId, ownerUserId))
      .orderBy(asc(schedules.id));
  }

  async get(id: string): Promise<ScheduleRecord | undefined> {
    const [row] = await this.db.select().from(schedules).where(eq(schedules.id, id));
    return row;
  }

  /** Rows stored under `key` itself or under `key~<owner tag>` (every user's schedule of that id). */
  withId(key: string): Promise<ScheduleRecord[]> {
    const escaped = key.replace(/[\\%_]/g, '\\$&');
    return this.db
      .select()
      .from(schedules)
      .where(or(eq(schedules.id, key), sql`${schedules.id} like ${`${escaped}~%`}`))
      .orderBy(asc(schedules.id));
  }

  /** Enabled schedules with an occurrence due by `now`, or an occurrence held by `queue_one`. */
  due(now: Date): Promise<ScheduleRecord[]> {
    return this.db
      .select()
      .from(schedules)
      .where(
        and(
          eq(schedules.enabled, true),
          or(lte(schedules.nextRunAt, now), isNull(schedules.nextRunAt), isNotNull(schedules.queuedRunAt)),
        ),
      )
      .orderBy(asc(schedules.id));
  }

  /** How many schedules a user owns. */
  async countOwned(ownerUserId: string): Promise<number> {
    const [row] = await this.db
      .select({ n: count() })
      .from(schedules)
      .where(eq(schedules.ownerUserId, ownerUserId));
    return row?.n ?? 0;
  }

  /** Inserts a new row; undefined when the id is taken. */
  async insert(row: NewScheduleRecord): Promise<ScheduleRecord | undefined> {
    const [inserted] = await this.db.insert(schedules).values(row).onConflictDoNothing().returning();
    return inserted;
  }

  async update(id: string, patch: Partial<NewScheduleRecord>): Promise<ScheduleRecord | undefined> {
    const [updated] = await this.db
      .update(schedules)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(schedules.id, id))
      .returning();
    return updated;
  }

  /**
   * Records a tick's outcome unless the row's timing changed meanwhile (retimed, paused, or
   * handled by another beat): false then, and the row is left as it is.
   */
  async recordTick(row: ScheduleRecord, tick: TickRecord): Promise<boolean> {
    const updated = await this.db
      .update(schedules)
      .set(tick)
      .where(and(eq(schedules.id, row.id), eq(schedules.enabled, true), sameInstant(row)))
      .returning({ id: schedules.id });
    return updated.length > 0;
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await this.db
      .delete(schedules)
      .where(eq(schedules.id, id))
      .returning({ id: schedules.id });
    return deleted.length > 0;
  }

  /**
   * Brings the declared defaults in: missing ones are created, untouched ones follow their
   * declaration, edited ones (and user schedules that share an id) are kept as they are, and
   * untouched ones no longer declared are removed. `nextRunAt` gives an occurrence after now for a
   * row whose timing is new; an untouched row with the same timing keeps its next run, so
   * occurrences missed while beat was down still count as missed. Safe for several beats at once.
   */
  async seedDeclared(rows: NewScheduleRecord[], nextRunAt: (row: NewScheduleRecord) => Date): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const row of rows) {
        const [existing] = await tx.select().from(schedules).where(eq(schedules.id, row.id)).for('update');
        if (!existing) {
          await tx
            .insert(schedules)
            .values({ ...row, source: 'declared', nextRunAt: nextRunAt(row) })
            .onConflictDoNothing();
          continue;
        }
        if (existing.source !== 'declared' || existing.editedAt !== null) continue;
        const sameTiming =
          existing.cron === (row.cron ?? null) &&
          existing.everyMs === (row.everyMs ?? null) &&
          existing.timezone === (row.timezone ?? 'UTC');
        const keepsNext = sameTiming && (existing.nextRunAt !== null || !existing.enabled);
        await tx
          .update(schedules)
          .set({
            taskName: row.taskName,
            queue: row.queue,
            payload: row.payload,
            cron: row.cron ?? null,
            timezone: row.timezone ?? 'UTC',
            everyMs: row.everyMs ?? null,
            description: row.description ?? '',
            overlapPolicy: row.overlapPolicy,
            misfirePolicy: row.misfirePolicy,
            misfireCap: row.misfireCap,
            nextRunAt: keepsNext ? existing.nextRunAt : existing.enabled ? nextRunAt(row) : null,
            updatedAt: new Date(),
          })
          .where(eq(schedules.id, row.id));
      }
      const declaredIds = rows.map((row) => row.id);
      await tx
        .delete(schedules)
        .where(
          and(
            eq(schedules.source, 'declared'),
            isNull(schedules.editedAt),
            declaredIds.length > 0 ? notInArray(schedules.id, declaredIds) : undefined,
          ),
        );
    });
  }
}

function sameInstant(row: ScheduleRecord) {
  return row.nextRunAt === null ? isNull(schedules.nextRunAt) : eq(schedules.nextRunAt, row.nextRunAt);
}
