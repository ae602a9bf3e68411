import {
  baseEnvSchema,
  chatEnvSchema,
  fetchEnvSchema,
  loadConfig,
  positiveInt,
  submitQuotaEnvSchema,
} from '@foreman/config';

/**
 * The AI worker's own settings; any OpenAI-compatible server works (Ollama, vLLM, hosted APIs).
 * FETCH_* govern the `fetch_url` tool and SUBMIT_QUOTA* the `submit_task` tool, as elsewhere.
 */
export const aiEnvSchema = chatEnvSchema
  .extend(fetchEnvSchema.shape)
  .extend(submitQuotaEnvSchema.shape)
  .extend({
    QUEUE_PREFIX: baseEnvSchema.shape.QUEUE_PREFIX,
    // The client tools submit with admits, records and trims as the api's and beat's do.
    FAIRNESS: baseEnvSchema.shape.FAIRNESS,
    RECORD_STREAM_MAX: baseEnvSchema.shape.RECORD_STREAM_MAX,
    /** Longest wait before a user task that keeps failing is tried again. */
    AI_TASK_MAX_BACKOFF_MINUTES: positiveInt(24 * 60),
    /** Steps (model calls and tool calls) one run of a user's AI task may take. */
    AI_MAX_STEPS: positiveInt(20),
    /** How long one attempt of a user's AI task may run; below the task's 150 s timeout. */
    AI_RUN_DEADLINE_MS: positiveInt(120_000),
    /** Least time between two `output` events (streamed text) of one task. */
    AI_OUTPUT_INTERVAL_MS: positiveInt(250),
  });

export const loadAiEnv = () => loadConfig(aiEnvSchema);
