import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RouteContext {
  request: IncomingMessage;
  response: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
}

/** What a handler returns: a status and a JSON body, or nothing when it wrote the response itself. */
export type RouteResult = { status: number; body?: unknown } | void;
export type Handler = (context: RouteContext) => Promise<RouteResult> | RouteResult;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

/** Method + path routing with `:name` segments; nothing more is needed here. */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const pattern = new RegExp(
      `^${path.replace(/\/:([a-z_]+)/gi, (_, key: string) => (keys.push(key), '/([^/]+)'))}$`,
    );
    this.routes.push({ method, pattern, keys, handler });
    return this;
  }

  /** The matching route, `405` when the path exists for other methods, or null. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | 405 | null {
    let pathMatched = false;
    for (const route of this.routes) {
      const found = route.pattern.exec(path);
      if (!found) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((key, index) => (params[key] = decodeURIComponent(found[index + 1] as string)));
      return { handler: route.handler, params };
    }
    return pathMatched ? 405 : null;
  }
}
