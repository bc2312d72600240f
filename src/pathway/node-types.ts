/**
 * What each node type does once its dialogue is said. New types register here; the engine,
 * the validator and the turn activity look nothing up anywhere else.
 */
export interface NodeTypeSpec {
  /** After the node's dialogue: keep talking, end the call, transfer, or run a webhook first. */
  effect: 'continue' | 'end' | 'transfer' | 'webhook';
  /** `data` fields that must be present and non-empty. */
  required: string[];
  /** A Wait for Response node may let the caller hold. */
  canWait?: boolean;
}

const TYPES = new Map<string, NodeTypeSpec>([
  ['Default', { effect: 'continue', required: [] }],
  ['Knowledge Base', { effect: 'continue', required: [] }],
  ['Wait for Response', { effect: 'continue', required: [], canWait: true }],
  ['End Call', { effect: 'end', required: [] }],
  ['Transfer Call', { effect: 'transfer', required: ['transferNumber'] }],
  ['Webhook', { effect: 'webhook', required: ['url'] }],
]);

/** The seed also spells the transfer type "Transfer Node". */
const ALIASES = new Map<string, string>([['Transfer Node', 'Transfer Call']]);

export function canonicalNodeType(type: string): string {
  return ALIASES.get(type) ?? type;
}

export function nodeTypeSpec(type: string): NodeTypeSpec | undefined {
  return TYPES.get(canonicalNodeType(type));
}

export function knownNodeTypes(): string[] {
  return [...TYPES.keys(), ...ALIASES.keys()];
}

/** The extension point: a deployment may add node types before the worker starts. */
export function registerNodeType(type: string, spec: NodeTypeSpec): void {
  TYPES.set(type, spec);
}
