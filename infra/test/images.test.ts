import { createTestRedis, type TestRedis } from '@foreman/core/testing';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { APPS, appDirectories } from '../src/apps.js';
import { checkAppImages, type ImageCheckReport } from '../src/image-check/check-app-image.js';
import { testServicesOptions } from '../src/image-check/test-services-options.js';

// What each app's image holds, proved without a container engine: the Dockerfile's steps run in a
// temporary directory per app and the app starts from the deployed tree alone.
describe('app images (prune -> install -> build -> deploy --prod -> start)', () => {
  let redis: TestRedis;
  let database: TestDatabase;
  let reports: ImageCheckReport[];

  beforeAll(async () => {
    redis = await createTestRedis('images');
    database = await createTestDatabase('images');
    reports = await checkAppImages(APPS, testServicesOptions(redis, database));
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
    '%s: starts from its deployed tree, answers /health, passes the image healthcheck, stops on SIGTERM',
    (app) => {
      const { run } = reports.find((candidate) => candidate.app === app)!;
      expect(run.health).toMatchObject({ status: 'ok' });
      expect(run.healthcheckExitCode).toBe(0);
      expect(run.stopExitCode).toBe(0);
    },
  );
});
