import type { NodeMetadata } from '@nt/protocol';
import type { ValidationIssue } from '../errors.js';
import type { GraphNode } from '../graph.js';
import { inputLabel } from '../params/bindParams.js';
import { mediaTypeOf, mediaSourceOf } from './mediaValue.js';

/**
 * The media values set on nodes (an input's or a constant's value, a Python node's literal image)
 * that cannot be reached, named before the run: another nodetool server's asset (`asset_id`, a
 * `/api/storage/…` URI), a URI that is not http(s) or data:, or an input or constant given nothing.
 * An empty media property of any other node is left as it is: the node's default. A property an edge
 * feeds is not checked: the edge's value replaces it.
 */
export function mediaIssues(node: GraphNode, metadata: NodeMetadata, fedByEdges: ReadonlySet<string> = new Set()): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const holdsValue = node.type.startsWith('nodetool.input.') || node.type.startsWith('nodetool.constant.');
  const isInput = node.type.startsWith('nodetool.input.');
  for (const property of metadata.properties ?? []) {
    const media = mediaTypeOf(property.type.type);
    // An edge's value replaces what is set there, so what is set is never read.
    if (!media || fedByEdges.has(property.name)) continue;
    const given = property.name in node.data ? node.data[property.name] : property.default;
    const label = isInput && property.name === 'value' ? inputLabel(node) : `node "${node.id}" (${node.type.split('.').pop()}), its "${property.name}"`;
    const fix = isInput ? `; give it in the run's params ({"${String(node.data['name'])}": …}, or --input ${String(node.data['name'])}=path/to/file)` : '';
    const values = media.list ? (Array.isArray(given) ? given : []) : [given];
    if (media.list && holdsValue && property.name === 'value' && values.length === 0) {
      issues.push({ nodeId: node.id, message: `${label} has no ${media.type} in its list${fix}` });
      continue;
    }
    for (const [index, value] of values.entries()) {
      const source = mediaSourceOf(value);
      const which = media.list ? ` (item ${index})` : '';
      if (source.kind === 'refused') issues.push({ nodeId: node.id, message: `${label}${which} cannot be read: ${source.reason}${fix}` });
      else if (source.kind === 'empty' && holdsValue && property.name === 'value')
        issues.push({ nodeId: node.id, message: `${label}${which} has no ${media.type} set${fix}` });
    }
  }
  return issues;
}
