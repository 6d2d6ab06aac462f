/** `/api/workflows/:id` with `{id: 'a b'}` → `/api/workflows/a%20b`. */
export function fillPath(path: string, params: Record<string, string> = {}): string {
  return path.replace(/:([a-z_]+)/gi, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${path}: no value for :${name}`);
    return encodeURIComponent(value);
  });
}

/** A matcher for a route's path, for telling "no such path" (404) from "not with this method" (405). */
export function pathPattern(path: string): RegExp {
  return new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:([a-z_]+)/gi, '[^/]+')}$`);
}
