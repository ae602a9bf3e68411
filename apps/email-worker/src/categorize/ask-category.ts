import type { ChatClient } from '@foreman/ai-client';
import type { InboundEmailRow } from '@foreman/db';

const BODY_LIMIT = 4_000;

/** Asks the model to place a message in one of `categories`; an answer outside them is undefined. */
export async function askCategory(
  chat: ChatClient,
  message: Pick<InboundEmailRow, 'fromAddress' | 'subject' | 'body'>,
  categories: readonly string[],
  signal: AbortSignal,
): Promise<string | undefined> {
  const { answer } = await chat.complete(
    {
      system: `You sort email. Reply with exactly one of these categories and nothing else: ${categories.join(', ')}.`,
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
