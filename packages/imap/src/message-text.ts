import { simpleParser } from 'mailparser';

export interface MessageText {
  /** The plain-text body (from the HTML part when there is no text part), at most `maxChars`. */
  text: string;
  /** The first `snippetChars` of the body on one line. */
  snippet: string;
}

/**
 * The readable text of a raw message, possibly cut short (a partial fetch): mailparser decodes
 * transfer encodings and charsets, and an HTML-only message is turned into text.
 */
export async function messageText(
  source: Buffer,
  { maxChars = 65_536, snippetChars = 200 }: { maxChars?: number; snippetChars?: number } = {},
): Promise<MessageText> {
  const parsed = await simpleParser(source, { skipImageLinks: true, skipTextToHtml: true });
  const text = (parsed.text ?? (typeof parsed.html === 'string' ? parsed.html.replace(/<[^>]*>/g, ' ') : ''))
    // PostgreSQL text cannot hold NUL.
    .replaceAll('\u0000', '')
    .slice(0, maxChars);
  return { text, snippet: text.replace(/\s+/g, ' ').trim().slice(0, snippetChars) };
}
