import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { type DeployedEnv, known } from './env-value.js';

export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; labels?: Record<string, string> };
  readonly spec?: Record<string, unknown>;
  readonly data?: Record<string, string>;
  readonly stringData?: Record<string, string>;
}

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly command?: string[];
  readonly ports?: Array<{ name?: string; containerPort: number }>;
  readonly env?: Array<{ name: string; value?: string }>;
  readonly envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  readonly startupProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export interface Probe {
  readonly httpGet?: { path: string; port: string | number };
  readonly timeoutSeconds?: number;
}

export interface PodSpec {
  readonly containers: Container[];
  readonly terminationGracePeriodSeconds?: number;
  readonly securityContext?: { runAsNonRoot?: boolean };
}

export interface Kustomization {
  readonly resources: string[];
  readonly images?: Array<{ name: string; newName?: string; newTag?: string }>;
}

/** A kustomization and every object of its resources, in order. */
export function readKustomization(path: string): Kustomization & { objects: K8sObject[] } {
  const kustomization = parseAllDocuments(readFileSync(path, 'utf8'))[0]!.toJS() as Kustomization;
  const objects = kustomization.resources.flatMap((resource) =>
    parseAllDocuments(readFileSync(join(dirname(path), resource), 'utf8')).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${resource}: ${doc.errors[0]!.message}`);
      return doc.toJS() as K8sObject;
    }),
  );
  return { ...kustomization, objects };
}

export function podSpec(workload: K8sObject): PodSpec {
  return (workload.spec as { template: { spec: PodSpec } }).template.spec;
}

/** A container's environment: envFrom ConfigMaps and Secrets (their placeholders count as set), then env. */
export function containerEnv(container: Container, objects: readonly K8sObject[]): DeployedEnv {
  const env: DeployedEnv = {};
  const find = (kind: string, name: string) => {
    const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
    if (!found) throw new Error(`${container.name}: ${kind} ${name} is not among the resources`);
    return found;
  };
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef)
      for (const [name, value] of Object.entries(find('ConfigMap', source.configMapRef.name).data ?? {}))
        env[name] = known(value);
    if (source.secretRef) {
      const secret = find('Secret', source.secretRef.name);
      for (const [name, value] of Object.entries(secret.stringData ?? {})) env[name] = known(value);
      for (const name of Object.keys(secret.data ?? {})) env[name] = { fromOperator: name };
    }
  }
  for (const variable of container.env ?? []) env[variable.name] = known(variable.value ?? '');
  return env;
}
