import { Hono } from 'hono';
import type { ApiEnv } from '../../http/api-env.js';
import type { ApiError } from '../../http/api-error.js';
import { requireAdmin } from './index.js';

describe('requireAdmin', () => {
  const appAs = (admin: boolean) =>
    new Hono<ApiEnv>()
      .use('*', async (c, next) => {
        c.set('identity', { id: 'k', userId: 'u', admin });
        await next();
      })
      .use('*', requireAdmin())
      .get('/', (c) => c.text('ok'))
      .onError((error, c) => c.json((error as ApiError).toBody(), (error as ApiError).status));

  it('lets admin keys through and answers 403 to others', async () => {
    expect((await appAs(true).request('/')).status).toBe(200);
    const denied = await appAs(false).request('/');
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({
      error: { code: 'FORBIDDEN', message: 'This needs an admin api key' },
    });
  });
});
