/** A reference to one output slot of a node, used as another node's input. */
export class OutputHandle {
  constructor(
    readonly node: DslNode,
    readonly slot: string,
  ) {}
}

let created = 0;

/** A node being declared; inputs hold literals, handles or other nodes (their `output` slot). */
export class DslNode {
  readonly order = created++;

  constructor(
    readonly id: string,
    readonly type: string,
    readonly inputs: Readonly<Record<string, unknown>>,
    /** How it lines up its inputs when fed by streams; left out: `on_any`. */
    readonly syncMode?: SyncMode,
  ) {}

  /** The handle of an output slot; `output` is the slot of single-output nodes. */
  output(slot = 'output'): OutputHandle {
    return new OutputHandle(this, slot);
  }

  /** Nodes are graph parts, not values: using one as a string or number is a mistake. */
  [Symbol.toPrimitive](): never {
    throw new TypeError(`node "${this.id}" (${this.type}) was used as a plain value; pass it as a node input instead`);
  }
}

/** nodetool's sync modes: `on_any` fires on each arrival once every input has a value; `zip_all` takes one item of each stream per firing. */
export type SyncMode = 'on_any' | 'zip_all';

export interface CreateNodeOptions {
  /** A stable id; by default one is made from the type's last segment and a counter. */
  id?: string;
  /** For a node fed by streams: how it lines its inputs up (nodetool's `sync_mode`); default `on_any`. */
  sync_mode?: SyncMode;
}

/** Declares a node of any type, Python nodes included, by its full type name. */
export function createNode(type: string, inputs: Record<string, unknown> = {}, options: CreateNodeOptions = {}): DslNode {
  if (!type) throw new TypeError('createNode needs a node type');
  const id = options.id ?? `${(type.split('.').pop() ?? 'node').toLowerCase()}_${created + 1}`;
  if (options.sync_mode !== undefined && options.sync_mode !== 'on_any' && options.sync_mode !== 'zip_all') {
    throw new TypeError(`node "${id}": sync_mode must be "on_any" or "zip_all", got ${JSON.stringify(options.sync_mode)}`);
  }
  return new DslNode(id, type, { ...inputs }, options.sync_mode);
}
