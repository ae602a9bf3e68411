import { tokenize } from '../categorize/tokenize.js';

/** TF-IDF vectors of some texts over their shared vocabulary, each scaled to unit length. */
export interface TfIdf {
  vocabulary: string[];
  vectors: number[][];
}

/** Terms in fewer documents than this are left out: they cannot join two messages into a topic. */
const MIN_DOCUMENT_FREQUENCY = 2;
const MAX_TERMS = 2_000;

export function tfidf(texts: readonly string[]): TfIdf {
  const documents = texts.map((text) => tokenize(text));
  const frequency = new Map<string, number>();
  for (const words of documents) {
    for (const word of new Set(words)) frequency.set(word, (frequency.get(word) ?? 0) + 1);
  }
  const vocabulary = [...frequency]
    .filter(([, count]) => count >= MIN_DOCUMENT_FREQUENCY && count < documents.length)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, MAX_TERMS)
    .map(([word]) => word);
  const column = new Map(vocabulary.map((word, index) => [word, index]));
  const vectors = documents.map((words) => {
    const vector = new Array<number>(vocabulary.length).fill(0);
    for (const word of words) {
      const index = column.get(word);
      if (index !== undefined) vector[index] = (vector[index] ?? 0) + 1;
    }
    for (const [index, word] of vocabulary.entries()) {
      const count = vector[index] ?? 0;
      if (count > 0) vector[index] = count * Math.log(documents.length / (frequency.get(word) ?? 1));
    }
    return unit(vector);
  });
  return { vocabulary, vectors };
}

export function unit(vector: number[]): number[] {
  const length = Math.hypot(...vector);
  return length === 0 ? vector : vector.map((value) => value / length);
}

/** The terms that weigh most, summed over some of the vectors. */
export function topTerms(model: TfIdf, members: readonly number[], count: number): string[] {
  const weights = new Array<number>(model.vocabulary.length).fill(0);
  for (const member of members) {
    for (const [index, value] of (model.vectors[member] ?? []).entries())
      weights[index] = (weights[index] ?? 0) + value;
  }
  return weights
    .map((weight, index) => ({ weight, term: model.vocabulary[index] as string }))
    .filter((entry) => entry.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.term.localeCompare(b.term))
    .slice(0, count)
    .map((entry) => entry.term);
}
