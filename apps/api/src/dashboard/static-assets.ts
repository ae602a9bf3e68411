import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StaticAsset {
  readonly body: Uint8Array;
  readonly contentType: string;
  readonly etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** The dashboard's own files: src/dashboard/public, copied beside the compiled code by the build. */
export const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/** Files of packages the browser loads as they ship (the chart library). */
const VENDOR: Record<string, { pkg: string; file: string }> = {
  'vendor/uPlot.esm.js': { pkg: 'uplot', file: 'dist/uPlot.esm.js' },
  'vendor/uPlot.min.css': { pkg: 'uplot', file: 'dist/uPlot.min.css' },
};

/**
 * Every file the dashboard serves, read once into memory by its path below the public directory
 * (`app.js`, `panels/queues.js`, `vendor/uPlot.esm.js`). A request can only ever get one of
 * these, so no path from a URL ever reaches the file system.
 */
export function loadDashboardAssets(dir = PUBLIC_DIR): ReadonlyMap<string, StaticAsset> {
  const assets = new Map<string, StaticAsset>();
  const add = (name: string, path: string) => {
    const type = CONTENT_TYPES[extname(path)];
    if (!type) return;
    const body = readFileSync(path);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(name, { body: new Uint8Array(body), contentType: type, etag });
  };
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    add(relative(dir, path).split(sep).join('/'), path);
  }
  const require = createRequire(import.meta.url);
  for (const [name, { pkg, file }] of Object.entries(VENDOR)) {
    add(name, join(dirname(require.resolve(`${pkg}/package.json`)), file));
  }
  return assets;
}
