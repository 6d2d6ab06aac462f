import { WorkflowFormatError } from './errors.js';
import { SYNC_MODES, type Graph, type GraphEdge, type GraphNode, type SyncMode, type Workflow } from './graph.js';

/**
 * Reads a workflow from parsed JSON: the editor's saved format
 * (`{id, name, graph: {nodes, edges}, ...}`) or a bare `{nodes, edges}`.
 * Editor-only fields are dropped; every shape problem names where it is.
 */
export function loadWorkflow(value: unknown, source = 'workflow'): Workflow {
  if (!isObject(value)) throw new WorkflowFormatError(`${source}: expected a JSON object, got ${kind(value)}`);
  const graphValue = isObject(value['graph']) ? value['graph'] : value;
  const where = graphValue === value ? source : `${source}: graph`;
  const graph = readGraph(graphValue, where);
  const name = typeof value['name'] === 'string' && value['name'] ? value['name'] : null;
  // A file saved without an id (nodetool's editor leaves it empty in some examples) is known by its name.
  const id =
    typeof value['id'] === 'string' && value['id']
      ? value['id']
      : typeof value['workflow_id'] === 'string' && value['workflow_id']
        ? value['workflow_id']
        : (name && slugOf(name)) || 'workflow';
  const group = workerGroupOf(value, source);
  const vram = minVramOf(value, source);
  return {
    id,
    name: name ?? id,
    graph,
    params: isObject(value['params']) ? value['params'] : {},
    ...(group ? { workerGroup: group } : {}),
    ...(vram ? { minVramGb: vram } : {}),
  };
}

/** `settings.min_vram_gb`: the GPU memory its runs need, for a cluster that scales GPU workers on the queue. */
function minVramOf(value: Record<string, unknown>, source: string): number | undefined {
  const settings = value['settings'];
  const vram = isObject(settings) ? settings['min_vram_gb'] : undefined;
  if (vram === undefined || vram === null) return undefined;
  if (typeof vram !== 'number' || !Number.isInteger(vram) || vram < 1 || vram > 1024)
    throw new WorkflowFormatError(`${source}: settings.min_vram_gb must be a whole number of GB from 1 to 1024, got ${JSON.stringify(vram)}`);
  return vram;
}

/** `settings.worker_group` of a saved workflow (nodetool's free-form `settings`): the scaled group its runs go to. */
function workerGroupOf(value: Record<string, unknown>, source: string): string | undefined {
  const settings = value['settings'];
  if (!isObject(settings) || settings['worker_group'] === undefined || settings['worker_group'] === null) return undefined;
  const group = settings['worker_group'];
  if (typeof group !== 'string' || !/^[a-z0-9][a-z0-9-]{0,39}$/.test(group))
    throw new WorkflowFormatError(`${source}: settings.worker_group must be a group name (lowercase letters, digits, -), got ${JSON.stringify(group)}`);
  return group;
}

/** "Audio To Spectrogram" → "audio-to-spectrogram": letters and digits, dashes between. */
function slugOf(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
}

/** Parses JSON text first; a syntax error names the file and the position. */
export function parseWorkflowJson(text: string, source = 'workflow'): Workflow {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new WorkflowFormatError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  return loadWorkflow(parsed, source);
}

function readGraph(value: Record<string, unknown>, where: string): Graph {
  if (!Array.isArray(value['nodes']) || !Array.isArray(value['edges'])) {
    throw new WorkflowFormatError(`${where}: expected "nodes" and "edges" arrays`);
  }
  const nodes = value['nodes'].map((node, index) => readNode(node, `${where}: nodes[${index}]`));
  const edges = value['edges'].map((edge, index) => readEdge(edge, `${where}: edges[${index}]`));
  return { nodes, edges };
}

function readNode(value: unknown, where: string): GraphNode {
  if (!isObject(value)) throw new WorkflowFormatError(`${where}: expected an object, got ${kind(value)}`);
  const id = value['id'];
  const type = value['type'];
  if (typeof id !== 'string' || !id) throw new WorkflowFormatError(`${where}: "id" must be a non-empty string`);
  if (typeof type !== 'string' || !type) throw new WorkflowFormatError(`${where} (${id}): "type" must be a non-empty string`);
  // The editor stores values in `data`; the kernel format calls them `properties`.
  const data = value['data'] ?? value['properties'] ?? {};
  if (!isObject(data)) throw new WorkflowFormatError(`${where} (${id}): "data" must be an object`);
  const node: GraphNode = { id, type, data: { ...data } };
  // null is what nodetool's editor may save for "not set"; anything else must be a mode it knows.
  const syncMode = value['sync_mode'];
  if (syncMode !== undefined && syncMode !== null) {
    if (!SYNC_MODES.includes(syncMode as SyncMode)) {
      throw new WorkflowFormatError(
        `${where} (${id}): "sync_mode" must be ${SYNC_MODES.map((mode) => `"${mode}"`).join(' or ')}, got ${typeof syncMode === 'string' ? JSON.stringify(syncMode.slice(0, 40)) : kind(syncMode)}`,
      );
    }
    node.sync_mode = syncMode as SyncMode;
  }
  return node;
}

function readEdge(value: unknown, where: string): GraphEdge {
  if (!isObject(value)) throw new WorkflowFormatError(`${where}: expected an object, got ${kind(value)}`);
  const read = (key: string, fallback?: string): string => {
    const entry = value[key] ?? fallback;
    if (typeof entry !== 'string' || !entry) throw new WorkflowFormatError(`${where}: "${key}" must be a non-empty string`);
    return entry;
  };
  const edge: GraphEdge = {
    source: read('source'),
    sourceHandle: read('sourceHandle', 'output'),
    target: read('target'),
    targetHandle: read('targetHandle'),
  };
  if (typeof value['id'] === 'string') edge.id = value['id'];
  return edge;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function kind(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}
