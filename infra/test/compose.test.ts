import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APPS, appDirectories, repoRoot } from '../src/apps.js';
import { checkAppEnv } from '../src/validate/check-app-env.js';
import { mergeCompose, readCompose, readEnvFile, serviceEnv } from '../src/validate/compose.js';

const dir = join(repoRoot, 'infra/compose');
const production = readCompose(join(dir, 'docker-compose.yml'));
const development = mergeCompose(production, readCompose(join(dir, 'docker-compose.dev.yml')));
const devVars = readEnvFile(join(dir, 'dev.env'));
const appServices = (file: typeof production) =>
  Object.entries(file.services).filter(([, service]) => service.build?.args?.APP !== undefined);

describe('docker compose (infra/compose)', () => {
  it('has one service per app, named after it, and every app it builds exists under apps/', () => {
    const apps = appDirectories();
    for (const [, service] of appServices(production)) expect(apps).toContain(service.build!.args!.APP);
    const services = Object.keys(production.services);
    for (const app of apps) expect(services).toContain(app);
    for (const app of apps) expect(production.services[app]!.build!.args!.APP).toBe(app);
  });

  it('builds every image from the one Dockerfile, image name and health port matching the app', () => {
    for (const [name, service] of appServices(production)) {
      const app = service.build!.args!.APP!;
      const spec = APPS.find((candidate) => candidate.name === app)!;
      expect(service.build!.dockerfile).toBe('infra/docker/Dockerfile');
      expect(existsSync(join(dir, service.build!.context, service.build!.dockerfile))).toBe(true);
      expect(service.image).toMatch(new RegExp(`/${app}:`));
      if (name === 'migrate') continue;
      expect(service.build!.args!.HEALTH_PORT).toBe(String(spec.defaultPort));
      expect(service.environment?.[spec.portVariable]).toBe(String(spec.defaultPort));
    }
  });

  it.each([
    ['production', production, {}],
    ['development', development, devVars],
  ] as const)(
    'sets every variable each app requires, with values its schema accepts (%s)',
    (_label, file, vars) => {
      const problems = appServices(file).flatMap(([, service]) =>
        checkAppEnv(service.build!.args!.APP!, serviceEnv(service, vars)),
      );
      expect(problems).toEqual([]);
    },
  );

  it('development settings leave nothing for the operator to fill in', () => {
    for (const [, service] of appServices(development))
      for (const value of Object.values(serviceEnv(service, devVars))) expect(value).toHaveProperty('value');
  });

  it('runs workers at their seed concurrency with resource limits, health checks, restarts and a graceful stop', () => {
    for (const spec of APPS) {
      const service = production.services[spec.name]!;
      expect(service.healthcheck?.test).toEqual(['CMD', 'node', 'healthcheck.mjs']);
      expect(service.restart).toBe('unless-stopped');
      expect(service.stop_signal).toBe('SIGTERM');
      expect(Number.parseInt(service.stop_grace_period!, 10)).toBeGreaterThan(30);
      expect(service.deploy?.resources?.limits?.memory).toBeDefined();
      expect(service.deploy?.resources?.limits?.cpus).toBeDefined();
      if (spec.concurrency) expect(service.environment?.WORKER_CONCURRENCY).toBe(String(spec.concurrency));
    }
  });

  it('seed concurrencies and health ports are those of the apps themselves', () => {
    for (const spec of APPS.filter((candidate) => candidate.concurrency)) {
      const main = readFileSync(join(repoRoot, 'apps', spec.name, 'src/main.ts'), 'utf8');
      expect(main).toContain(`concurrency: ${spec.concurrency}, healthPort: ${spec.defaultPort}`);
    }
  });

  it('migrates once before the apps start, with Redis on AOF and PostgreSQL healthy first', () => {
    expect(production.services.migrate!.command).toEqual(['node', 'dist/migrate.js']);
    for (const spec of APPS)
      expect(production.services[spec.name]!.depends_on).toMatchObject({
        migrate: { condition: 'service_completed_successfully' },
        redis: { condition: 'service_healthy' },
        postgres: { condition: 'service_healthy' },
      });
    expect(production.services.redis!.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    expect(production.services.redis!.healthcheck).toBeDefined();
    expect(production.services.postgres!.healthcheck).toBeDefined();
  });

  it('uses a hash-tagged queue prefix, so each queue keeps its keys in one Redis Cluster slot', () => {
    for (const spec of APPS)
      expect(serviceEnv(production.services[spec.name]!).QUEUE_PREFIX).toEqual({ value: '{foreman}' });
  });

  it('runs Prometheus on infra/prometheus and Grafana with the provisioned dashboards of infra/grafana', () => {
    expect(production.services.prometheus!.volumes).toContain(
      '../prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
    );
    expect(production.services.grafana!.volumes).toEqual(
      expect.arrayContaining([
        '../grafana/provisioning:/etc/grafana/provisioning:ro',
        '../grafana/dashboards:/var/lib/grafana/dashboards:ro',
      ]),
    );
  });

  it('mounts files that exist, and Prometheus scrapes each app by its service name and port', () => {
    for (const service of Object.values(production.services))
      for (const volume of service.volumes ?? [])
        if (volume.startsWith('.')) expect(existsSync(join(dir, volume.split(':')[0]!))).toBe(true);
    const prometheus = readFileSync(join(repoRoot, 'infra/prometheus/prometheus.yml'), 'utf8');
    for (const spec of APPS) expect(prometheus).toContain(`${spec.name}:${spec.defaultPort}`);
  });

  it('names every variable the operator must supply in .env.example', () => {
    const example = readEnvFile(join(dir, '.env.example'));
    const needed = new Set<string>();
    for (const service of Object.values(production.services))
      for (const value of Object.values(serviceEnv(service)))
        if ('fromOperator' in value) needed.add(value.fromOperator);
    expect([...needed]).toEqual(expect.arrayContaining(['POSTGRES_PASSWORD', 'SMTP_URL', 'AI_BASE_URL']));
    for (const name of needed) expect(Object.keys(example)).toContain(name);
    for (const name of needed) expect(Object.keys(devVars)).toContain(name);
  });
});
