import { describeHttpFailure, executeHttpCall, httpFailureIsRetryable, type HttpCallResult } from '../net/http-call';
import { extractJsonPath } from '../net/json-path';
import type { OutboundHttp } from '../net/outbound-http';
import type { Variables } from '../templating';
import { effectiveToolTimeoutMs, type ToolSpec } from './types';

/** What a tool run leaves behind: the variables it extracted and what the model is told. */
export interface ToolRunSuccess {
  ok: true;
  status: number;
  durationMs: number;
  /** `response` extractions, or `{data}` (the whole body) without a response map. */
  variables: Record<string, unknown>;
  url: string;
  method: string;
}

export class ToolRunError extends Error {
  override name = 'ToolRunError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status: number | null,
  ) {
    super(message);
  }
}

/** A tool's response is a variable and part of the workflow's history: it is kept small. */
export const TOOL_MAX_RESPONSE_BYTES = 256 * 1024;

export function extractVariables(data: unknown, response: Record<string, string>): Record<string, unknown> {
  const names = Object.keys(response);
  if (names.length === 0) return { data };
  return Object.fromEntries(names.map((n) => [n, extractJsonPath(data, response[n]!) ?? null]));
}

/**
 * Runs one tool call: `input` is the model's arguments, seen as `{{input}}` / `{{input.x}}`
 * beside the call's variables. A non-2xx answer or a refused/failed request throws ToolRunError,
 * whose `retryable` follows the HTTP module's classification.
 */
/** `input_schema.required` names the model left out or left empty: the tool is not called without them. */
export function missingInputs(spec: ToolSpec, input: Record<string, unknown>): string[] {
  const required = spec.inputSchema?.required;
  if (!Array.isArray(required)) return [];
  return required.filter((r): r is string => typeof r === 'string' && (input[r] === undefined || input[r] === null || input[r] === ''));
}

export async function runToolRequest(outbound: OutboundHttp, spec: ToolSpec, input: Record<string, unknown>, vars: Variables): Promise<ToolRunSuccess> {
  const missing = missingInputs(spec, input);
  if (missing.length > 0) throw new ToolRunError(`the input is missing required fields: ${missing.join(', ')}; ask the caller for them`, false, null);
  let result: HttpCallResult;
  try {
    result = await executeHttpCall(
      outbound,
      {
        url: spec.url,
        method: spec.method,
        headers: spec.headers,
        query: spec.query,
        body: spec.body ?? undefined,
        timeoutMs: effectiveToolTimeoutMs(spec),
        maxResponseBytes: TOOL_MAX_RESPONSE_BYTES,
      },
      { ...vars, input },
    );
  } catch (err) {
    throw new ToolRunError(describeHttpFailure(err), httpFailureIsRetryable(err), null);
  }
  if (!result.ok) throw new ToolRunError(describeHttpFailure(undefined, result.status), httpFailureIsRetryable(undefined, result.status), result.status);
  return {
    ok: true,
    status: result.status,
    durationMs: result.durationMs,
    variables: extractVariables(result.data, spec.response),
    url: result.url,
    method: result.request.method,
  };
}
