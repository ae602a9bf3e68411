import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

/**
 * Modules that find files next to themselves (migrations, scripts) keep their own location: every
 * `import.meta.url` in the bundle is the URL of the source file it came from.
 */
const keepImportMetaUrl: Plugin = {
  name: 'keep-import-meta-url',
  setup(builder) {
    builder.onLoad({ filter: /\.[cm]?[jt]s$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      return {
        contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js',
      };
    });
  },
};

const bundles = new Map<string, Promise<string>>();
let outDir: Promise<string> | undefined;

/**
 * One of this folder's worker entries as a single plain-JavaScript file (built once per run), so
 * the measured process is Node running our code, without a TypeScript loader's memory and threads.
 */
export function bundledWorker(entry: string): Promise<string> {
  let bundle = bundles.get(entry);
  if (!bundle) {
    bundle = (async () => {
      outDir ??= mkdtemp(join(tmpdir(), 'foreman-bench-workers-'));
      const outfile = join(await outDir, entry.replace(/\.ts$/, '.mjs'));
      await build({
        entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        conditions: ['development'],
        // Optional native add-ons their packages fall back from when absent.
        external: ['pg-native', 'msgpackr-extract'],
        banner: {
          js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        },
        plugins: [keepImportMetaUrl],
        logLevel: 'error',
      });
      return outfile;
    })();
    bundles.set(entry, bundle);
  }
  return bundle;
}
