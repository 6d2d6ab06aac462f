import { Background, Controls, Handle, Position, ReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import { useMemo } from 'react';
import type { NodeRunState } from '../run/runState.js';
import type { EditorEdge, EditorNode } from '@nt/api-contract';

type GraphNodeData = { label: string; nodeType: string; run?: NodeRunState; summary?: string; isComment: boolean };

/** One node: its title, type, status and progress bar while it runs. */
function WorkflowNode({ data }: NodeProps<Node<GraphNodeData>>) {
  const status = data.run?.status ?? 'idle';
  const percent = data.run?.total ? Math.round((100 * (data.run.progress ?? 0)) / data.run.total) : null;
  return (
    <div className={`graph-node status-${status}${data.isComment ? ' comment' : ''}`} data-testid={`node-${data.label}`} data-status={status}>
      <Handle type="target" position={Position.Left} />
      <div className="graph-node-title">{data.label}</div>
      <div className="graph-node-type">{data.nodeType}</div>
      {data.summary && <div className="graph-node-summary">{data.summary}</div>}
      {!data.isComment && (
        <div className="graph-node-status">
          {status}
          {data.run?.duration_ms !== undefined && status === 'completed' ? ` · ${data.run.duration_ms} ms` : ''}
        </div>
      )}
      {data.run?.worker && (
        <div className="graph-node-worker" data-testid="node-worker" title={`ran on ${data.run.worker}`}>
          on {data.run.worker.replace(/^wss?:\/\//, '')}
        </div>
      )}
      {percent !== null && status === 'running' && (
        <div className="progress">
          <div style={{ width: `${percent}%` }} />
        </div>
      )}
      {data.run?.preview !== undefined && status === 'running' && <NodePreview value={data.run.preview} />}
      {data.run?.error && <div className="graph-node-error">{data.run.error}</div>}
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

/** A running node's live preview: an image it shows (a data: URL the server made from the worker's bytes), or its text. */
function NodePreview({ value }: { value: unknown }) {
  if (typeof value === 'string' && /^data:image\/(png|jpeg|gif|webp);base64,/.test(value)) {
    return <img className="graph-node-preview" data-testid="node-preview" src={value} alt="live preview" />;
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return (
    <div className="graph-node-preview" data-testid="node-preview">
      {text.length > 120 ? `${text.slice(0, 119)}…` : text}
    </div>
  );
}

const nodeTypes = { workflow: WorkflowNode };

/** The workflow as nodes and edges, laid out where the editor saved them (or in a grid). */
export function GraphView({ nodes, edges, runNodes }: { nodes: EditorNode[]; edges: EditorEdge[]; runNodes: Record<string, NodeRunState> }) {
  const flowNodes = useMemo<Node<GraphNodeData>[]>(
    () =>
      nodes.map((node, index) => ({
        id: node.id,
        type: 'workflow',
        position: node.ui_properties?.position ?? { x: 40 + (index % 3) * 300, y: 40 + Math.floor(index / 3) * 200 },
        data: {
          label: node.ui_properties?.title ?? (typeof node.data['name'] === 'string' && node.data['name'] ? node.data['name'] : node.id),
          nodeType: node.type.split('.').slice(-2).join('.'),
          run: runNodes[node.id],
          summary: summarise(node),
          isComment: node.type.endsWith('.Comment'),
        },
      })),
    [nodes, runNodes],
  );
  const flowEdges = useMemo<Edge[]>(
    () =>
      edges.map((edge, index) => ({
        id: edge.id ?? `e${index}`,
        source: edge.source,
        target: edge.target,
        label: edge.targetHandle,
        animated: runNodes[edge.source]?.status === 'completed' && runNodes[edge.target]?.status === 'running',
      })),
    [edges, runNodes],
  );
  return (
    <div className="graph" data-testid="graph">
      <ReactFlow nodes={flowNodes} edges={flowEdges} nodeTypes={nodeTypes} fitView proOptions={{ hideAttribution: true }} nodesDraggable={false}>
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

/** A short line of the node's literal settings, so the graph reads without opening anything. */
function summarise(node: EditorNode): string | undefined {
  if (node.type.endsWith('.Comment')) {
    const blocks = node.data['comment'];
    if (Array.isArray(blocks))
      return blocks
        .map((b: { children?: Array<{ text?: string }> }) => b.children?.map((c) => c.text).join('') ?? '')
        .join(' ')
        .slice(0, 160);
  }
  const inputs = node.data['inputs'] ?? node.data['value'];
  if (typeof inputs === 'string') return `“${inputs.slice(0, 60)}”`;
  const model = node.data['model'] as { repo_id?: string } | undefined;
  return model?.repo_id;
}
