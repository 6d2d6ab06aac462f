import type { BuiltinNode } from '../nodeExecutor.js';
import { builtinMetadata } from './metadata.js';

/** A sink passes its value through; the run reports it as an output under the node's name. */
function sink(nodeType: string, description: string): BuiltinNode {
  return {
    metadata: builtinMetadata(
      nodeType,
      description,
      [
        ['value', 'any'],
        ['name', 'str', ''],
      ],
      [['output', 'any']],
    ),
    isSink: true,
    async run(values) {
      return { output: values['value'] ?? null };
    },
  };
}

/** Shows a value: it passes through and becomes a run output under the node's name. */
export const previewNode = sink('nodetool.workflows.base_node.Preview', 'Preview a value in the UI and in the run result.');

/** Declares a workflow result under a name. */
export const outputNode = sink('nodetool.output.Output', 'A named result of the workflow.');
