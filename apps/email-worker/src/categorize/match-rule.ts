import type { EmailRuleRow, InboundEmailRow } from '@foreman/db';

/** The first rule (in order) whose pattern the message matches, case-insensitively. */
export function matchRule(
  message: Pick<InboundEmailRow, 'fromAddress' | 'subject' | 'body'>,
  rules: readonly EmailRuleRow[],
): EmailRuleRow | undefined {
  const sender = message.fromAddress.toLowerCase();
  const subject = message.subject.toLowerCase();
  const body = message.body.toLowerCase();
  return rules.find((rule) => {
    const pattern = rule.pattern.toLowerCase();
    if (rule.field === 'sender') return sender.includes(pattern);
    if (rule.field === 'subject') return subject.includes(pattern);
    return containsWord(subject, pattern) || containsWord(body, pattern);
  });
}

function containsWord(text: string, word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}($|[^\\p{L}\\p{N}])`, 'u').test(text);
}
