import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { file } from '@foreman/contracts';
import { implementTask } from '@foreman/core';
import { UnrecoverableError } from 'bullmq';
import { PathOutsideRootsError } from '../paths/path-outside-roots-error.js';
import { resolveInsideRoots } from '../paths/resolve-inside-roots.js';

export function checksumFileTask({ roots }: { roots: readonly string[] }) {
  return implementTask(file.checksumFile, async ({ path }, context) => {
    let real: string;
    try {
      real = await resolveInsideRoots(path, roots);
    } catch (error) {
      if (error instanceof PathOutsideRootsError) throw new UnrecoverableError(error.message);
      throw error;
    }
    const info = await stat(real);
    if (!info.isFile()) throw new UnrecoverableError(`"${path}" is not a regular file`);
    const hash = createHash('sha256');
    let read = 0;
    for await (const chunk of createReadStream(real, { signal: context.signal })) {
      hash.update(chunk as Buffer);
      read += (chunk as Buffer).length;
      if (info.size > 0) await context.progress((read / info.size) * 100);
    }
    return { path: real, bytes: read, sha256: hash.digest('hex') };
  });
}
