/**
 * A variable as a deployment file sets it: a known value, or one the operator must supply
 * (compose `${VAR:?message}`, a Secret the cluster admin fills in).
 */
export type EnvValue = { readonly value: string } | { readonly fromOperator: string };

export type DeployedEnv = Record<string, EnvValue>;

export const known = (value: string): EnvValue => ({ value });
