import type { ApiKeyIdentity } from '@foreman/db';
import { errorFor, stackFor } from './error-view.js';

const user = { userId: 'alice', admin: false } as ApiKeyIdentity;
const admin = { userId: 'root', admin: true } as ApiKeyIdentity;

describe('errorFor', () => {
  it('cuts server paths to their last part for users, and leaves URLs alone', () => {
    expect(
      errorFor(user, "ENOENT: no such file or directory, open '/var/lib/foreman/files/alice/a.txt'"),
    ).toBe("ENOENT: no such file or directory, open '…/a.txt'");
    expect(errorFor(user, 'at file:///app/apps/file-worker/dist/main.js and /srv/data')).toBe(
      'at …/main.js and …/data',
    );
    expect(errorFor(user, 'https://example.com/a/b answered 404')).toBe(
      'https://example.com/a/b answered 404',
    );
    expect(errorFor(user, 'took 3/4 of the time')).toBe('took 3/4 of the time');
    expect(errorFor(admin, "open '/var/lib/x'")).toBe("open '/var/lib/x'");
    expect(errorFor(user, null)).toBeNull();
  });

  it('shows stack traces to admins only', () => {
    expect(stackFor(user, 'Error: x\n    at /app/main.js:1:1')).toBeNull();
    expect(stackFor(admin, 'Error: x')).toBe('Error: x');
  });
});
