import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { type DeployedEnv, type EnvValue, known } from './env-value.js';

export interface ComposeService {
  readonly image?: string;
  readonly build?: { context: string; dockerfile: string; args?: Record<string, string> };
  readonly command?: string[];
  readonly environment?: Record<string, string | number | null>;
  readonly depends_on?: Record<string, { condition: string }>;
  readonly healthcheck?: { test: string[] };
  readonly restart?: string;
  readonly stop_grace_period?: string;
  readonly volumes?: string[];
  readonly deploy?: { replicas?: number; resources?: { limits?: { cpus?: string; memory?: string } } };
  readonly [key: string]: unknown;
}

export interface ComposeFile {
  readonly services: Record<string, ComposeService>;
  readonly volumes?: Record<string, unknown>;
}

/** Parses a compose file as docker compose does for anchors and `<<` merge keys. */
export function readCompose(path: string): ComposeFile {
  return parse(readFileSync(path, 'utf8'), { merge: true }) as ComposeFile;
}

/** KEY=value lines of a compose env file. */
export function readEnvFile(path: string): Record<string, string> {
  const entries = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
  return Object.fromEntries(entries);
}

const INTERPOLATION = /\$\{([A-Z_][A-Z0-9_]*)(?:(:?[-?])([^}]*))?\}/g;

/**
 * Resolves compose interpolation in one value against `vars`: ${VAR}, ${VAR:-default} and
 * ${VAR-default} become text; ${VAR:?message} with VAR absent means the operator must supply it.
 */
export function interpolate(raw: string, vars: Record<string, string>): EnvValue {
  let operator: string | undefined;
  const value = raw.replace(INTERPOLATION, (_match, name: string, kind?: string, rest?: string) => {
    const given = vars[name];
    if (kind?.endsWith('?')) {
      if (given === undefined || (kind === ':?' && given === '')) operator = name;
      return given ?? '';
    }
    if (kind === ':-') return given === undefined || given === '' ? (rest ?? '') : given;
    if (kind === '-') return given ?? rest ?? '';
    return given ?? '';
  });
  return operator ? { fromOperator: operator } : known(value);
}

/** A service's environment with interpolation resolved. */
export function serviceEnv(service: ComposeService, vars: Record<string, string> = {}): DeployedEnv {
  const env: DeployedEnv = {};
  for (const [name, raw] of Object.entries(service.environment ?? {}))
    env[name] = interpolate(raw === null ? '' : String(raw), vars);
  return env;
}

/** Services of several compose files merged the way `docker compose -f a -f b` merges them. */
export function mergeCompose(...files: ComposeFile[]): ComposeFile {
  const services: Record<string, ComposeService> = {};
  for (const file of files) {
    for (const [name, service] of Object.entries(file.services)) {
      const base = services[name] ?? {};
      services[name] = {
        ...base,
        ...service,
        environment: { ...base.environment, ...service.environment },
        depends_on: { ...base.depends_on, ...service.depends_on },
      };
    }
  }
  return { services };
}
