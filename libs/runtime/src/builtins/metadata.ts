import type { NodeMetadata } from '@nt/protocol';

/** Builds metadata in the worker's discover shape, so TS and Python nodes read alike. */
export function builtinMetadata(
  nodeType: string,
  description: string,
  properties: Array<[name: string, type: string, defaultValue?: unknown]>,
  outputs: Array<[name: string, type: string]>,
): NodeMetadata {
  return {
    node_type: nodeType,
    title: nodeType.split('.').pop(),
    description,
    properties: properties.map(([name, type, value]) => (value === undefined ? { name, type: { type } } : { name, type: { type }, default: value })),
    outputs: outputs.map(([name, type]) => ({ name, type: { type } })),
    required_settings: [],
    recommended_models: [],
    is_streaming_output: false,
    is_streaming_input: false,
    is_dynamic: false,
  };
}
