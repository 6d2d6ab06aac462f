import { parseArgs } from 'node:util';
import { NodeCatalog } from '@nt/runtime';
import { EXIT, type ExitCode } from '../exitCodes.js';
import type { Io } from '../io.js';
import { withWorker } from '../withWorker.js';
import { bridgeOptionsFromFlags, WORKER_FLAG_OPTIONS, WORKER_FLAGS_HELP } from '../workerFlags.js';

export const NODES_LIST_HELP = `Usage: nodetool nodes list [--namespace NS] [--json] [--worker-url URL] [--token-file FILE]

Lists the node types a run can use: the TypeScript built-ins and what the worker offers.
${WORKER_FLAGS_HELP}`;

export async function nodesList(argv: string[], io: Io): Promise<ExitCode> {
  const { values } = parseArgs({
    args: argv,
    options: {
      namespace: { type: 'string' },
      json: { type: 'boolean', default: false },
      ...WORKER_FLAG_OPTIONS,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.out(NODES_LIST_HELP);
    return EXIT.ok;
  }
  return withWorker(bridgeOptionsFromFlags(values, io), io, async (bridge) => {
    await bridge.connect();
    const prefix = values.namespace ? `${values.namespace.replace(/\.$/, '')}.` : '';
    const nodes = new NodeCatalog(bridge.getNodeMetadata())
      .allMetadata()
      .filter((node) => node.node_type.startsWith(prefix))
      .sort((a, b) => a.node_type.localeCompare(b.node_type));
    if (values.json) {
      io.out(JSON.stringify(nodes, null, 2));
    } else {
      for (const node of nodes) {
        const inputs = (node.properties ?? []).map((p) => p.name).join(', ');
        const outputs = (node.outputs ?? []).map((o) => o.name).join(', ');
        io.out(`${node.node_type}  (${inputs}) -> (${outputs})`);
      }
      io.err(`${nodes.length} node types${prefix ? ` in ${values.namespace}` : ''}`);
    }
    return EXIT.ok;
  });
}
