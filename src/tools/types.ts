/**
 * A custom tool as a call carries it: validated and normalised from the Bland shape (inline in a
 * Send Call body, or a `TL-` document snapshotted when the call was created, so an edit made
 * mid-call does not change the call). Plain data: it travels in workflow inputs.
 */
export interface ToolSpec {
  /** `TL-…` when it came from the tools collection; null for an inline tool. */
  toolId: string | null;
  name: string;
  description: string;
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, unknown>;
  query: Record<string, unknown>;
  /** An object (rendered leaf by leaf and sent as JSON) or the string "{{input}}"; null for none. */
  body: unknown;
  /** As given: strict JSON schema or the seed's loose forms; null when absent. */
  inputSchema: Record<string, unknown> | null;
  /** Said while the tool runs, unless the model supplies `input.speech`. */
  speech: string | null;
  /** Variable name → JSONPath into the response. Empty: the whole body becomes `{{data}}`. */
  response: Record<string, string>;
  timeoutMs: number;
  /** Set on a knowledge base's search tool (a `KB-` id in `tools`): the runTool activity searches it instead of calling `url`. */
  knowledgeBase?: { id: string; name: string };
}

export const DEFAULT_TOOL_TIMEOUT_MS = 10_000;
/** A caller is on the line: however long a tool's `timeout`, a call waits at most this long. */
export const MAX_TOOL_WAIT_MS = 120_000;

export function effectiveToolTimeoutMs(spec: Pick<ToolSpec, 'timeoutMs'>): number {
  return Math.min(Math.max(spec.timeoutMs, 100), MAX_TOOL_WAIT_MS);
}
