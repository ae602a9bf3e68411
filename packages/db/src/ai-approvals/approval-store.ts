import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { type AiApprovalRow, type ApprovalDecision, aiApprovals } from '../schema/ai-approvals.js';

export interface NewApproval {
  taskId: string;
  stepIndex: number;
  userId: string;
  question: string;
  deadline: Date;
}

export interface OpenedApproval {
  approval: AiApprovalRow;
  /** The token a signal must present, minted by this call; absent once decided or expired. */
  token?: string;
}

export interface ApprovalSignal {
  taskId: string;
  token: string;
  decision: ApprovalDecision;
  comment?: string | undefined;
  decidedBy: string;
}

/** Why a signal changed nothing: no approval of the task has this token, or it is closed. */
export type SignalRefusal = 'UNKNOWN_TOKEN' | 'ALREADY_DECIDED' | 'EXPIRED';

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The approvals AI tasks wait for: opened by the waiting step, decided by a signal. */
export class ApprovalStore {
  constructor(private readonly db: Db) {}

  /**
   * Opens the step's approval with a fresh token. Opened before (the task ran again undecided), it
   * keeps its question and deadline and gets a new token: only the hash was kept, and the newest
   * token is the one that was last told to the user. A decided or expired one is returned as it
   * is, without a token.
   */
  async open(input: NewApproval): Promise<OpenedApproval> {
    const token = randomBytes(24).toString('base64url');
    const [opened] = await this.db
      .insert(aiApprovals)
      .values({ ...input, tokenHash: hashToken(token) })
      .onConflictDoUpdate({
        target: [aiApprovals.taskId, aiApprovals.stepIndex],
        set: { tokenHash: sql`excluded.token_hash` },
        setWhere: and(isNull(aiApprovals.decision), gt(aiApprovals.deadline, sql`now()`)),
      })
      .returning();
    if (opened) return { approval: opened, token };
    const [closed] = await this.db
      .select()
      .from(aiApprovals)
      .where(and(eq(aiApprovals.taskId, input.taskId), eq(aiApprovals.stepIndex, input.stepIndex)));
    return { approval: closed as AiApprovalRow };
  }

  /**
   * Stores a decision in one guarded update: only with the current token, only once, only before
   * the deadline (by the database's clock). Returns the decided row, or why nothing changed.
   */
  async decide(signal: ApprovalSignal): Promise<AiApprovalRow | SignalRefusal> {
    const tokenHash = hashToken(signal.token);
    const ofToken = and(eq(aiApprovals.taskId, signal.taskId), eq(aiApprovals.tokenHash, tokenHash));
    const [decided] = await this.db
      .update(aiApprovals)
      .set({
        decision: signal.decision,
        comment: signal.comment ?? null,
        decidedBy: signal.decidedBy,
        decidedAt: sql`now()`,
      })
      .where(and(ofToken, isNull(aiApprovals.decision), gt(aiApprovals.deadline, sql`now()`)))
      .returning();
    if (decided) return decided;
    const [row] = await this.db.select().from(aiApprovals).where(ofToken);
    if (!row) return 'UNKNOWN_TOKEN';
    return row.decision ? 'ALREADY_DECIDED' : 'EXPIRED';
  }
}
