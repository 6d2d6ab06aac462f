import type { AssetRef } from '@nt/api-contract';
import type { Graph, GraphNode } from '../graph.js';
import type { NodeCatalog } from '../nodeCatalog.js';
import type { RunAssets } from '../runAssets.js';
import { edgeFedProperties } from '../validateGraph.js';
import { MediaFetchError, openMedia, type FetchPolicy } from './fetchMedia.js';
import { mediaSourceOf, mediaTypeOf } from './mediaValue.js';

export interface ResolveMediaOptions {
  policy: FetchPolicy;
  /** Where fetched and inline media are kept (the server's asset store); without it they stay bytes in memory. */
  assets?: RunAssets;
  signal?: AbortSignal;
}

/**
 * The graph with every media value set on a node (a constant's image, an input's sound, a Python
 * node's literal document) turned into what a worker takes as any other asset: an http(s) URL fetched
 * once per run by the runner (openMedia: public addresses only, a timeout, the asset limit), inline
 * data as its bytes; with an asset store both are kept there (and reach a worker as any asset does,
 * through the bucket when there is one). The worker is never handed a URL to fetch. Runs after the
 * graph validated (checkMedia refused what cannot be read) and before models are downloaded.
 */
export async function resolveMedia(graph: Graph, catalog: NodeCatalog, options: ResolveMediaOptions): Promise<Graph> {
  const fed = edgeFedProperties(graph);
  const fetched = new Map<string, Promise<AssetRef | Uint8Array>>();
  const resolveOne = async (node: GraphNode, name: string, value: unknown): Promise<unknown> => {
    const source = mediaSourceOf(value);
    if (source.kind === 'url') {
      let once = fetched.get(source.url);
      if (!once) {
        once = fetchOnce(source.url, node.id, name, options);
        fetched.set(source.url, once);
      }
      return once;
    }
    if (source.kind === 'bytes') return options.assets?.keep ? options.assets.keep(node.id, name, source.bytes, {}) : source.bytes;
    if (source.kind === 'asset') {
      if (options.assets?.has && !(await options.assets.has(source.ref)))
        throw new Error(`node "${node.id}" takes the asset ${source.ref.id} as its "${name}", which this server does not have`);
      return source.ref;
    }
    return value;
  };
  // Most graphs set no media: they are returned as they are, without a promise per node.
  const pending: Array<Promise<[index: number, name: string, value: unknown]>> = [];
  graph.nodes.forEach((node, index) => {
    for (const property of catalog.lookup(node.type)?.metadata.properties ?? []) {
      const media = mediaTypeOf(property.type.type);
      if (!media || !(property.name in node.data) || fed.get(node.id)?.has(property.name)) continue;
      const given = node.data[property.name];
      if (media.list && !Array.isArray(given)) continue;
      const resolved = media.list
        ? Promise.all((given as unknown[]).map((item) => resolveOne(node, property.name, item)))
        : resolveOne(node, property.name, given);
      pending.push(resolved.then((value) => [index, property.name, value]));
    }
  });
  if (pending.length === 0) return graph;
  const nodes = [...graph.nodes];
  for (const [index, name, value] of await Promise.all(pending)) {
    const node = nodes[index] as GraphNode;
    nodes[index] = { ...node, data: { ...node.data, [name]: value } };
  }
  return { ...graph, nodes };
}

async function fetchOnce(url: string, nodeId: string, name: string, options: ResolveMediaOptions): Promise<AssetRef | Uint8Array> {
  const fetchedMedia = await openMedia(url, options.policy, options.signal);
  try {
    if (options.assets?.keep) return await options.assets.keep(nodeId, name, fetchedMedia.body, { contentType: fetchedMedia.contentType });
    const chunks: Buffer[] = [];
    for await (const chunk of fetchedMedia.body as AsyncIterable<Buffer>) chunks.push(chunk);
    return new Uint8Array(Buffer.concat(chunks));
  } catch (error) {
    fetchedMedia.body.destroy();
    if (error instanceof MediaFetchError) throw error;
    throw new MediaFetchError(url, (error as Error).message);
  }
}
