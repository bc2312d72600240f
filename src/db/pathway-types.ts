/**
 * Pathway configuration documents. The live graph is on the pathway; every save is an immutable
 * version. Graphs are stored as JSON text (`graph_json`, `{nodes, edges}`): FerretDB refuses nested
 * arrays, and `extractVars` / `responsePathways` are arrays of arrays in Bland's format.
 */
export interface PathwayDoc {
  /** The pathway_id (a UUID). */
  _id: string;
  org_id: string;
  name: string;
  description: string | null;
  graph_json: string;
  folder_id: string | null;
  /** Highest version number handed out; versions are numbered 1, 2, … per pathway. */
  version_count: number;
  /** Version ids promoted by POST /publish; null = never published (calls then use the latest version). */
  production_version_id: string | null;
  staging_version_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface PathwayVersionDoc {
  /** `pv_…`: what versions are cached by in the worker. Never rewritten once stored. */
  _id: string;
  org_id: string;
  pathway_id: string;
  version_number: number;
  name: string;
  description: string | null;
  graph_json: string;
  /** DELETE /version/{id} archives; an archived version is no longer served or used by new calls. */
  archived: boolean;
  created_at: Date;
}

export interface PathwayFolderDoc {
  _id: string;
  org_id: string;
  name: string;
  parent_folder_id: string | null;
  created_at: Date;
}
