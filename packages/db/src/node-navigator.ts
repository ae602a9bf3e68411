/**
 * Imported first (a bare import) by every module that imports pg. When loaded, pg asks whether it
 * runs on Cloudflare Workers: without a `navigator` global, as on Node 20, it constructs a
 * `Response`, which loads Node's whole fetch implementation (undici): about 12 MB more RSS in
 * every process on PostgreSQL, whether it fetches or not. Node 21+ defines `navigator` (user agent
 * `Node.js/<major>`); older Node gets one like it while the modules load, removed right after.
 */
const scope = globalThis as { navigator?: unknown };
if (scope.navigator === undefined) {
  const navigator = { userAgent: `Node.js/${process.versions.node.split('.')[0]}` };
  Object.defineProperty(scope, 'navigator', { value: navigator, configurable: true, writable: true });
  setImmediate(() => {
    if (scope.navigator === navigator) delete scope.navigator;
  });
}
