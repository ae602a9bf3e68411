import { sql } from 'drizzle-orm';
import { boolean, check, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const SCHEDULE_SOURCES = ['declared', 'user'] as const;
export type ScheduleSource = (typeof SCHEDULE_SOURCES)[number];

/**
 * Recurring schedules: the ones declared next to their tasks (seeded when beat starts) and the
 * ones created at runtime. Beat keeps one BullMQ job scheduler per enabled row.
 */
export const schedules = pgTable(
  'schedules',
  {
    id: text('id').primaryKey(),
    taskName: text('task_name').notNull(),
    queue: text('queue').notNull(),
    payload: jsonb('payload').$type<unknown>().notNull(),
    /** Cron expression (5 fields, or 6 with seconds) read in `timezone`; null for intervals. */
    cron: text('cron'),
    timezone: text('timezone').notNull().default('UTC'),
    everyMs: integer('every_ms'),
    description: text('description').notNull().default(''),
    enabled: boolean('enabled').notNull().default(true),
    source: text('source').$type<ScheduleSource>().notNull(),
    /** Set once someone changes a declared schedule: from then on its declaration no longer overwrites it. */
    editedAt: timestamp('edited_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [
    check('schedules_timing_check', sql`(${table.cron} is null) <> (${table.everyMs} is null)`),
    check('schedules_source_check', sql`${table.source} in ('declared', 'user')`),
  ],
);

export type ScheduleRecord = typeof schedules.$inferSelect;
export type NewScheduleRecord = typeof schedules.$inferInsert;
