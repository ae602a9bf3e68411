// Runs the image check outside jest: `pnpm --filter @foreman/infra check-images [--fresh-caches] [app ...]`.
// Uses the test Redis and PostgreSQL (TEST_REDIS_URL, TEST_DATABASE_URL) with a fresh prefix and schema.
// --fresh-caches builds each app with an empty HOME, pnpm store and metadata cache (a new machine).
import { createTestRedis } from '@foreman/core/testing';
import { createTestDatabase } from '@foreman/db/testing';
import { APPS } from '../apps.js';
import { checkAppImages } from '../image-check/check-app-image.js';
import { testServicesOptions } from '../image-check/test-services-options.js';

const args = process.argv.slice(2);
const freshCaches = args.includes('--fresh-caches');
const wanted = args.filter((arg) => arg !== '--fresh-caches');
const specs = wanted.length > 0 ? APPS.filter((spec) => wanted.includes(spec.name)) : APPS;
const unknown = wanted.filter((name) => !APPS.some((spec) => spec.name === name));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown app(s): ${unknown.join(', ')}; apps: ${APPS.map((spec) => spec.name).join(', ')}\n`,
  );
  process.exit(2);
}
const redis = await createTestRedis('images');
const database = await createTestDatabase('images');
let failed = false;
try {
  const reports = await checkAppImages(specs, {
    ...testServicesOptions(redis, database),
    ...(freshCaches ? { freshCachesFor: specs.map((spec) => spec.name) } : {}),
  });
  for (const report of reports) {
    const problems = [
      ...report.pruned.otherApps.map((path) => `pruned tree holds ${path}`),
      ...report.deployed.otherApps.map((path) => `deployed tree holds ${path}`),
      ...report.deployed.devPackages.map((name) => `deployed tree holds dev package ${name}`),
      ...(report.run.healthcheckExitCode === 0 ? [] : ['healthcheck failed']),
      ...(report.run.readyStatus === 200 ? [] : [`/ready answered ${report.run.readyStatus}`]),
      ...Object.entries(report.run.servedFiles)
        .filter(([, status]) => status !== 200)
        .map(([path, status]) => `${path} answered ${status}`),
      ...(report.run.stopExitCode === 0 ? [] : [`exit code ${report.run.stopExitCode} after SIGTERM`]),
    ];
    failed ||= problems.length > 0;
    process.stdout.write(
      `${report.app.padEnd(20)} ${problems.length ? `FAIL ${problems.join('; ')}` : 'ok'}  files=${report.deployed.files}${report.freshHomeFiles === undefined ? '' : ` fresh-home-files=${report.freshHomeFiles}`} ${JSON.stringify(report.timingsMs)}\n`,
    );
  }
} finally {
  await redis.cleanup();
  await database.drop();
}
process.exit(failed ? 1 : 0);
