import { z } from 'zod';

/** How a channel is configured in the rules file. */
export const channelConfigSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('log') }),
  z.object({ type: z.literal('console') }),
  z.object({
    type: z.literal('email'),
    smtpUrl: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://'),
    from: z.string().min(3),
    to: z.array(z.string().min(3)).min(1),
  }),
  z.object({ type: z.literal('slack'), webhookUrl: z.url() }),
  z.object({
    type: z.literal('webhook'),
    url: z.url(),
    /** Key of the HMAC-SHA256 signature the receiver checks. */
    secret: z.string().min(16, 'use at least 16 characters'),
  }),
]);

export type ChannelConfig = z.output<typeof channelConfigSchema>;
