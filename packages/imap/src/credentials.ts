import { z } from 'zod';

/** What a mailbox logs in with; stored only sealed (`SecretBox`). */
export const mailboxCredentialsSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('password'), password: z.string().min(1).max(1_000) }).strict(),
  z
    .object({
      kind: z.literal('oauth'),
      accessToken: z.string().min(1).max(10_000),
      refreshToken: z.string().min(1).max(10_000).optional(),
      /** The OAuth client the tokens were issued to (else the worker's OAUTH_CLIENT_ID). */
      clientId: z.string().min(1).max(1_000).optional(),
      clientSecret: z.string().min(1).max(1_000).optional(),
    })
    .strict(),
]);

export type MailboxCredentials = z.infer<typeof mailboxCredentialsSchema>;
