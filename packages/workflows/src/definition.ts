import { findNul, NUL_MESSAGE, type TaskContract } from '@foreman/core';
import { z } from 'zod';
import { WorkflowDefinitionError } from './errors/workflow-definition-error.js';
import type { When } from './graph/conditions.js';
import { TaskGraph } from './graph/task-graph.js';

/** One task of a workflow. */
export interface WorkflowNodeSpec {
  /** Unique within the workflow; children name it in `dependsOn`, and find its result under it. */
  key: string;
  /** The task's contract or name. */
  task: TaskContract | string;
  /** Checked against the task's contract when the workflow is submitted; `{}` when left out. */
  payload?: unknown;
  dependsOn?: string[];
  /** When the node runs once its parents have settled; `success` by default. */
  when?: When;
  /** Longest the node may take from being enqueued to finishing; it fails after that. */
  timeoutMs?: number;
}

export interface WorkflowDefinition {
  name: string;
  nodes: WorkflowNodeSpec[];
}

const NODE_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/** The definition as JSON (what the api accepts): tasks by name. */
export const workflowDefinitionSchema = z
  .object({
    name: z.string().min(1).max(200),
    nodes: z
      .array(
        z
          .object({
            key: z.string().regex(NODE_KEY, 'letters, digits, "_" and "-", at most 100'),
            task: z.string().min(1),
            payload: z.unknown().optional(),
            dependsOn: z.array(z.string()).optional(),
            when: z
              .union([
                z.enum(['success', 'failure', 'always']),
                z.object({ predicate: z.string().min(1) }).strict(),
              ])
              .optional(),
            timeoutMs: z.number().int().positive().optional(),
          })
          .strict(),
      )
      .min(1)
      .max(1_000),
  })
  .strict();

/** Parses a definition that came as JSON; the error lists every bad field by path. */
export function parseWorkflowDefinition(input: unknown): WorkflowDefinition {
  const parsed = workflowDefinitionSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new WorkflowDefinitionError(
    `Invalid workflow: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(workflow)'}: ${issue.message}`).join('; ')}`,
  );
}

/** Checks keys, dependencies and cycles; the graph it returns holds each node's spec. */
export function buildGraph(definition: WorkflowDefinition): TaskGraph<WorkflowNodeSpec> {
  if (!definition.name) throw new WorkflowDefinitionError('A workflow needs a name');
  // Names, keys, predicates and payloads are stored as given; the database cannot hold U+0000.
  const nul = findNul(definition);
  if (nul !== undefined) throw new WorkflowDefinitionError(`Workflow field ${nul} ${NUL_MESSAGE}`);
  if (definition.nodes.length === 0)
    throw new WorkflowDefinitionError(`Workflow "${definition.name}" has no nodes`);
  const graph = new TaskGraph<WorkflowNodeSpec>();
  for (const node of definition.nodes) {
    if (!NODE_KEY.test(node.key)) {
      throw new WorkflowDefinitionError(
        `Node key "${node.key}" must be letters, digits, "_" and "-", at most 100`,
      );
    }
    if (node.timeoutMs !== undefined && !(Number.isInteger(node.timeoutMs) && node.timeoutMs > 0)) {
      throw new WorkflowDefinitionError(`Node "${node.key}": timeoutMs must be a positive whole number`);
    }
    graph.addNode(node.key, node);
  }
  for (const node of definition.nodes) {
    for (const parent of node.dependsOn ?? []) graph.addDependency(node.key, parent);
  }
  graph.topologicalOrder();
  return graph;
}

type Step = Omit<WorkflowNodeSpec, 'dependsOn'> & { dependsOn?: string[] };

/** Composes a workflow from nodes, chains, groups and chords; `build` validates it. */
export class WorkflowBuilder {
  private readonly nodes: WorkflowNodeSpec[] = [];

  constructor(private readonly name: string) {}

  node(spec: WorkflowNodeSpec): this {
    this.nodes.push({ ...spec, dependsOn: [...(spec.dependsOn ?? [])] });
    return this;
  }

  /** Steps one after another; the first runs after `after`. */
  chain(steps: Step[], { after = [] as string[] } = {}): this {
    let previous = after;
    for (const step of steps) {
      this.node({ ...step, dependsOn: [...(step.dependsOn ?? []), ...previous] });
      previous = [step.key];
    }
    return this;
  }

  /** Steps side by side, all after `after`. */
  group(steps: Step[], { after = [] as string[] } = {}): this {
    for (const step of steps) this.node({ ...step, dependsOn: [...(step.dependsOn ?? []), ...after] });
    return this;
  }

  /** A group, then `callback` once every member of the group has settled (by its condition). */
  chord(header: Step[], callback: Step, { after = [] as string[] } = {}): this {
    this.group(header, { after });
    return this.node({
      ...callback,
      dependsOn: [...(callback.dependsOn ?? []), ...header.map((step) => step.key)],
    });
  }

  build(): WorkflowDefinition {
    const definition = { name: this.name, nodes: this.nodes.map((node) => ({ ...node })) };
    buildGraph(definition);
    return definition;
  }
}

export const workflow = (name: string) => new WorkflowBuilder(name);
export const chain = (name: string, steps: Step[]) => workflow(name).chain(steps).build();
export const group = (name: string, steps: Step[]) => workflow(name).group(steps).build();
export const chord = (name: string, header: Step[], callback: Step) =>
  workflow(name).chord(header, callback).build();
