import {
  and,
  asc,
  type Db,
  eq,
  isNull,
  type NewScheduleRecord,
  notInArray,
  type ScheduleRecord,
  schedules,
  sql,
} from '@foreman/db';

/** Rows of the `schedules` table; no knowledge of queues or contracts. */
export class ScheduleStore {
  constructor(private readonly db: Db) {}

  list(): Promise<ScheduleRecord[]> {
    return this.db.select().from(schedules).orderBy(asc(schedules.id));
  }

  async get(id: string): Promise<ScheduleRecord | undefined> {
    const [row] = await this.db.select().from(schedules).where(eq(schedules.id, id));
    return row;
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
   * untouched ones no longer declared are removed. Safe for several beats at once.
   */
  async seedDeclared(rows: NewScheduleRecord[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const row of rows) {
        await tx
          .insert(schedules)
          .values({ ...row, source: 'declared' })
          .onConflictDoUpdate({
            target: schedules.id,
            set: {
              taskName: row.taskName,
              queue: row.queue,
              payload: row.payload,
              cron: row.cron ?? null,
              timezone: row.timezone ?? 'UTC',
              everyMs: row.everyMs ?? null,
              description: row.description ?? '',
              updatedAt: new Date(),
            },
            setWhere: sql`${schedules.source} = 'declared' and ${schedules.editedAt} is null`,
          });
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
