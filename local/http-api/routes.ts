import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { EmulatorConfigError } from '../errors.js';

/** One `httpApi` event of a serverless.yml function: `POST /devices`, `DELETE /devices/{deviceId}`, `*` methods. */
export interface HttpRoute {
  method: string;
  path: string;
  /** Key under `functions:` (`vend`). */
  functionKey: string;
  /** `POST /devices` as API Gateway names the route. */
  routeKey: string;
  segments: string[];
}

export interface RouteMatch {
  route: HttpRoute;
  pathParameters: Record<string, string>;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', '*']);
const PATH = /^\/[A-Za-z0-9._~{}+/-]*$/;

function routeOf(functionKey: string, method: string, path: string): HttpRoute {
  const upper = method.toUpperCase();
  if (!METHODS.has(upper) || !PATH.test(path)) {
    throw new EmulatorConfigError(
      'BAD_HTTP_ROUTE',
      `${functionKey}: httpApi route "${method} ${path}" is not supported`,
    );
  }
  return {
    method: upper,
    path,
    functionKey,
    routeKey: `${upper === '*' ? 'ANY' : upper} ${path}`,
    segments: path.split('/').filter(Boolean),
  };
}

/** Reads the `httpApi` events of every function of `<directory>/serverless.yml` (none when there is no file). */
export function loadHttpRoutes(directory: string): HttpRoute[] {
  const file = join(directory, 'serverless.yml');
  if (!existsSync(file)) return [];
  const document = parse(readFileSync(file, 'utf8')) as { functions?: Record<string, { events?: unknown[] }> } | null;
  const routes: HttpRoute[] = [];
  for (const [key, fn] of Object.entries(document?.functions ?? {})) {
    for (const event of fn?.events ?? []) {
      const spec = (event as { httpApi?: unknown })?.httpApi;
      if (spec === undefined) continue;
      if (typeof spec === 'string') {
        const [method = '', path = ''] = spec.trim().split(/\s+/);
        routes.push(routeOf(key, method, path));
      } else if (spec && typeof spec === 'object') {
        const { method, path } = spec as { method?: unknown; path?: unknown };
        routes.push(routeOf(key, String(method ?? ''), String(path ?? '')));
      }
    }
  }
  return routes;
}

/**
 * The route for a request, API Gateway's way: a route with more literal segments wins over one with parameters, and
 * a matching path with another method is still "not found" (HTTP APIs answer 404, not 405).
 */
export function matchRoute(routes: HttpRoute[], method: string, path: string): RouteMatch | undefined {
  const parts = path.split('/').filter(Boolean);
  let best: { match: RouteMatch; literals: number } | undefined;
  for (const route of routes) {
    if (route.method !== '*' && route.method !== method.toUpperCase()) continue;
    if (route.segments.length !== parts.length) continue;
    const pathParameters: Record<string, string> = {};
    let literals = 0;
    let ok = true;
    route.segments.forEach((segment, index) => {
      const part = parts[index] ?? '';
      const parameter = /^\{([A-Za-z0-9_]+)\}$/.exec(segment);
      if (parameter?.[1]) {
        if (part === '') ok = false;
        pathParameters[parameter[1]] = part;
      } else if (segment === part) {
        literals++;
      } else {
        ok = false;
      }
    });
    if (ok && (!best || literals > best.literals)) best = { match: { route, pathParameters }, literals };
  }
  return best?.match;
}
