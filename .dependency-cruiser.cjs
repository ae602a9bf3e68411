// The layering check (`pnpm lint:layers`, run by scripts/test): apps and packages reach each
// other only through package.json `exports`, and a low layer never imports a high one.
// Bottom to top: base packages, core, packages built on core, apps, then examples/e2e/bench.
const BASE = 'ai-client|api-client|config|db|files|logger|mail|net|tracing';
const ON_CORE = 'alerting|cli|contracts|imap|metrics|react|schedules|workflows';
const TOP = 'apps|examples|e2e|bench';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-deep-import',
      comment:
        'A workspace package is imported by its name and an entry of its package.json `exports`, never by a relative path into it.',
      severity: 'error',
      from: { path: '^((?:apps|packages|examples)/[^/]+|e2e|bench)/' },
      to: { dependencyTypes: ['local'], path: '^(apps|packages|examples|e2e|bench)/', pathNot: '^$1/' },
    },
    {
      name: 'no-unresolvable-foreman',
      comment:
        'A @foreman import that resolves through no `exports` entry is a deep import; one of a package not in package.json is an undeclared dependency.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, path: '^@foreman/' },
    },
    {
      name: 'packages-not-to-top',
      comment: 'Packages are libraries: they never import apps, examples, e2e or bench.',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: `^(${TOP})/` },
    },
    {
      name: 'apps-not-to-apps',
      comment: 'An app shares code with another only through a package.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'base-not-up',
      comment: 'Base packages sit below core: they never import core or what is built on it.',
      severity: 'error',
      from: { path: `^packages/(${BASE})/` },
      to: { path: `^packages/(core|${ON_CORE})/` },
    },
    {
      name: 'core-not-up',
      comment: 'Core imports only base packages, never what is built on it.',
      severity: 'error',
      from: { path: '^packages/core/' },
      to: { path: `^packages/(${ON_CORE})/` },
    },
    {
      name: 'task-files-narrow',
      comment:
        "A worker app's task files import core as task authors and producers do (`@foreman/core/task`, `/producer`), never the whole core.",
      severity: 'error',
      from: { path: '^apps/[^/]+/src/tasks/' },
      to: { path: '^packages/core/src/index\\.ts$' },
    },
    {
      name: 'worker-mains-narrow',
      comment: "A worker app's main starts the runtime through `@foreman/core/worker`.",
      severity: 'error',
      from: { path: '^apps/[^/]+-worker/src/main\\.ts$' },
      to: { path: '^packages/core/src/index\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules|coverage)/' },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['development', 'types', 'import', 'default'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
