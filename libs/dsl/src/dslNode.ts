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

export interface CreateNodeOptions {
  /** A stable id; by default one is made from the type's last segment and a counter. */
  id?: string;
}

/** Declares a node of any type, Python nodes included, by its full type name. */
export function createNode(type: string, inputs: Record<string, unknown> = {}, options: CreateNodeOptions = {}): DslNode {
  if (!type) throw new TypeError('createNode needs a node type');
  const id = options.id ?? `${(type.split('.').pop() ?? 'node').toLowerCase()}_${created + 1}`;
  return new DslNode(id, type, { ...inputs });
}
