import { randomUUID } from 'node:crypto';
import type { Collection } from 'mongodb';
import type { ToolSpec } from './types';

/** A saved custom tool (`tools` collection). `tool` is the definition as the user sent it (GET shows it back). */
export interface ToolDoc {
  /** `TL-<uuid>` */
  _id: string;
  org_id: string;
  label: string | null;
  public: boolean;
  tool: Record<string, unknown>;
  /** The validated, normalised form a call snapshots. */
  spec: ToolSpec;
  created_at: Date;
  updated_at: Date;
}

export const newToolId = (): string => `TL-${randomUUID()}`;

/** The caller's tools by id, in the order asked; ids that are not theirs are returned as missing. */
export async function findToolsForOrg(tools: Collection<ToolDoc>, orgId: string, ids: string[]): Promise<{ found: Map<string, ToolDoc>; missing: string[] }> {
  const unique = [...new Set(ids)];
  // Bare-_id reads: FerretDB answers them from its primary key; the org is checked in code.
  const docs = await Promise.all(unique.map((id) => tools.findOne({ _id: id })));
  const found = new Map<string, ToolDoc>();
  for (const d of docs) if (d && d.org_id === orgId) found.set(d._id, d);
  return { found, missing: unique.filter((id) => !found.has(id)) };
}
