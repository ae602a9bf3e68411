import type { ChatClient } from '@foreman/ai-client';
import type { InboundEmailRow } from '@foreman/db';

const BODY_LIMIT = 4_000;

/** A message the user sorted by hand, shown to the model as an example of their taste. */
export interface CategoryExample {
  fromAddress: string;
  subject: string;
  category: string;
}

/** Asks the model to place a message in one of `categories`; an answer outside them is undefined. */
export async function askCategory(
  chat: ChatClient,
  message: Pick<InboundEmailRow, 'fromAddress' | 'subject' | 'body'>,
  categories: readonly string[],
  signal: AbortSignal,
  examples: readonly CategoryExample[] = [],
): Promise<string | undefined> {
  const shown = examples.map(
    (example) => `From: ${example.fromAddress} | Subject: ${example.subject} -> ${example.category}`,
  );
  const { answer } = await chat.complete(
    {
      system:
        `You sort email. Reply with exactly one of these categories and nothing else: ${categories.join(', ')}.` +
        (shown.length > 0 ? `\nThis user sorted these messages by hand:\n${shown.join('\n')}` : ''),
      prompt: `From: ${message.fromAddress}\nSubject: ${message.subject}\n\n${message.body.slice(0, BODY_LIMIT)}`,
      maxTokens: 10,
    },
    signal,
  );
  const picked = answer
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '');
  return categories.includes(picked) ? picked : undefined;
}
