import { useMemo, useState } from 'react';
import type { NodeMetadata } from '@nt/api-contract';

/** Every node type a run can use, filterable by name or namespace. */
export function NodeBrowser({ nodes }: { nodes: NodeMetadata[] }) {
  const [query, setQuery] = useState('');
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return nodes.filter((node) => !q || node.node_type.toLowerCase().includes(q)).sort((a, b) => a.node_type.localeCompare(b.node_type));
  }, [nodes, query]);
  return (
    <section className="panel node-browser">
      <h2>
        Nodes <span className="count">{nodes.length}</span>
      </h2>
      <input placeholder="Filter, e.g. sentence" value={query} onChange={(event) => setQuery(event.target.value)} aria-label="Filter nodes" />
      <ul>
        {shown.slice(0, 200).map((node) => (
          <li key={node.node_type} title={node.description?.split('\n')[0]}>
            <span className="node-title">
              {node.title ?? node.node_type.split('.').pop()}
              {node.is_streaming_output && (
                <span className="node-streams" title="streams its outputs: each item reaches the next nodes as it comes">
                  {' '}
                  streams
                </span>
              )}
            </span>
            <span className="node-type">{node.node_type}</span>
          </li>
        ))}
      </ul>
      {shown.length > 200 && <p className="muted">{shown.length - 200} more; refine the filter</p>}
    </section>
  );
}
