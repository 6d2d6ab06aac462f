import { createNode, type CreateNodeOptions, type DslNode, type OutputHandle } from './dslNode.js';

type Input<T> = T | DslNode | OutputHandle;

/** Shows a value; it becomes a run output under `name`. */
export function preview(value: Input<unknown>, name?: string, options?: CreateNodeOptions): DslNode {
  return createNode('nodetool.workflows.base_node.Preview', { value, ...(name ? { name } : {}) }, options);
}

/** A named workflow result. */
export function output(value: Input<unknown>, name: string, options?: CreateNodeOptions): DslNode {
  return createNode('nodetool.output.Output', { value, name }, options);
}

export const constant = {
  string: (value: string, options?: CreateNodeOptions) => createNode('nodetool.constant.String', { value }, options),
  integer: (value: number, options?: CreateNodeOptions) => createNode('nodetool.constant.Integer', { value }, options),
  number: (value: number, options?: CreateNodeOptions) => createNode('nodetool.constant.Float', { value }, options),
  boolean: (value: boolean, options?: CreateNodeOptions) => createNode('nodetool.constant.Bool', { value }, options),
  list: (value: unknown[], options?: CreateNodeOptions) => createNode('nodetool.constant.List', { value }, options),
};

/** Cosine similarity of two embeddings (np_array or number lists). */
export function cosineSimilarity(a: Input<unknown>, b: Input<unknown>, options?: CreateNodeOptions): DslNode {
  return createNode('nodetool.vector.CosineSimilarity', { a, b }, options);
}

/** An editor note; pruned before a run. Text becomes the editor's paragraph blocks. */
export function comment(text: string, options?: CreateNodeOptions): DslNode {
  const comment = text.split('\n').map((line) => ({ type: 'paragraph', children: [{ text: line }] }));
  return createNode('nodetool.workflows.base_node.Comment', { comment }, options);
}
