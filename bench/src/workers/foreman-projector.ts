// The process that stores our task records in a deployment where task workers do not project
// (beat and maintenance-worker play it): a runtime that projects and does nothing else. The bench
// reads its CPU by its bundled entry's name (PROJECTOR_ENTRY).
import { baseEnvSchema, loadConfig } from '@foreman/config';
import { createRuntime, TaskRegistry } from '@foreman/core';
import { ProgressChannel } from './progress-channel.js';

const channel = new ProgressChannel();
const runtime = await createRuntime({
  name: 'bench-projector',
  env: loadConfig(baseEnvSchema, process.env),
  registry: new TaskRegistry(),
  project: true,
});
channel.ready();

process.once('SIGTERM', () => {
  void (async () => {
    await runtime.stop();
    await channel.final({ records: runtime.records.stats });
    process.exit(0);
  })();
});
