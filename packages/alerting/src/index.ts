export {
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
  verifyWebhook,
} from '@foreman/net';
export {
  AlertManager,
  type AlertManagerOptions,
  type ChannelOutcome,
  type NotificationRecord,
  type RuleReport,
} from './alert-manager.js';
export { AlertScheduler, type AlertSchedulerOptions } from './alert-scheduler.js';
export { type AlertChannel, type AlertNotification, headline } from './channels/alert-notification.js';
export { type ChannelConfig, channelConfigSchema } from './channels/channel-config.js';
export { ConsoleChannel } from './channels/console-channel.js';
export { createChannels } from './channels/create-channels.js';
export { EmailChannel, type EmailChannelOptions } from './channels/email-channel.js';
export { LogChannel } from './channels/log-channel.js';
export { SlackChannel } from './channels/slack-channel.js';
export { WebhookChannel } from './channels/webhook-channel.js';
export { AlertNotFoundError } from './errors/alert-not-found-error.js';
export { AlertRuleInvalidError } from './errors/alert-rule-invalid-error.js';
export { AlertStateError } from './errors/alert-state-error.js';
export { AlertingError, type AlertingErrorCode } from './errors/alerting-error.js';
export { ChannelDeliveryError } from './errors/channel-delivery-error.js';
export { ChannelUnknownError } from './errors/channel-unknown-error.js';
export { AlertInputs } from './evaluate/alert-inputs.js';
export { type AlertPredicate, evaluateRule, type RuleEvaluation } from './evaluate/evaluate-rule.js';
export {
  type AlertRule,
  type AlertRuleInput,
  type AlertRuleKind,
  alertRuleSchema,
  MESSAGE_PLACEHOLDERS,
  renderMessage,
} from './rules/alert-rule.js';
export { AlertRuleStore, type StoredRule } from './rules/alert-rule-store.js';
export { loadRulesFile, type RulesFile, rulesFileSchema } from './rules/rules-file.js';
