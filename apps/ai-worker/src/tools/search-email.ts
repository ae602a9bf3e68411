import { and, type Db, desc, eq, gte, ilike, inboundEmails, or, type SQL, sql } from '@foreman/db';
import { z } from 'zod';
import { defineTool } from './ai-tool.js';

const SNIPPET_CHARS = 500;

/** `%` and `_` in what the model typed are matched as themselves. */
const contains = (text: string) => `%${text.replace(/[\\%_]/g, '\\$&')}%`;

/** The user's synced mail (newest first), matched by words in sender, subject or body. */
export function searchEmailTool({ db }: { db: Db }) {
  return defineTool({
    name: 'search_email',
    description:
      "Searches the user's synced email, newest first. All filters are optional; returns sender, subject and the start of the body.",
    touches: [{ resource: 'inbound_emails', access: 'read' }],
    input: z
      .object({
        query: z.string().min(1).max(200).optional().describe('Text the sender, subject or body contains'),
        unreadOnly: z.boolean().default(false),
        since: z.iso
          .datetime({ offset: true })
          .optional()
          .describe('Only mail received at or after this time'),
        limit: z.number().int().min(1).max(50).default(10),
      })
      .strict(),
    output: z.object({
      emails: z.array(
        z.object({
          id: z.string(),
          from: z.string(),
          subject: z.string(),
          snippet: z.string(),
          receivedAt: z.string(),
          unread: z.boolean(),
        }),
      ),
    }),
    async run({ query, unreadOnly, since, limit }, { userId }) {
      const filters: SQL[] = [eq(inboundEmails.userId, userId)];
      if (query) {
        const pattern = contains(query);
        filters.push(
          or(
            ilike(inboundEmails.fromAddress, pattern),
            ilike(inboundEmails.subject, pattern),
            ilike(inboundEmails.body, pattern),
          ) as SQL,
        );
      }
      if (since) filters.push(gte(inboundEmails.receivedAt, new Date(since)));
      const seen = sql`coalesce(${inboundEmails.flags}, '{}') @> array['\\Seen']::text[]`;
      if (unreadOnly) filters.push(sql`not ${seen}`);
      const rows = await db
        .select({
          id: inboundEmails.id,
          from: inboundEmails.fromAddress,
          subject: inboundEmails.subject,
          body: inboundEmails.body,
          receivedAt: inboundEmails.receivedAt,
          seen: sql<boolean>`${seen}`,
        })
        .from(inboundEmails)
        .where(and(...filters))
        .orderBy(desc(inboundEmails.receivedAt))
        .limit(limit);
      return {
        emails: rows.map(({ body, seen: wasSeen, receivedAt, ...row }) => ({
          ...row,
          snippet: body.slice(0, SNIPPET_CHARS),
          receivedAt: receivedAt.toISOString(),
          unread: !wasSeen,
        })),
      };
    },
  });
}
