import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { APPS, appDirectories, repoRoot } from '../src/apps.js';
import { checkAppEnv } from '../src/validate/check-app-env.js';
import { containerEnv, type K8sObject, podSpec, readKustomization } from '../src/validate/kubernetes.js';

const dir = join(repoRoot, 'infra/k8s');
const { resources, images, objects } = readKustomization(join(dir, 'kustomization.yaml'));
const of = (kind: string) => objects.filter((object) => object.kind === kind);
const deployment = (name: string) => of('Deployment').find((object) => object.metadata.name === name);
const container = (workload: K8sObject) => podSpec(workload).containers[0]!;

describe('Kubernetes manifests (infra/k8s)', () => {
  it('lists every manifest of the folder in the kustomization', () => {
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
      .map((file) => relative(dir, join(dir, file)));
    expect([...resources].sort()).toEqual(files.sort());
  });

  it('has one Deployment per app under apps/, and nothing for an app that does not exist', () => {
    const names = of('Deployment').map((object) => object.metadata.name);
    expect([...names].sort()).toEqual(appDirectories());
  });

  it('runs each app from its own image with probes on its health port and resources', () => {
    for (const spec of APPS) {
      const workload = deployment(spec.name)!;
      const main = container(workload);
      expect(main.image).toMatch(new RegExp(`^foreman/${spec.name}:`));
      expect(main.ports).toEqual([{ name: 'http', containerPort: spec.defaultPort }]);
      // Liveness asks the process only; readiness its dependencies, within the probe's timeout.
      for (const probe of [main.startupProbe, main.livenessProbe])
        expect(probe?.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(main.readinessProbe?.httpGet).toEqual({ path: '/ready', port: 'http' });
      expect(main.readinessProbe?.timeoutSeconds).toBeGreaterThan(2);
      expect(main.resources?.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      expect(main.resources?.limits).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      expect(podSpec(workload).securityContext?.runAsNonRoot).toBe(true);
      const env = containerEnv(main, objects);
      const port = env[spec.portVariable];
      expect(port).toEqual({ value: String(spec.defaultPort) });
      if (spec.concurrency) {
        expect(env.WORKER_CONCURRENCY).toEqual({ value: String(spec.concurrency) });
        expect(podSpec(workload).terminationGracePeriodSeconds).toBeGreaterThan(30);
      }
    }
  });

  it('gives every app every variable its code requires, with values its schema accepts', () => {
    const problems = APPS.flatMap((spec) =>
      checkAppEnv(spec.name, containerEnv(container(deployment(spec.name)!), objects)),
    );
    expect(problems).toEqual([]);
  });

  it('has a migration Job on the api image', () => {
    const [job] = of('Job');
    const main = container(job!);
    expect(main.image).toMatch(/^foreman\/api:/);
    expect(main.command).toEqual(['node', 'dist/migrate.js']);
    expect(checkAppEnv('api', containerEnv(main, objects))).toEqual([]);
  });

  it('scales each worker on its own queue depth, and nothing else', () => {
    const prefix = of('ConfigMap')[0]!.data!.QUEUE_PREFIX!;
    expect(prefix).toMatch(/^\{[^}]+\}$/);
    const workers = APPS.filter((spec) => spec.queue);
    const scaled = of('ScaledObject');
    expect(
      scaled
        .map((object) => (object.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name)
        .sort(),
    ).toEqual(workers.map((spec) => spec.name).sort());
    for (const spec of workers) {
      const triggers = (
        scaled.find((object) => object.metadata.name === spec.name)!.spec as {
          triggers: Array<{ type: string; metadata: Record<string, string> }>;
        }
      ).triggers;
      expect(triggers.find((trigger) => trigger.type === 'redis')?.metadata.listName).toBe(
        `${prefix}:${spec.queue}:wait`,
      );
      expect(triggers.find((trigger) => trigger.type === 'prometheus')?.metadata.query).toContain(
        `queue="${spec.queue}"`,
      );
    }
  });

  it('has an image entry for every app in the kustomization, to set registry and tag in one place', () => {
    expect(images?.map((image) => image.name).sort()).toEqual(
      APPS.map((spec) => `foreman/${spec.name}`).sort(),
    );
  });
});
