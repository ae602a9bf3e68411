import { createHash } from 'node:crypto';
import { aiTaskSteps, and, type Db, eq, gte } from '@foreman/db';

export interface StoredStep {
  output: unknown;
  promptTokens: number;
  completionTokens: number;
}

/** SHA-256 of a step's input as JSON (the same input always gives the same text). */
export function hashInput(input: unknown): string {
  return createHash('sha256').update(JSON.stringify(input)).digest('hex');
}

/**
 * The finished steps of AI task runs in PostgreSQL. A retry of the task replays them in order; a
 * step whose input differs from the stored one (the code changed between attempts) and every step
 * after it are forgotten and run again.
 */
export class StepStore {
  constructor(private readonly db: Db) {}

  /** The stored output of step `index` when it was run with this input, else undefined. */
  async replay(taskId: string, index: number, inputHash: string): Promise<StoredStep | undefined> {
    const [row] = await this.db
      .select()
      .from(aiTaskSteps)
      .where(and(eq(aiTaskSteps.taskId, taskId), eq(aiTaskSteps.stepIndex, index)));
    if (!row) return undefined;
    if (row.inputHash === inputHash) {
      return {
        output: JSON.parse(row.output),
        promptTokens: row.promptTokens,
        completionTokens: row.completionTokens,
      };
    }
    await this.db
      .delete(aiTaskSteps)
      .where(and(eq(aiTaskSteps.taskId, taskId), gte(aiTaskSteps.stepIndex, index)));
    return undefined;
  }

  async save(
    taskId: string,
    index: number,
    step: StoredStep & { kind: string; inputHash: string },
  ): Promise<void> {
    await this.db
      .insert(aiTaskSteps)
      .values({ taskId, stepIndex: index, ...step, output: JSON.stringify(step.output ?? null) })
      .onConflictDoNothing();
  }
}
