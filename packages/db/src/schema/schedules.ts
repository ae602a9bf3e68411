import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const SCHEDULE_SOURCES = ['declared', 'user'] as const;
export type ScheduleSource = (typeof SCHEDULE_SOURCES)[number];

/** What beat does with an occurrence that comes while the schedule's previous run has not finished. */
export const OVERLAP_POLICIES = ['skip', 'queue_one', 'allow'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** What beat does with occurrences it missed (it was down or stalled). */
export const MISFIRE_POLICIES = ['run_once', 'run_all', 'skip'] as const;
export type MisfirePolicy = (typeof MISFIRE_POLICIES)[number];

/**
 * Recurring schedules: the ones declared next to their tasks (seeded when beat starts) and the
 * ones created at runtime. Beat fires every enabled row whose `next_run_at` has come, by the row's
 * overlap and misfire policies, and records the run on the row.
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
    /** The user whose schedule it is: its runs are that user's tasks. Null for declared schedules. */
    ownerUserId: text('owner_user_id'),
    overlapPolicy: text('overlap_policy').$type<OverlapPolicy>().notNull().default('skip'),
    misfirePolicy: text('misfire_policy').$type<MisfirePolicy>().notNull().default('run_once'),
    /** run_all: most missed occurrences run after an outage (the latest ones). */
    misfireCap: integer('misfire_cap').notNull().default(10),
    /** The next occurrence not yet handled; null while paused. */
    nextRunAt: timestamp('next_run_at', { withTimezone: true, mode: 'date' }),
    /** When beat last submitted a run, and that run's task id. */
    lastRunAt: timestamp('last_run_at', { withTimezone: true, mode: 'date' }),
    lastTaskId: text('last_task_id'),
    /** queue_one: the occurrence held until the running one ends. */
    queuedRunAt: timestamp('queued_run_at', { withTimezone: true, mode: 'date' }),
    /** Occurrences dropped by the overlap or misfire policy, in total. */
    skippedRuns: integer('skipped_runs').notNull().default(0),
    /** Set once someone changes a declared schedule: from then on its declaration no longer overwrites it. */
    editedAt: timestamp('edited_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [
    check('schedules_timing_check', sql`(${table.cron} is null) <> (${table.everyMs} is null)`),
    check('schedules_source_check', sql`${table.source} in ('declared', 'user')`),
    check('schedules_overlap_check', sql`${table.overlapPolicy} in ('skip', 'queue_one', 'allow')`),
    check('schedules_misfire_check', sql`${table.misfirePolicy} in ('run_once', 'run_all', 'skip')`),
    check('schedules_misfire_cap_check', sql`${table.misfireCap} between 1 and 1000`),
    index('schedules_owner_idx').on(table.ownerUserId),
  ],
);

export type ScheduleRecord = typeof schedules.$inferSelect;
export type NewScheduleRecord = typeof schedules.$inferInsert;
