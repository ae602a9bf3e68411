import { senderAddress, senderDomain, tokenize } from './tokenize.js';

/** A correction joined with the message it corrects. */
export interface Correction {
  emailId: string;
  fromAddress: string;
  subject: string;
  body: string;
  category: string | null;
  rejectedCategory: string | null;
}

/** What a user's corrections teach, used ahead of the shared rules and the model. */
export interface LearnedPreferences {
  /** The category a sender's corrected messages agree on. */
  senders: Map<string, string>;
  /** The category a domain's corrected messages agree on, when two senders' messages or more do. */
  domains: Map<string, string>;
  /** Categories the user said a sender's messages are not. */
  rejectedBySender: Map<string, Set<string>>;
  /** The category the corrected messages' words point to with confidence, if any. */
  keywords(text: string): string | undefined;
}

/** One sender's corrections say nothing of their domain's other senders (a shared mail host). */
const MIN_DOMAIN_SENDERS = 2;
const MIN_KEYWORD_CORRECTIONS = 4;
const KEYWORD_CONFIDENCE = 0.9;
const MIN_KNOWN_WORDS = 2;

export function learnFromFeedback(corrections: readonly Correction[]): LearnedPreferences {
  const bySender = new Map<string, Set<string>>();
  const byDomain = new Map<string, Array<{ sender: string; category: string }>>();
  const rejectedBySender = new Map<string, Set<string>>();
  const labelled: Array<{ category: string; words: string[] }> = [];
  for (const correction of corrections) {
    const sender = senderAddress(correction.fromAddress);
    if (correction.rejectedCategory) {
      const rejected = rejectedBySender.get(sender) ?? new Set<string>();
      rejected.add(correction.rejectedCategory);
      rejectedBySender.set(sender, rejected);
    }
    if (!correction.category) continue;
    bySender.set(sender, (bySender.get(sender) ?? new Set()).add(correction.category));
    const domain = senderDomain(correction.fromAddress);
    byDomain.set(domain, [...(byDomain.get(domain) ?? []), { sender, category: correction.category }]);
    labelled.push({
      category: correction.category,
      words: tokenize(`${correction.subject} ${correction.body}`),
    });
  }
  // A sender or domain whose corrections disagree teaches nothing about the next message.
  const senders = new Map<string, string>();
  for (const [sender, categories] of bySender) {
    if (categories.size === 1) senders.set(sender, [...categories][0] as string);
  }
  const domains = new Map<string, string>();
  for (const [domain, entries] of byDomain) {
    const categories = new Set(entries.map((entry) => entry.category));
    const senderCount = new Set(entries.map((entry) => entry.sender)).size;
    if (senderCount >= MIN_DOMAIN_SENDERS && categories.size === 1)
      domains.set(domain, [...categories][0] as string);
  }
  return { senders, domains, rejectedBySender, keywords: naiveBayes(labelled) };
}

/**
 * A multinomial naive Bayes over the corrected messages' words (Laplace smoothing). It answers only
 * when it has seen enough corrections, knows enough of the message's words and is confident.
 */
function naiveBayes(labelled: ReadonlyArray<{ category: string; words: string[] }>) {
  if (labelled.length < MIN_KEYWORD_CORRECTIONS) return () => undefined;
  const docs = new Map<string, number>();
  const counts = new Map<string, Map<string, number>>();
  const totals = new Map<string, number>();
  const vocabulary = new Set<string>();
  for (const { category, words } of labelled) {
    docs.set(category, (docs.get(category) ?? 0) + 1);
    const own = counts.get(category) ?? new Map<string, number>();
    for (const word of words) {
      own.set(word, (own.get(word) ?? 0) + 1);
      vocabulary.add(word);
    }
    counts.set(category, own);
    totals.set(category, (totals.get(category) ?? 0) + words.length);
  }
  return (text: string): string | undefined => {
    const words = tokenize(text).filter((word) => vocabulary.has(word));
    if (new Set(words).size < MIN_KNOWN_WORDS) return undefined;
    const logs = [...docs].map(([category, n]) => {
      const own = counts.get(category) as Map<string, number>;
      const denominator = (totals.get(category) ?? 0) + vocabulary.size;
      let log = Math.log(n / labelled.length);
      for (const word of words) log += Math.log(((own.get(word) ?? 0) + 1) / denominator);
      return { category, log };
    });
    const top = Math.max(...logs.map((entry) => entry.log));
    const weights = logs.map((entry) => ({ ...entry, weight: Math.exp(entry.log - top) }));
    const sum = weights.reduce((total, entry) => total + entry.weight, 0);
    const best = weights.find((entry) => entry.log === top);
    return best && best.weight / sum >= KEYWORD_CONFIDENCE ? best.category : undefined;
  };
}
