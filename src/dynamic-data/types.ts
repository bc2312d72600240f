/** One `dynamic_data` entry, validated and normalised (Bland's shape: seed 003, dynamic-data tutorial). */
export interface DynamicDataRequest {
  url: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
  /** Default true: an identical request (after templating) is made once per call. */
  cache: boolean;
  responseData: DynamicDataVariable[];
  timeoutMs: number;
}

export interface DynamicDataVariable {
  name: string;
  /** JSONPath into the response, e.g. `$.customer.member_id`. */
  data: string;
  /** Rendered with the variables and added to the agent's knowledge, e.g. "The price is {{price}}". */
  context: string | null;
}

/** One request's outcome, as /v1/dynamic_data/test shows it and the event stream records it. */
export interface DynamicDataRun {
  index: number;
  url: string;
  method: string;
  ok: boolean;
  status: number | null;
  cached: boolean;
  durationMs: number;
  /** The parsed body (JSON, else text); null when the request failed before an answer. */
  response: unknown;
  variables: Record<string, unknown>;
  error: string | null;
}

export interface DynamicDataOutcome {
  variables: Record<string, unknown>;
  /** Rendered `context` strings, plus a note for each request that failed. */
  context: string[];
  runs: DynamicDataRun[];
}

export const DEFAULT_DYNAMIC_DATA_TIMEOUT_MS = 10_000;
