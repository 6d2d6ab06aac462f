export { createNode, DslNode, OutputHandle, type CreateNodeOptions, type SyncMode } from './dslNode.js';
export { workflow, type GraphJson, type WorkflowMeta } from './workflow.js';
export { preview, output, constant, input, cosineSimilarity, comment } from './builtins.js';
