import { z } from 'zod';

/** The part of Notion's search response (POST /v1/search) the sync relies on. */
export const searchResponseSchema = z.object({
  results: z.array(
    z.object({
      object: z.string(),
      id: z.string().min(1),
      last_edited_time: z.iso.datetime({ offset: true }),
      archived: z.boolean().optional(),
      in_trash: z.boolean().optional(),
      url: z.string().optional(),
      properties: z.record(z.string(), z.unknown()).default({}),
    }),
  ),
  has_more: z.boolean(),
  next_cursor: z.string().nullable(),
});

export type NotionPage = z.output<typeof searchResponseSchema>['results'][number];

/** The plain text of the page's title property, whatever that property is called. */
export function pageTitle(page: NotionPage): string {
  for (const value of Object.values(page.properties)) {
    const property = value as { type?: string; title?: Array<{ plain_text?: string }> };
    if (property?.type === 'title' && Array.isArray(property.title)) {
      return property.title.map((part) => part.plain_text ?? '').join('');
    }
  }
  return '';
}
