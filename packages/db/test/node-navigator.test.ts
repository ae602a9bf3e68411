import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

// A fresh process: jest's own environment may have loaded Node's fetch already.
describe('importing the database module', () => {
  it("does not load Node's fetch (pg's Cloudflare probe) and leaves no navigator global behind", async () => {
    const script = [
      "await import('./src/index.ts');",
      'await new Promise((resolve) => setImmediate(resolve));',
      "const fetchLoaded = process.moduleLoadList.some((name) => name.includes('undici'));",
      'console.log(JSON.stringify({ fetchLoaded, navigator: typeof globalThis.navigator }));',
    ].join('\n');
    const { stdout } = await run(
      process.execPath,
      ['--conditions=development', '--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: new URL('..', import.meta.url), env: { ...process.env, NODE_OPTIONS: '' } },
    );
    // Node 21+ has a navigator of its own; before it, the one defined for pg is removed.
    const nativeNavigator = Number(process.versions.node.split('.')[0]) >= 21 ? 'object' : 'undefined';
    expect(JSON.parse(stdout)).toEqual({ fetchLoaded: false, navigator: nativeNavigator });
  });
});
