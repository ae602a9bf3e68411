import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
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
 * One of this folder's worker entries as plain JavaScript (built once per run), so the measured
 * process is Node running our code, without a TypeScript loader's memory and threads. Modules it
 * imports with `await import()` become chunks of their own, loaded only if that import runs: as in
 * the deployed apps (unbundled), code a process never imports is not in its memory.
 */
export function bundledWorker(entry: string): Promise<string> {
  let bundle = bundles.get(entry);
  if (!bundle) {
    bundle = (async () => {
      outDir ??= mkdtemp(join(tmpdir(), 'foreman-bench-workers-'));
      const entryDir = join(await outDir, entry.replace(/\.ts$/, ''));
      await build({
        entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
        outdir: entryDir,
        outExtension: { '.js': '.mjs' },
        bundle: true,
        splitting: true,
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
      return join(entryDir, basename(entry).replace(/\.ts$/, '.mjs'));
    })();
    bundles.set(entry, bundle);
  }
  return bundle;
}
