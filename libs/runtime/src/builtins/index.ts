import type { BuiltinNode } from '../nodeExecutor.js';
import { constantNodes } from './constants.js';
import { inputNodes } from './inputs.js';
import { cosineSimilarityNode } from './cosineSimilarity.js';
import { outputNode, previewNode } from './preview.js';

/** Every node type the runtime runs in TypeScript, by type. */
export const BUILTIN_NODES: ReadonlyMap<string, BuiltinNode> = new Map(
  [previewNode, outputNode, cosineSimilarityNode, ...constantNodes, ...inputNodes].map((node) => [node.metadata.node_type, node]),
);

export { cosineSimilarity, toVector } from './cosineSimilarity.js';
