import type { BuiltinNode } from '../nodeExecutor.js';
import { builtinMetadata } from './metadata.js';

function constant(name: string, type: string, fallback: unknown): BuiltinNode {
  return {
    metadata: builtinMetadata(`nodetool.constant.${name}`, `A constant ${type} value.`, [['value', type, fallback]], [['output', type]]),
    async run(values) {
      return { output: values['value'] ?? fallback };
    },
  };
}

export const constantNodes: BuiltinNode[] = [
  constant('String', 'str', ''),
  constant('Integer', 'int', 0),
  constant('Float', 'float', 0),
  constant('Bool', 'bool', false),
  constant('List', 'list[any]', []),
];
