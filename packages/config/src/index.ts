export { ConfigError } from './config-error.js';
export {
  type FairnessSettings,
  fairnessEnv,
  fairnessSettingsSchema,
  type QueueFairness,
  queueFairnessSchema,
  type UserLimits,
  userLimitsSchema,
} from './fairness.js';
export { type Env, loadConfig } from './load-config.js';
export {
  type BaseEnv,
  baseEnvSchema,
  type ChatEnv,
  chatEnvSchema,
  commaList,
  type FetchEnv,
  fetchEnvSchema,
  type MailboxEnv,
  mailboxEnvSchema,
  port,
  positiveInt,
  type SubmitQuotaEnv,
  scheduleLimitsEnvSchema,
  submitQuotaEnvSchema,
  type TracingEnv,
  tracingEnvSchema,
  type WorkerEnv,
  workerEnvSchema,
} from './schemas.js';
