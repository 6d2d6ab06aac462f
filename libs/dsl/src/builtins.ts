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

/** A media value as nodetool saves it: an http(s) URL (fetched by the runner) or a data: URI. */
const mediaRef = (type: string, uri: string) => ({ type, uri, asset_id: null, data: null });

export const constant = {
  string: (value: string, options?: CreateNodeOptions) => createNode('nodetool.constant.String', { value }, options),
  integer: (value: number, options?: CreateNodeOptions) => createNode('nodetool.constant.Integer', { value }, options),
  number: (value: number, options?: CreateNodeOptions) => createNode('nodetool.constant.Float', { value }, options),
  boolean: (value: boolean, options?: CreateNodeOptions) => createNode('nodetool.constant.Bool', { value }, options),
  list: (value: unknown[], options?: CreateNodeOptions) => createNode('nodetool.constant.List', { value }, options),
  image: (uri: string, options?: CreateNodeOptions) => createNode('nodetool.constant.Image', { value: mediaRef('image', uri) }, options),
  audio: (uri: string, options?: CreateNodeOptions) => createNode('nodetool.constant.Audio', { value: mediaRef('audio', uri) }, options),
  video: (uri: string, options?: CreateNodeOptions) => createNode('nodetool.constant.Video', { value: mediaRef('video', uri) }, options),
  document: (uri: string, options?: CreateNodeOptions) => createNode('nodetool.constant.Document', { value: mediaRef('document', uri) }, options),
};

/** The workflow's inputs, by name: a run's params (and the CLI's --input for media) give their values. */
export const input = {
  string: (name: string, value = '', options?: CreateNodeOptions) => createNode('nodetool.input.StringInput', { name, value }, options),
  integer: (name: string, value = 0, options?: CreateNodeOptions) => createNode('nodetool.input.IntegerInput', { name, value }, options),
  number: (name: string, value = 0, options?: CreateNodeOptions) => createNode('nodetool.input.FloatInput', { name, value }, options),
  boolean: (name: string, value = false, options?: CreateNodeOptions) => createNode('nodetool.input.BooleanInput', { name, value }, options),
  image: (name: string, options?: CreateNodeOptions) => createNode('nodetool.input.ImageInput', { name, value: mediaRef('image', '') }, options),
  audio: (name: string, options?: CreateNodeOptions) => createNode('nodetool.input.AudioInput', { name, value: mediaRef('audio', '') }, options),
  video: (name: string, options?: CreateNodeOptions) => createNode('nodetool.input.VideoInput', { name, value: mediaRef('video', '') }, options),
  document: (name: string, options?: CreateNodeOptions) => createNode('nodetool.input.DocumentInput', { name, value: mediaRef('document', '') }, options),
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
