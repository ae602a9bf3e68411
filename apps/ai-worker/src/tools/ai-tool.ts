import type { z } from 'zod';

/** What a tool may reach, so a reader (and an admin) sees a task's reach from its tool names. */
export type ToolResource =
  | 'inbound_emails'
  | 'calendar_events'
  | 'public_web'
  | 'task_queue'
  | 'ai_approvals';

export interface ToolReach {
  resource: ToolResource;
  access: 'read' | 'write';
}

/** What a tool runs with: always the run's own user, never one the model names. */
export interface ToolContext {
  userId: string;
  taskId: string;
  /** The step's index in the run: the same on every attempt. */
  stepIndex: number;
  /** The same for this step on every attempt: an idempotency key for what the tool changes. */
  stepKey: string;
  signal: AbortSignal;
}

/** A tool the model may call: typed input and output, and what it touches. */
export interface AiTool<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  touches: readonly ToolReach[];
  input: I;
  output: O;
  run(input: z.output<I>, context: ToolContext): Promise<z.input<O>>;
}

/** Keeps the input and output types of one tool tied together. */
export function defineTool<I extends z.ZodType, O extends z.ZodType>(tool: AiTool<I, O>): AiTool<I, O> {
  return tool;
}
