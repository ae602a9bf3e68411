import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { file } from '@foreman/contracts';
import { implementTask, NonRetryableError } from '@foreman/core/task';
import { PathOutsideRootsError, resolveInsideRoots } from '@foreman/files';

export function checksumFileTask({ roots }: { roots: readonly string[] }) {
  return implementTask(file.checksumFile, async ({ path }, context) => {
    let real: string;
    try {
      real = await resolveInsideRoots(path, roots);
    } catch (error) {
      if (error instanceof PathOutsideRootsError) throw new NonRetryableError(error.message);
      throw error;
    }
    const info = await stat(real);
    if (!info.isFile()) throw new NonRetryableError(`"${path}" is not a regular file`);
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
