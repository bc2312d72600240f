import express from 'express';
import { ApiError } from '../errors';

/**
 * Deeper than any body the API takes (a pathway is about eight levels), and shallow enough that no
 * recursive walk of the parsed value (validation, JSON.stringify, BSON) can run out of stack.
 */
export const MAX_JSON_DEPTH = 64;

/** The characters of a JSON number after its first one. */
const NUMBER_CHAR = new Set([...'0123456789.eE+-'].map((ch) => ch.charCodeAt(0)));

/**
 * One pass over the raw bytes before they are parsed: the nesting depth, numbers too large for a
 * double, and `\u0000` escapes, which no field of the API needs and the store refuses in keys (a
 * raw NUL byte is malformed JSON already). Iterative, so a hostile body cannot exhaust the stack.
 */
export function jsonBodyProblem(buf: Buffer, maxDepth = MAX_JSON_DEPTH): string | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i += 1) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c /* \ */) {
        if (buf[i + 1] === 0x75 /* u */ && buf.toString('latin1', i + 2, i + 6) === '0000') {
          return 'The request body contains a NUL character (\\u0000), which is not accepted.';
        }
        i += 1;
      } else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x2d /* - */ || (c !== undefined && c >= 0x30 && c <= 0x39)) {
      // A number too large for a double parses as Infinity, which neither JSON nor the store can hold.
      let end = i + 1;
      while (end < buf.length && NUMBER_CHAR.has(buf[end]!)) end += 1;
      if (!Number.isFinite(Number(buf.toString('latin1', i, end)))) {
        return `The request body has a number out of range: ${buf.toString('latin1', i, Math.min(end, i + 40))}.`;
      }
      i = end - 1;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth += 1;
      if (depth > maxDepth) return `The request body is nested deeper than ${maxDepth} levels.`;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth -= 1;
  }
  return null;
}

/** express.json with the depth and NUL checks, failing with a 400 in Bland's shape before anything is parsed. */
export function jsonBody(limitBytes: number) {
  return express.json({
    limit: limitBytes,
    strict: true,
    verify: (_req, _res, buf) => {
      const problem = jsonBodyProblem(buf);
      if (problem) throw new ApiError(400, 'Invalid request body.', [problem]);
    },
  });
}
