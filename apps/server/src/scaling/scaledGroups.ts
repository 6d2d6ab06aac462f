import type { NodeMetadata } from '@nt/protocol';
import type { WorkerProfile } from '@nt/provisioning';

/** A scaled group able to serve a run, with the catalog to check the run against (null: only its namespaces are known). */
export interface GroupMatch {
  group: string;
  catalog: NodeMetadata[] | null;
}

const covers = (profile: WorkerProfile, catalog: NodeMetadata[] | null, nodeTypes: readonly string[]) =>
  catalog
    ? nodeTypes.every((type) => catalog.some((node) => node.node_type === type))
    : nodeTypes.every((type) => profile.namespaces.some((namespace) => type.startsWith(`${namespace}.`)));

/**
 * The scaled group that can bring a worker for a run's Python node types: the group the run names, or
 * else the first (by name) with a profile whose workers announced every type (their catalog, kept in
 * the database), or, before any of them ever connected, whose declared namespaces hold them. Null when
 * no scaled profile can. A named group nothing scaled serves is null too: the caller says why.
 */
export function matchGroup(
  nodeTypes: readonly string[],
  profiles: readonly WorkerProfile[],
  catalogOf: (profile: string) => NodeMetadata[] | null,
  named?: string,
): GroupMatch | null {
  const scaled = profiles.filter((profile) => profile.scale && (named === undefined || profile.group === named));
  const groups = [...new Set(scaled.map((profile) => profile.group))].sort();
  for (const group of groups) {
    const able = scaled.filter((profile) => profile.group === group && covers(profile, catalogOf(profile.name), nodeTypes));
    if (!able.length) continue;
    const catalogs = able.map((profile) => catalogOf(profile.name)).filter((catalog): catalog is NodeMetadata[] => catalog !== null);
    return { group, catalog: catalogs.length ? union(catalogs) : null };
  }
  return null;
}

function union(catalogs: NodeMetadata[][]): NodeMetadata[] {
  const byType = new Map<string, NodeMetadata>();
  for (const catalog of catalogs) for (const node of catalog) if (!byType.has(node.node_type)) byType.set(node.node_type, node);
  return [...byType.values()];
}
