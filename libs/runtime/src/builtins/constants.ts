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

const emptyRef = (type: string) => ({ type, uri: '', asset_id: null, data: null, metadata: null });

/**
 * nodetool's constants, by its type names. A media constant's value (an asset, inline data, or an
 * http(s) URL the runner fetches once per run) is resolved before the run starts (media/resolveMedia.ts).
 */
export const constantNodes: BuiltinNode[] = [
  constant('String', 'str', ''),
  constant('Integer', 'int', 0),
  constant('Float', 'float', 0),
  constant('Bool', 'bool', false),
  constant('List', 'list[any]', []),
  constant('TextList', 'list[str]', []),
  constant('Dict', 'dict[str, any]', {}),
  constant('Image', 'image', emptyRef('image')),
  constant('Audio', 'audio', emptyRef('audio')),
  constant('Video', 'video', emptyRef('video')),
  constant('Document', 'document', emptyRef('document')),
  constant('ImageList', 'list[image]', []),
  constant('AudioList', 'list[audio]', []),
  constant('VideoList', 'list[video]', []),
];
