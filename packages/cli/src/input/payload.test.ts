import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { readPayload } from './payload.js';

describe('readPayload', () => {
  const noStdin = () => Promise.reject(new Error('stdin not expected'));

  it('takes inline JSON, @file and standard input; nothing means {}', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'payload-'));
    await writeFile(join(dir, 'p.json'), '{"path":"a.txt"}');
    expect(await readPayload(undefined, noStdin)).toEqual({});
    expect(await readPayload('{"a":1}', noStdin)).toEqual({ a: 1 });
    expect(await readPayload(`@${join(dir, 'p.json')}`, noStdin)).toEqual({ path: 'a.txt' });
    expect(await readPayload('-', async () => '{"b":[2]}')).toEqual({ b: [2] });
  });

  it('refuses what is not a JSON object, naming where it came from', async () => {
    await expect(readPayload('{oops', noStdin)).rejects.toThrow('The payload in --payload is not JSON');
    await expect(readPayload('[1,2]', noStdin)).rejects.toThrow('must be a JSON object');
    await expect(readPayload('null', noStdin)).rejects.toThrow(UsageError);
    await expect(readPayload('@/no/such/file.json', noStdin)).rejects.toThrow(
      'Cannot read the payload file /no/such/file.json',
    );
  });
});
