import { defineTask } from '@foreman/core';
import { z } from 'zod';
import { QUEUES } from './queues.js';

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
});
