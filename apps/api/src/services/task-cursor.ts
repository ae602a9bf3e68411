import { ApiError } from '../http/api-error.js';

/** Keyset position in the newest-first task list: the last row's creation time and id. */
export interface TaskCursor {
  createdAt: Date;
  id: string;
}

export const encodeCursor = ({ createdAt, id }: TaskCursor): string =>
  Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');

export function decodeCursor(cursor: string): TaskCursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const date = new Date(String(createdAt));
    if (typeof id === 'string' && typeof createdAt === 'string' && !Number.isNaN(date.getTime())) {
      return { createdAt: date, id };
    }
  } catch {
    // falls through to the error below
  }
  throw new ApiError('CURSOR_INVALID', 'cursor is not one this api issued');
}
