/** Pure (the workflow imports it): what the model reads after a tool run. */

/** What the model is shown of a result; the variables themselves are not cut. */
const MODEL_RESULT_CHARS = 4000;

/** The tool message (JSON text) answering the model's call. */
export function toolResultForModel(outcome: { ok: boolean; variables?: Record<string, unknown>; error?: string }): string {
  const text = outcome.ok
    ? JSON.stringify({ status: 'success', result: outcome.variables ?? {} })
    : JSON.stringify({ status: 'failed', error: outcome.error ?? 'the tool failed', instruction: 'Tell the caller it did not work; do not invent a result.' });
  return text.length > MODEL_RESULT_CHARS ? `${text.slice(0, MODEL_RESULT_CHARS)}…` : text;
}
