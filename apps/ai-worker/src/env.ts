import { baseEnvSchema, chatEnvSchema, loadConfig, positiveInt } from '@foreman/config';

/** The AI worker's own settings; any OpenAI-compatible server works (Ollama, vLLM, hosted APIs). */
export const aiEnvSchema = chatEnvSchema.extend({
  QUEUE_PREFIX: baseEnvSchema.shape.QUEUE_PREFIX,
  /** Longest wait before a user task that keeps failing is tried again. */
  AI_TASK_MAX_BACKOFF_MINUTES: positiveInt(24 * 60),
});

export const loadAiEnv = () => loadConfig(aiEnvSchema);
