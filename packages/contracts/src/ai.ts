import { declareSchedule, defineTask } from '@foreman/core/producer';
import { z } from 'zod';
import { QUEUES } from './queues.js';

/**
 * The tools a user's AI task may name (`ai_tasks.tools`); the ai-worker's tool registry has exactly
 * these. Each acts for the task's own user only.
 */
export const AI_TOOL_NAMES = [
  'search_email',
  'read_calendar',
  'fetch_url',
  'submit_task',
  'wait_for_approval',
] as const;
export type AiToolName = (typeof AI_TOOL_NAMES)[number];

/**
 * The model endpoint the ai-worker is configured with (AI_BASE_URL) is one provider: its tasks
 * share a flow key, so a 429 with Retry-After pauses them all, on every replica, while other
 * queues flow. A throttle is the deployment's to set on the group `ai-provider:default`
 * (`FairScheduler.setUserLimits`, see docs/flow-control.md).
 */
const oneProvider = { key: () => 'default', scope: 'ai-provider' };

export const completePrompt = defineTask({
  name: 'ai.complete_prompt',
  queue: QUEUES.ai,
  description: 'Sends a prompt to the configured OpenAI-compatible chat-completions endpoint.',
  payload: z
    .object({
      prompt: z.string().min(1).max(100_000),
      system: z.string().max(20_000).optional(),
      model: z.string().min(1).optional(),
      maxTokens: z.number().int().positive().max(32_000).optional(),
    })
    .strict(),
  result: z.object({
    answer: z.string(),
    model: z.string(),
    promptTokens: z.number().int().nonnegative(),
    completionTokens: z.number().int().nonnegative(),
  }),
  retry: { attempts: 4, delayMs: 2_000, maxDelayMs: 120_000 },
  timeoutMs: 120_000,
  flow: oneProvider,
});

export const processDueAiTasks = defineTask({
  name: 'ai.process_due_ai_tasks',
  queue: QUEUES.ai,
  audience: 'system',
  description: "Finds users' AI tasks whose next run is due and submits each as its own ai.run_ai_task.",
  payload: z.object({ limit: z.number().int().positive().max(10_000).default(500) }).strict(),
  result: z.object({ due: z.number().int(), submitted: z.array(z.string()) }),
  retry: { attempts: 3, delayMs: 5_000 },
  timeoutMs: 60_000,
});

export const runAiTask = defineTask({
  name: 'ai.run_ai_task',
  queue: QUEUES.ai,
  ownedBy: ({ aiTaskId }) => ({ table: 'ai_tasks', id: aiTaskId }),
  description:
    "Runs one user's AI task: asks the model (which may call the task's tools), stores the answer and token usage, advances the next run.",
  payload: z
    .object({
      aiTaskId: z.uuid(),
      /** The next-run time this run is for; a run whose time has already moved on does nothing. */
      dueAt: z.iso.datetime({ offset: true }),
    })
    .strict(),
  result: z.object({
    aiTaskId: z.string(),
    ran: z.boolean(),
    answer: z.string().nullable(),
    promptTokens: z.number().int().nonnegative(),
    completionTokens: z.number().int().nonnegative(),
    /** Model calls and tool calls the run took (replayed ones included). */
    steps: z.number().int().nonnegative(),
    toolCalls: z.number().int().nonnegative(),
    nextRunAt: z.string().nullable(),
  }),
  retry: { attempts: 4, delayMs: 5_000, maxDelayMs: 300_000 },
  timeoutMs: 150_000,
  flow: oneProvider,
});

export const schedules = [
  declareSchedule({
    id: 'ai.process_due_ai_tasks.every-10m',
    task: processDueAiTasks,
    payload: {},
    everyMs: 10 * 60_000,
    description: "Runs users' AI tasks that are due",
  }),
];
