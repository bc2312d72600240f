/** A pathway graph that cannot run (no start node, the current node removed): retrying will not help. */
export class PathwayGraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PathwayGraphError';
  }
}
