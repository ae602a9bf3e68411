import { loadConfig } from '@foreman/config';
import { z } from 'zod';

/** The AI worker's own settings; any OpenAI-compatible server works (Ollama, vLLM, hosted APIs). */
export const aiEnvSchema = z.object({
  AI_BASE_URL: z.url().default('http://127.0.0.1:11434/v1'),
  AI_API_KEY: z.string().optional(),
  AI_MODEL: z.string().min(1).default('llama3.2'),
  AI_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
});

export type AiEnv = z.output<typeof aiEnvSchema>;

export const loadAiEnv = () => loadConfig(aiEnvSchema);
