import { ApplicationFailure } from '@temporalio/common';
import { runToolRequest, ToolRunError, type ToolRunSuccess } from '../src/tools/run-tool';
import type { ToolSpec } from '../src/tools/types';
import type { ActivityDeps } from './deps';

export interface RunToolInput {
  orgId: string;
  callId: string;
  tool: ToolSpec;
  /** The model's arguments ({{input}}). */
  input: Record<string, unknown>;
  /** The call's variables at the moment of the call. */
  variables: Record<string, unknown>;
}

/**
 * One custom-tool request, as its own activity so every run (and every retry) shows in the
 * Temporal UI. A refused destination, a bad URL and a 4xx other than 408/429 fail at once; a
 * timeout, network trouble, 408/429 and 5xx are thrown for the retry policy the workflow chose.
 * Nothing is written here: the workflow records the outcome in the event stream.
 */
export function createToolActivities({ outbound, logger }: Pick<ActivityDeps, 'outbound' | 'logger'>) {
  return {
    async runTool(input: RunToolInput): Promise<ToolRunSuccess> {
      try {
        return await runToolRequest(outbound, input.tool, input.input, input.variables);
      } catch (err) {
        if (!(err instanceof ToolRunError)) throw err;
        // The URL and status only: headers and bodies may carry credentials or personal data.
        logger.info({ callId: input.callId, tool: input.tool.name, status: err.status, retryable: err.retryable }, 'tool request failed');
        throw ApplicationFailure.create({
          message: err.message,
          type: err.retryable ? 'ToolRequestFailed' : 'ToolRequestRefused',
          nonRetryable: !err.retryable,
          details: [{ status: err.status }],
        });
      }
    },
  };
}
