import type { Logger } from '@foreman/logger';
import type { AlertChannel } from './alert-notification.js';
import type { ChannelConfig } from './channel-config.js';
import { ConsoleChannel } from './console-channel.js';
import { EmailChannel } from './email-channel.js';
import { LogChannel } from './log-channel.js';
import { SlackChannel } from './slack-channel.js';
import { WebhookChannel } from './webhook-channel.js';

/** Channels by name from their configuration; `log` is always there. */
export function createChannels(
  configs: Record<string, ChannelConfig>,
  logger: Logger,
): Map<string, AlertChannel> {
  const channels = new Map<string, AlertChannel>([['log', new LogChannel(logger)]]);
  for (const [name, config] of Object.entries(configs)) {
    channels.set(name, createChannel(name, config, logger));
  }
  return channels;
}

function createChannel(name: string, config: ChannelConfig, logger: Logger): AlertChannel {
  switch (config.type) {
    case 'log':
      return new LogChannel(logger, name);
    case 'console':
      return new ConsoleChannel(name);
    case 'email':
      return new EmailChannel({ name, smtpUrl: config.smtpUrl, from: config.from, to: config.to });
    case 'slack':
      return new SlackChannel(name, config.webhookUrl);
    case 'webhook':
      return new WebhookChannel(name, config.url, config.secret);
  }
}
