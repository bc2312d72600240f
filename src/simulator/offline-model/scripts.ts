import { z } from 'zod';

/**
 * Scripted replies let a test (or another process, over HTTP) dictate exactly what the
 * offline model answers at a given point of a conversation, without teaching the
 * heuristics about every scenario. Scripts win over every heuristic; once a script's
 * replies are used up the heuristics take over again.
 */

export const scriptedReplySchema = z
  .object({
    content: z.string().optional(),
    tool_call: z
      .object({
        name: z.string().min(1),
        arguments: z.record(z.string(), z.unknown()).default({}),
      })
      .optional(),
    json: z.unknown().optional(),
    /** A slow model: the reply is sent after this long (tests of a worker dying mid-turn, of timeouts). */
    delay_ms: z.number().int().min(0).max(60_000).optional(),
  })
  .refine((r) => r.content !== undefined || r.tool_call !== undefined || r.json !== undefined, {
    message: 'A scripted reply needs at least one of content, tool_call or json',
  });

export const scriptSchema = z.object({
  match: z.string().min(1),
  replies: z.array(scriptedReplySchema).min(1),
});

export type ScriptedReply = z.input<typeof scriptedReplySchema>;
export type ScriptInput = z.input<typeof scriptSchema>;

interface Script {
  match: string;
  replies: ScriptedReply[];
}

export class ScriptBook {
  private scripts: Script[] = [];

  /** Validates so that HTTP callers and in-process callers fail the same way. */
  add(input: ScriptInput): void {
    const parsed = scriptSchema.parse(input);
    // Copy so the caller can reuse its array without disturbing the FIFO.
    this.scripts.push({ match: parsed.match, replies: [...parsed.replies] });
  }

  clear(): number {
    const pending = this.pending();
    this.scripts = [];
    return pending;
  }

  /** Replies not yet consumed, across all scripts. */
  pending(): number {
    return this.scripts.reduce((n, s) => n + s.replies.length, 0);
  }

  list(): ReadonlyArray<Readonly<Script>> {
    return this.scripts.map((s) => ({ match: s.match, replies: [...s.replies] }));
  }

  /**
   * Consumes the next reply of the first script (in insertion order) whose `match` occurs in
   * any of the given texts. Earlier scripts win so that tests read top to bottom.
   */
  take(texts: readonly string[]): ScriptedReply | undefined {
    for (const script of this.scripts) {
      if (script.replies.length === 0) continue;
      if (texts.some((t) => t.includes(script.match))) {
        const reply = script.replies.shift();
        this.scripts = this.scripts.filter((s) => s.replies.length > 0);
        return reply;
      }
    }
    return undefined;
  }
}
