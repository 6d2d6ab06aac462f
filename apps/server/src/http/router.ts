import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RouteContext {
  request: IncomingMessage;
  response: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The caller proved the server token (always true when none is configured). */
  authenticated: boolean;
}

/** What a handler returns: a status and a JSON body, or nothing when it wrote the response itself. */
export type RouteResult = { status: number; body?: unknown } | void;
export type Handler = (context: RouteContext) => Promise<RouteResult> | RouteResult;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
  /** Reachable without the server token (health, login); every other route needs it when one is set. */
  public: boolean;
}

/** Method + path routing with `:name` segments; nothing more is needed here. */
export class Router {
  private readonly routes: Route[] = [];

  /** A route only an authenticated caller reaches. */
  add(method: string, path: string, handler: Handler): this {
    return this.register(method, path, handler, false);
  }

  /** A route anyone who passes the Host and Origin checks reaches; it must reveal nothing private. */
  addPublic(method: string, path: string, handler: Handler): this {
    return this.register(method, path, handler, true);
  }

  private register(method: string, path: string, handler: Handler, isPublic: boolean): this {
    const keys: string[] = [];
    const pattern = new RegExp(`^${path.replace(/\/:([a-z_]+)/gi, (_, key: string) => (keys.push(key), '/([^/]+)'))}$`);
    this.routes.push({ method, pattern, keys, handler, public: isPublic });
    return this;
  }

  /** The matching route, `405` when the path exists for other methods, or null. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string>; public: boolean } | 405 | null {
    let pathMatched = false;
    for (const route of this.routes) {
      const found = route.pattern.exec(path);
      if (!found) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((key, index) => (params[key] = decodeURIComponent(found[index + 1] as string)));
      return { handler: route.handler, params, public: route.public };
    }
    return pathMatched ? 405 : null;
  }
}
