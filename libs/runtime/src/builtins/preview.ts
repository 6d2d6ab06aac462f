import type { BuiltinNode } from '../nodeExecutor.js';
import { builtinMetadata } from './metadata.js';

/** Shows a value: it passes through and becomes a run output under the node's name. */
export const previewNode: BuiltinNode = {
  metadata: builtinMetadata(
    'nodetool.workflows.base_node.Preview',
    'Preview a value in the UI and in the run result.',
    [['value', 'any'], ['name', 'str', '']],
    [['output', 'any']],
  ),
  isSink: true,
  async run(values) {
    return { output: values['value'] ?? null };
  },
};

/** Declares a workflow result under a name. */
export const outputNode: BuiltinNode = {
  metadata: builtinMetadata(
    'nodetool.output.Output',
    'A named result of the workflow.',
    [['value', 'any'], ['name', 'str', '']],
    [['output', 'any']],
  ),
  isSink: true,
  async run(values) {
    return { output: values['value'] ?? null };
  },
};
