import { APP_ENV_SCHEMAS } from './app-env-schemas.js';
import type { DeployedEnv } from './env-value.js';

/** Hosts that mean "this machine": right for ./scripts/start, wrong inside a container. */
const LOOPBACK = /127\.0\.0\.1|localhost|::1/;

/**
 * What is wrong with the environment a deployment gives `app`: variables its schema requires, or
 * whose default points at loopback, that are not set; values its schema rejects; no DATABASE_URL
 * (replicas would each get an embedded database of their own).
 */
export function checkAppEnv(app: string, env: DeployedEnv): string[] {
  const schema = APP_ENV_SCHEMAS[app];
  if (!schema) return [`${app}: no env schema known for this app`];
  const problems: string[] = [];
  const literal: Record<string, string> = {};
  for (const [name, setting] of Object.entries(env)) if ('value' in setting) literal[name] = setting.value;

  for (const [name, field] of Object.entries(schema.shape)) {
    const unset = field.safeParse(undefined);
    const set = name in env && ('fromOperator' in env[name]! || env[name]!.value !== '');
    if (!unset.success && !set) problems.push(`${app}: ${name} is required and not set`);
    if (unset.success && typeof unset.data === 'string' && LOOPBACK.test(unset.data) && !set)
      problems.push(`${app}: ${name} defaults to ${unset.data}, which is not reachable from a container`);
  }
  if (
    'DATABASE_URL' in schema.shape &&
    !(env.DATABASE_URL && ('fromOperator' in env.DATABASE_URL || env.DATABASE_URL.value))
  )
    problems.push(`${app}: DATABASE_URL is not set (each replica would get its own embedded database)`);

  const parsed = schema.safeParse(
    Object.fromEntries(Object.entries(literal).filter(([, value]) => value !== '')),
  );
  if (!parsed.success)
    for (const issue of parsed.error.issues)
      problems.push(`${app}: ${issue.path.join('.')}: ${issue.message}`);
  return problems;
}
