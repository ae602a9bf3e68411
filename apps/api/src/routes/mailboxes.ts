import {
  closeImapSession,
  type MailboxAccess,
  MailboxError,
  type MailboxErrorCode,
  type MailboxView,
  openImapSession,
} from '@foreman/imap';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ApiEnv } from '../http/api-env.js';
import { ApiError } from '../http/api-error.js';
import type { ExposedMailboxErrorCode } from '../http/error-status.js';
import { validationHook } from '../http/validation-hook.js';
import { commonErrors, conflict, errorContent, notFound } from '../schemas/error.js';
import { jsonResponse } from '../schemas/json-response.js';
import { TaskService } from '../services/task-service.js';

const tags = ['mailboxes'];
const folder = z.string().min(1).max(1_000);

const mailboxSchema = z
  .object({
    id: z.string(),
    userId: z.string(),
    host: z.string(),
    port: z.number(),
    tls: z.boolean(),
    username: z.string(),
    authKind: z.enum(['password', 'oauth']),
    tokenEndpoint: z.string().nullable(),
    tokenExpiresAt: z.string().nullable(),
    needsReconsent: z.boolean().openapi({ description: 'Its OAuth grant is gone: connect it again' }),
    folders: z.array(z.string()),
    retentionDays: z.number().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Mailbox', { description: 'A connected mailbox; its credentials are never returned' });

const connectBody = z
  .object({
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65_535).default(993),
    tls: z.boolean().default(true).openapi({ description: 'Implicit TLS; false: STARTTLS when offered' }),
    username: z.string().min(1).max(320),
    password: z.string().min(1).max(1_000).optional(),
    oauth: z
      .object({
        accessToken: z.string().min(1).max(10_000),
        refreshToken: z.string().min(1).max(10_000).optional(),
        /** Seconds the access token is valid for, as the provider said. */
        expiresIn: z.number().int().positive().max(31_536_000).optional(),
        tokenEndpoint: z.url({ protocol: /^https?$/ }).optional(),
        clientId: z.string().min(1).max(1_000).optional(),
        clientSecret: z.string().min(1).max(1_000).optional(),
      })
      .strict()
      .optional(),
    folders: z.array(folder).min(1).max(50).default(['INBOX']),
    retentionDays: z.number().int().positive().max(36_500).optional(),
  })
  .strict()
  .refine((body) => (body.password === undefined) !== (body.oauth === undefined), {
    message: 'give either password or oauth',
  })
  .openapi('MailboxConnect', {
    description: 'An IMAP account with a password, or with OAuth tokens (XOAUTH2); the login is tried first',
  });

const idParams = z.object({ id: z.uuid() });
const userQuery = z
  .object({
    userId: z.string().min(1).max(200).optional().openapi({ description: 'Admin keys only: that user’s' }),
  })
  .strict();

const EXPOSED = new Set<MailboxErrorCode>([
  'MAILBOX_AUTH_FAILED',
  'MAILBOX_EXISTS',
  'MAILBOX_HOST_NOT_ALLOWED',
  'MAILBOX_KEY_MISSING',
  'MAILBOX_NOT_FOUND',
  'MAILBOX_UNREACHABLE',
] satisfies ExposedMailboxErrorCode[]);

const isExposed = (code: MailboxErrorCode): code is ExposedMailboxErrorCode => EXPOSED.has(code);

/** A mailbox failure as the api's error; key and secret failures are the server's, never detailed. */
function apiError(error: unknown): unknown {
  if (!(error instanceof MailboxError) || !isExposed(error.code)) return error;
  return new ApiError(error.code, error.message);
}

const toJson = (view: MailboxView) => ({
  ...view,
  tokenExpiresAt: view.tokenExpiresAt?.toISOString() ?? null,
  createdAt: view.createdAt.toISOString(),
});

const errors = {
  404: notFound,
  409: conflict,
  422: errorContent('MAILBOX_AUTH_FAILED: the server refused the login'),
  502: errorContent('MAILBOX_UNREACHABLE: the server could not be reached'),
  503: errorContent('MAILBOX_KEY_MISSING: MAILBOX_SECRET_KEY is not set'),
  ...commonErrors,
};

const scope = (c: Context<ApiEnv>, requested?: string) => TaskService.scope(c.get('identity'), requested);

/**
 * Mailboxes of the key's user (admin keys: every user's, or `?userId=`'s). Connecting one logs in
 * first, so only working credentials are stored, sealed; no answer ever carries them.
 */
export function mailboxRoutes({ access }: { access: MailboxAccess }) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags,
      summary: 'Connected mailboxes, without credentials',
      request: { query: userQuery },
      responses: {
        200: jsonResponse(z.object({ mailboxes: z.array(mailboxSchema) }), 'Mailboxes'),
        ...errors,
      },
    }),
    async (c) => {
      const views = await access.store.list(scope(c, c.req.valid('query').userId));
      return c.json({ mailboxes: views.map(toJson) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags,
      summary: 'Connect an IMAP mailbox of the key’s user (admin keys: `?userId=` for another)',
      request: {
        query: userQuery,
        body: { content: { 'application/json': { schema: connectBody } }, required: true },
      },
      responses: { 201: jsonResponse(mailboxSchema, 'Connected'), ...errors },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const userId = scope(c, c.req.valid('query').userId) ?? c.get('identity').userId;
      const credentials = body.oauth
        ? {
            kind: 'oauth' as const,
            accessToken: body.oauth.accessToken,
            refreshToken: body.oauth.refreshToken,
            clientId: body.oauth.clientId,
            clientSecret: body.oauth.clientSecret,
          }
        : { kind: 'password' as const, password: body.password as string };
      try {
        if (!access.secrets) throw new MailboxError('MAILBOX_KEY_MISSING', 'MAILBOX_SECRET_KEY is not set');
        const session = await openImapSession(body, credentials, access.hosts);
        await closeImapSession(session);
        const view = await access.store.create({
          userId,
          host: body.host,
          port: body.port,
          tls: body.tls,
          username: body.username,
          credentials,
          tokenEndpoint: body.oauth?.tokenEndpoint,
          tokenExpiresAt: body.oauth?.expiresIn
            ? new Date(Date.now() + body.oauth.expiresIn * 1_000)
            : undefined,
          folders: body.folders,
          retentionDays: body.retentionDays,
        });
        return c.json(toJson(view), 201);
      } catch (error) {
        throw apiError(error);
      }
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{id}',
      tags,
      summary: 'Remove a mailbox with its synced messages (nothing changes on the server)',
      request: { params: idParams },
      responses: { 204: { description: 'Removed' }, ...errors },
    }),
    async (c) => {
      try {
        await access.store.remove(c.req.valid('param').id, scope(c));
      } catch (error) {
        throw apiError(error);
      }
      return c.body(null, 204);
    },
  );
  return app;
}
