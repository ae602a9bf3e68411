import type { EmbeddingClient } from '@foreman/ai-client';
import { emailIntelligence } from '@foreman/contracts';
import { implementTask, NonRetryableError } from '@foreman/core/task';
import { type Db, desc, emailClusterMembers, emailClusters, eq, inboundEmails } from '@foreman/db';
import { kmeans } from 'ml-kmeans';
import { tfidf, topTerms, unit } from '../cluster/tfidf.js';

export interface ClusterUserEmailsDeps {
  db: Db;
  /** Present when an embeddings model is configured; TF-IDF vectors otherwise. */
  embeddings?: EmbeddingClient | undefined;
}

const MAX_AUTO_CLUSTERS = 12;
const LABEL_TERMS = 3;
/** Characters of a message's body given to the embedder. */
const EMBED_CHARS = 2_000;
/** Fixed so the same messages give the same topics run after run (and retry after retry). */
const SEED = 42;

/**
 * Clusters a user's newest messages with k-means (k-means++ start) and replaces their clusters in
 * one transaction. Labels come from each cluster's top TF-IDF terms whichever vectors clustered it.
 */
export function clusterUserEmailsTask(deps: ClusterUserEmailsDeps) {
  return implementTask(emailIntelligence.clusterUserEmails, async (payload, context) => {
    const { db } = deps;
    const messages = await db
      .select({ id: inboundEmails.id, subject: inboundEmails.subject, body: inboundEmails.body })
      .from(inboundEmails)
      .where(eq(inboundEmails.userId, payload.userId))
      .orderBy(desc(inboundEmails.receivedAt), desc(inboundEmails.id))
      .limit(payload.limit);
    const texts = messages.map((message) => `${message.subject}\n${message.body}`);
    const terms = tfidf(texts);
    const useEmbeddings = (payload.useEmbeddings ?? true) && deps.embeddings !== undefined;
    if (payload.useEmbeddings === true && deps.embeddings === undefined) {
      throw new NonRetryableError('No embeddings model is configured (EMAIL_EMBEDDING_MODEL)');
    }
    const k = Math.min(
      messages.length,
      payload.clusters ??
        Math.min(MAX_AUTO_CLUSTERS, Math.max(1, Math.round(Math.sqrt(messages.length / 2)))),
    );
    let assignment: number[] = [];
    if (messages.length > 0) {
      const points = useEmbeddings
        ? (
            await (deps.embeddings as EmbeddingClient).embed(
              texts.map((text) => text.slice(0, EMBED_CHARS)),
              context.signal,
            )
          ).map(unit)
        : terms.vectors;
      await context.progress(50, 'vectors ready');
      // With no shared terms there is nothing to tell the messages apart by: one topic.
      assignment =
        (points[0]?.length ?? 0) === 0
          ? points.map(() => 0)
          : kmeans(points, k, { initialization: 'kmeans++', seed: SEED, maxIterations: 200 }).clusters;
    }
    const groups = new Map<number, number[]>();
    for (const [index, cluster] of assignment.entries())
      groups.set(cluster, [...(groups.get(cluster) ?? []), index]);
    const method = useEmbeddings ? ('embeddings' as const) : ('tfidf' as const);
    const stored = await db.transaction(async (tx) => {
      await tx.delete(emailClusterMembers).where(eq(emailClusterMembers.userId, payload.userId));
      await tx.delete(emailClusters).where(eq(emailClusters.userId, payload.userId));
      const made: Array<{ id: string; label: string; size: number }> = [];
      for (const members of [...groups.values()].sort((a, b) => b.length - a.length)) {
        const top = topTerms(terms, members, LABEL_TERMS);
        const label = top.length > 0 ? top.join(', ') : 'misc';
        const [cluster] = await tx
          .insert(emailClusters)
          .values({ userId: payload.userId, label, terms: top, size: members.length, method })
          .returning({ id: emailClusters.id });
        const clusterId = cluster?.id as string;
        for (let start = 0; start < members.length; start += 1_000) {
          await tx.insert(emailClusterMembers).values(
            members.slice(start, start + 1_000).map((index) => ({
              emailId: messages[index]?.id as string,
              userId: payload.userId,
              clusterId,
            })),
          );
        }
        made.push({ id: clusterId, label, size: members.length });
      }
      return made;
    });
    await context.progress(100);
    return { method, messages: messages.length, clusters: stored };
  });
}
