import { z } from 'zod';
import type { NodeMetadata } from '@nt/protocol';
import { route } from '../route.js';

/** A node type as the worker described it (the worker protocol's shape, passed on as it came). */
const Node = z.custom<NodeMetadata>((value) => typeof value === 'object' && value !== null && typeof (value as { node_type?: unknown }).node_type === 'string');

export const nodes = {
  list: route({
    method: 'GET',
    path: '/api/nodes',
    access: 'token',
    summary: 'worker nodes and TS built-ins (`?namespace=` keeps one namespace)',
    query: z.object({ namespace: z.string().optional() }),
    replies: { 200: z.object({ worker_connected: z.boolean(), nodes: z.array(Node) }) },
    errors: {},
  }),
};
