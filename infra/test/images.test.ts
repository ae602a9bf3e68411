import { createTestRedis, type TestRedis } from '@foreman/core/testing';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { APPS, appDirectories } from '../src/apps.js';
import { checkAppImages, type ImageCheckReport } from '../src/image-check/check-app-image.js';
import { testServicesOptions } from '../src/image-check/test-services-options.js';

// What each app's image holds, proved without a container engine: the Dockerfile's steps run in a
// temporary directory per app and the app starts from the deployed tree alone. One app is built as
// on a brand-new machine (empty HOME, pnpm store and metadata cache), so the steps cannot lean on
// what this machine happens to have cached.
const FRESH_APP = 'beat';

describe('app images (prune -> install -> build -> deploy --prod -> start)', () => {
  let redis: TestRedis;
  let database: TestDatabase;
  let reports: ImageCheckReport[];

  beforeAll(async () => {
    redis = await createTestRedis('images');
    database = await createTestDatabase('images');
    reports = await checkAppImages(APPS, {
      ...testServicesOptions(redis, database),
      freshCachesFor: [FRESH_APP],
    });
    process.stdout.write(
      `${reports.map((report) => `${report.app.padEnd(20)} ${JSON.stringify(report.timingsMs)} files=${report.deployed.files}`).join('\n')}\n`,
    );
  }, 900_000);
  afterAll(async () => {
    await redis?.cleanup();
    await database?.drop();
  });

  it('covers every app under apps/', () => {
    expect(APPS.map((app) => app.name).sort()).toEqual(appDirectories());
  });

  it(`${FRESH_APP}: builds with an empty HOME, pnpm store and metadata cache, from the registry`, () => {
    const report = reports.find((candidate) => candidate.app === FRESH_APP)!;
    // The packages landed in the empty HOME's own store: the machine's store was not used.
    expect(report.freshHomeFiles).toBeGreaterThan(1_000);
    expect(report.run.readyStatus).toBe(200);
    expect(reports.filter((candidate) => candidate.freshHomeFiles !== undefined)).toHaveLength(1);
  });

  it.each(APPS.map((app) => app.name))('%s: the pruned and deployed trees hold no other app', (app) => {
    const report = reports.find((candidate) => candidate.app === app)!;
    expect(report.pruned.otherApps).toEqual([]);
    expect(report.deployed.otherApps).toEqual([]);
    expect(report.pruned.files).toBeGreaterThan(0);
  });

  it.each(APPS.map((app) => app.name))('%s: the deployed tree has production dependencies only', (app) => {
    expect(reports.find((candidate) => candidate.app === app)!.deployed.devPackages).toEqual([]);
  });

  it.each(APPS.filter((app) => app.servedFiles).map((app) => app.name))(
    '%s: serves the files its build copies beside the code from the deployed tree',
    (app) => {
      const spec = APPS.find((candidate) => candidate.name === app)!;
      const { run } = reports.find((candidate) => candidate.app === app)!;
      expect(run.servedFiles).toEqual(Object.fromEntries(spec.servedFiles!.map((path) => [path, 200])));
    },
  );

  it.each(APPS.map((app) => app.name))(
    '%s: starts from its deployed tree, answers /health and /ready, passes the image healthcheck, stops on SIGTERM',
    (app) => {
      const { run } = reports.find((candidate) => candidate.app === app)!;
      expect(run.health).toMatchObject({ status: 'ok' });
      expect(run.readyStatus).toBe(200);
      expect(run.healthcheckExitCode).toBe(0);
      expect(run.stopExitCode).toBe(0);
    },
  );
});
