import { and, asc, calendarEvents, type Db, eq, gt, gte, isNull, lt, or } from '@foreman/db';
import { z } from 'zod';
import { defineTool } from './ai-tool.js';
import { ToolError } from './tool-error.js';

const MAX_RANGE_DAYS = 62;
const DAY = 86_400_000;

/** The user's calendar events that overlap a time range, earliest first. */
export function readCalendarTool({ db }: { db: Db }) {
  return defineTool({
    name: 'read_calendar',
    description: `Lists the user's calendar events that overlap [from, to) (at most ${MAX_RANGE_DAYS} days), earliest first.`,
    touches: [{ resource: 'calendar_events', access: 'read' }],
    input: z
      .object({
        from: z.iso.datetime({ offset: true }),
        to: z.iso.datetime({ offset: true }),
        limit: z.number().int().min(1).max(200).default(50),
      })
      .strict(),
    output: z.object({
      events: z.array(
        z.object({
          summary: z.string(),
          description: z.string().nullable(),
          location: z.string().nullable(),
          startsAt: z.string(),
          endsAt: z.string().nullable(),
          allDay: z.boolean(),
        }),
      ),
    }),
    async run({ from, to, limit }, { userId }) {
      const start = new Date(from);
      const end = new Date(to);
      if (end <= start || end.getTime() - start.getTime() > MAX_RANGE_DAYS * DAY) {
        throw new ToolError(
          'INVALID_ARGUMENTS',
          `to must be after from and at most ${MAX_RANGE_DAYS} days later`,
          'read_calendar',
        );
      }
      const rows = await db
        .select()
        .from(calendarEvents)
        .where(
          and(
            eq(calendarEvents.userId, userId),
            lt(calendarEvents.startsAt, end),
            // An event without an end is an instant at its start.
            or(
              gt(calendarEvents.endsAt, start),
              and(isNull(calendarEvents.endsAt), gte(calendarEvents.startsAt, start)),
            ),
          ),
        )
        .orderBy(asc(calendarEvents.startsAt))
        .limit(limit);
      return {
        events: rows.map((row) => ({
          summary: row.summary,
          description: row.description,
          location: row.location,
          startsAt: row.startsAt.toISOString(),
          endsAt: row.endsAt?.toISOString() ?? null,
          allDay: row.allDay,
        })),
      };
    },
  });
}
