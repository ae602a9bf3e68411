import { readFile } from 'node:fs/promises';
import { DEPLOYED_NODE_FLAGS } from '../src/index.js';

const dockerfile = new URL('../../infra/docker/Dockerfile', import.meta.url);

describe('our worker in the bench', () => {
  it('runs with the Node flags of the apps image', async () => {
    const cmd = (await readFile(dockerfile, 'utf8')).split('\n').find((line) => line.startsWith('CMD '));
    expect(JSON.parse(cmd?.slice('CMD '.length) ?? 'null')).toEqual([
      'node',
      ...DEPLOYED_NODE_FLAGS,
      'dist/main.js',
    ]);
  });
});
