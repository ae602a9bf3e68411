import { ApiError } from '../http/api-error.js';
import { decodeCursor, encodeCursor } from './task-cursor.js';

describe('task cursor', () => {
  it('round-trips a position', () => {
    const position = { createdAt: new Date('2026-01-02T03:04:05.678Z'), id: 'abc' };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each([
    '%%%',
    Buffer.from('[1,2]').toString('base64url'),
    Buffer.from('["nope","x"]').toString('base64url'),
  ])('rejects %s with CURSOR_INVALID', (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(ApiError);
    expect(() => decodeCursor(cursor)).toThrow('cursor is not one this api issued');
  });
});
