/**
 * The pathway graph as Bland's API carries it: nodes `{id, type, data}` and edges
 * `{id, source, target, label}`. Field names are the seed's (camelCase inside `data`).
 */

/** `[name, type, description]`, e.g. `["guests", "integer", "Number of guests"]`. */
export type ExtractVar = [string, string, string];

export type ResponseOp = '==' | '!=' | '>' | '<' | 'contains';
/** `[variable, op, value, {id, name}]`: after a webhook, the first rule that holds picks the next node. */
export type ResponsePathway = [string, ResponseOp, string, { id: string; name?: string }];

export interface ResponseDataItem {
  name: string;
  /** JSONPath into the webhook's response. */
  data: string;
  context?: string;
}

export interface FewShotExample {
  /** What the caller said (Bland's "User Input"). */
  userInput?: string;
  /** The answer expected: an edge label, a yes/no for a condition, or a line of dialogue. */
  output?: string;
  [key: string]: unknown;
}

export interface NodeData {
  name?: string;
  text?: string;
  prompt?: string;
  isStart?: boolean;
  isGlobal?: boolean;
  globalLabel?: string;
  /** A global node normally returns to where the agent came from; with forwarding it moves on. */
  enableForwarding?: boolean;
  forwardingNode?: string;
  globalPrompt?: string;
  condition?: string;
  transferNumber?: string;
  kb?: string;
  extractVars?: ExtractVar[];
  modelOptions?: { temperature?: number; interruptionThreshold?: number };
  pathwayExamples?: FewShotExample[];
  conditionExamples?: FewShotExample[];
  dialogueExamples?: FewShotExample[];
  url?: string;
  method?: string;
  headers?: Record<string, unknown>;
  body?: unknown;
  /** Webhook timeout in ms (default 10000). */
  timeout?: number;
  /** Webhook attempts (default 2). */
  retries?: number;
  responseData?: ResponseDataItem[];
  responsePathways?: ResponsePathway[];
  [key: string]: unknown;
}

export interface PathwayNode {
  id: string;
  type: string;
  data: NodeData;
}

export interface PathwayEdge {
  id: string;
  source: string;
  target: string;
  label?: string;
  [key: string]: unknown;
}

export interface PathwayGraph {
  nodes: PathwayNode[];
  edges: PathwayEdge[];
}

/** One readable decision, stored on the call as `pathway_logs`. */
export interface PathwayLogEntry {
  turn: number;
  kind: 'start' | 'stay' | 'edge' | 'global' | 'return' | 'webhook' | 'extract' | 'end' | 'transfer' | 'knowledge';
  from: { id: string; name: string } | null;
  to: { id: string; name: string } | null;
  edge?: { id: string; label: string } | null;
  why: string;
  variables?: Record<string, unknown>;
  condition_met?: boolean | null;
  /** A Knowledge Base node's search: the knowledge base and the passages the model was given. */
  kb_id?: string;
  passages?: Array<{ text: string; score: number }>;
}

/** What a running pathway carries between turns; it lives in the workflow. */
export interface PathwayState {
  currentNodeId: string | null;
  /** The node a global node returns to. */
  returnNodeId: string | null;
  /** Turns taken by the engine (for the logs). */
  turn: number;
  variables: Record<string, unknown>;
  logs: PathwayLogEntry[];
}
