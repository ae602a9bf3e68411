import type { ToolSpec } from '@foreman/ai-client';
import type { Db } from '@foreman/db';
import type { GuardedFetch } from '@foreman/net';
import { z } from 'zod';
import type { AiTool } from './ai-tool.js';
import { fetchUrlTool } from './fetch-url.js';
import { readCalendarTool } from './read-calendar.js';
import { searchEmailTool } from './search-email.js';
import { type SubmitTaskToolDeps, submitTaskTool } from './submit-task.js';
import { type WaitForApprovalToolDeps, waitForApprovalTool } from './wait-for-approval.js';

export interface ToolDeps extends SubmitTaskToolDeps, WaitForApprovalToolDeps {
  db: Db;
  /** Fetches for `fetch_url`: the SSRF guard. */
  fetcher: GuardedFetch;
}

/** Every tool a user's AI task may name, by name. The one place a tool is registered. */
export class ToolRegistry {
  private readonly tools: ReadonlyMap<string, AiTool>;

  constructor(deps: ToolDeps) {
    const tools: AiTool[] = [
      searchEmailTool(deps) as AiTool,
      readCalendarTool(deps) as AiTool,
      fetchUrlTool(deps) as AiTool,
      submitTaskTool(deps) as AiTool,
      waitForApprovalTool(deps) as AiTool,
    ];
    this.tools = new Map(tools.map((tool) => [tool.name, tool]));
  }

  get(name: string): AiTool | undefined {
    return this.tools.get(name);
  }

  names(): string[] {
    return [...this.tools.keys()];
  }

  /** The specs offered to the model: JSON Schema of each tool's input, as the model fills it in. */
  specs(names: readonly string[]): ToolSpec[] {
    return names.map((name) => {
      const tool = this.tools.get(name);
      if (!tool) throw new TypeError(`No tool named "${name}"`);
      return {
        type: 'function',
        function: {
          name: tool.name,
          description: tool.description,
          parameters: z.toJSONSchema(tool.input, { io: 'input' }) as Record<string, unknown>,
        },
      };
    });
  }
}
