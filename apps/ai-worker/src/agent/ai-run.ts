import type { ChatClient, ChatMessage, ConversationTurn, ToolCall } from '@foreman/ai-client';
import type { ToolContext } from '../tools/ai-tool.js';
import { ToolError } from '../tools/tool-error.js';
import type { ToolRegistry } from '../tools/tool-registry.js';
import { AiRunError } from './ai-run-error.js';
import type { AiUsageMeter } from './ai-usage-meter.js';
import { hashInput, type StepStore } from './step-store.js';

export interface AiRunnerOptions {
  chat: ChatClient;
  tools: ToolRegistry;
  steps: StepStore;
  /** Counts each call made (per user and day, and as metrics) and enforces daily budgets. */
  usage: AiUsageMeter;
  /** Steps (model calls and tool calls) one run may take before it fails with STEP_LIMIT_REACHED. */
  maxSteps: number;
  /** Milliseconds one attempt may run before it fails with DEADLINE_PASSED. */
  deadlineMs: number;
}

export interface AiRunRequest {
  /** Keys the stored steps: the same on every attempt of the task. */
  taskId: string;
  userId: string;
  messages: readonly ChatMessage[];
  /** Names of the tools offered to the model. */
  tools: readonly string[];
  model?: string | undefined;
  signal: AbortSignal;
  /** Streams the model's replies: called with each piece of text as it is written. */
  onText?: ((text: string) => void) | undefined;
}

export interface AiRunResult {
  answer: string;
  model: string;
  /** Steps taken, replayed ones included. */
  steps: number;
  toolCalls: number;
  promptTokens: number;
  completionTokens: number;
}

interface StepOutcome<T> {
  output: T;
  promptTokens?: number;
  completionTokens?: number;
}

/**
 * Runs a conversation in which the model may call tools: the model asks, the tool runs (as the
 * run's user), its answer goes back, until the model answers in text. Each model call and each tool
 * call is a step stored by task id and index, so a retry replays finished steps instead of paying
 * for them again.
 */
export class AiRunner {
  constructor(private readonly options: AiRunnerOptions) {
    for (const key of ['maxSteps', 'deadlineMs'] as const) {
      if (!Number.isInteger(options[key]) || options[key] < 1) {
        throw new TypeError(`AiRunner: ${key} must be a whole number of at least 1`);
      }
    }
  }

  async run(request: AiRunRequest): Promise<AiRunResult> {
    const { chat, tools, steps, usage, maxSteps, deadlineMs } = this.options;
    const { taskId } = request;
    const unknown = request.tools.filter((name) => !tools.get(name));
    if (unknown.length > 0) {
      throw new AiRunError(
        'TOOL_NOT_REGISTERED',
        `no tool named ${unknown.join(', ')} is registered`,
        taskId,
        0,
      );
    }
    const specs = tools.specs(request.tools);
    const deadline = AbortSignal.timeout(deadlineMs);
    const signal = AbortSignal.any([request.signal, deadline]);
    const messages = [...request.messages];
    const totals = { steps: 0, toolCalls: 0, promptTokens: 0, completionTokens: 0 };
    const deadlinePassed = () =>
      new AiRunError(
        'DEADLINE_PASSED',
        `the run passed its deadline of ${deadlineMs} ms`,
        taskId,
        totals.steps,
      );

    const step = async <T>(kind: string, input: unknown, run: () => Promise<StepOutcome<T>>): Promise<T> => {
      if (totals.steps >= maxSteps) {
        throw new AiRunError(
          'STEP_LIMIT_REACHED',
          `the model did not answer within ${maxSteps} steps`,
          taskId,
          totals.steps,
        );
      }
      if (deadline.aborted) throw deadlinePassed();
      const index = totals.steps;
      const inputHash = hashInput({ kind, input });
      let outcome: StepOutcome<T> | undefined = (await steps.replay(taskId, index, inputHash)) as
        | StepOutcome<T>
        | undefined;
      if (!outcome) {
        // Only a call still to be paid for is refused; replayed ones cost nothing.
        if (kind === 'model') await usage.assertWithinBudget(request.userId, taskId);
        try {
          outcome = await run();
        } catch (error) {
          if (deadline.aborted && !request.signal.aborted) throw deadlinePassed();
          throw error;
        }
        await steps.save(taskId, index, {
          kind,
          inputHash,
          output: outcome.output,
          promptTokens: outcome.promptTokens ?? 0,
          completionTokens: outcome.completionTokens ?? 0,
        });
        if (kind === 'model') {
          await usage.recordModelCall(request.userId, {
            promptTokens: outcome.promptTokens ?? 0,
            completionTokens: outcome.completionTokens ?? 0,
          });
        } else {
          await usage.recordToolCall(request.userId);
        }
      }
      totals.steps += 1;
      totals.promptTokens += outcome.promptTokens ?? 0;
      totals.completionTokens += outcome.completionTokens ?? 0;
      return outcome.output;
    };

    for (;;) {
      const turnInput = { messages, tools: specs, model: request.model };
      const turn = await step<ConversationTurn>('model', turnInput, async () => {
        const output = await chat.converse({ ...turnInput, onText: request.onText }, signal);
        return { output, promptTokens: output.promptTokens, completionTokens: output.completionTokens };
      });
      messages.push({
        role: 'assistant',
        content: turn.content,
        ...(turn.toolCalls.length ? { tool_calls: turn.toolCalls } : {}),
      });
      if (turn.toolCalls.length === 0) {
        return { answer: turn.content ?? '', model: turn.model, ...totals };
      }
      for (const call of turn.toolCalls) {
        const context: ToolContext = {
          userId: request.userId,
          taskId,
          stepIndex: totals.steps,
          stepKey: `ai-step:${taskId}:${totals.steps}`,
          signal,
        };
        const content = await step<string>(`tool:${call.function.name}`, call, async () => ({
          output: await this.callTool(call, request.tools, context),
        }));
        totals.toolCalls += 1;
        messages.push({ role: 'tool', tool_call_id: call.id, content });
      }
    }
  }

  /** The tool's answer as the model reads it: its output, or a ToolError it can act on. */
  private async callTool(call: ToolCall, offered: readonly string[], context: ToolContext): Promise<string> {
    const name = call.function.name;
    const tool = offered.includes(name) ? this.options.tools.get(name) : undefined;
    try {
      if (!tool) throw new ToolError('UNKNOWN_TOOL', `no tool named "${name}" is offered`, name);
      let args: unknown;
      try {
        args = JSON.parse(call.function.arguments);
      } catch {
        throw new ToolError('INVALID_ARGUMENTS', 'arguments are not valid JSON', name);
      }
      const input = tool.input.safeParse(args);
      if (!input.success) {
        throw new ToolError(
          'INVALID_ARGUMENTS',
          "arguments do not match the tool's schema",
          name,
          input.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
        );
      }
      // An output that breaks the tool's own schema is a bug in the tool: it fails the task.
      return JSON.stringify(tool.output.parse(await tool.run(input.data, context)));
    } catch (error) {
      if (error instanceof ToolError) return JSON.stringify(error);
      throw error;
    }
  }
}
