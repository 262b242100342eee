/**
 * Matches (method, path) against REST path templates such as `/things/{thingName}/principals`.
 * Labels are decoded per segment, so a label may hold an encoded `/` or `:` (a certificate ARN as `target`).
 */
export interface Route<T> {
  method: string;
  template: string;
  value: T;
}

export interface RouteMatch<T> {
  value: T;
  labels: Record<string, string>;
}

interface CompiledRoute<T> {
  method: string;
  segments: { literal?: string; label?: string }[];
  value: T;
}

export class Router<T> {
  private readonly routes: CompiledRoute<T>[] = [];

  constructor(routes: Route<T>[]) {
    for (const route of routes) {
      const segments = splitPath(route.template).map((segment) => {
        const label = /^\{(\w+)\}$/.exec(segment)?.[1];
        return label ? { label } : { literal: segment };
      });
      this.routes.push({ method: route.method.toUpperCase(), segments, value: route.value });
    }
  }

  /** The route for a request, `undefined` for an unknown path, or `'method-not-allowed'` when only the method differs. */
  match(method: string, path: string): RouteMatch<T> | 'method-not-allowed' | undefined {
    let rawSegments: string[];
    try {
      rawSegments = splitPath(path).map((segment) => decodeURIComponent(segment));
    } catch {
      return undefined;
    }
    let pathMatched = false;
    for (const route of this.routes) {
      const labels = matchSegments(route.segments, rawSegments);
      if (!labels) continue;
      pathMatched = true;
      if (route.method === method.toUpperCase()) return { value: route.value, labels };
    }
    return pathMatched ? 'method-not-allowed' : undefined;
  }
}

function splitPath(path: string): string[] {
  const trimmed = path.replace(/^\/+/, '').replace(/\/+$/, '');
  return trimmed === '' ? [] : trimmed.split('/');
}

function matchSegments(
  segments: { literal?: string; label?: string }[],
  raw: string[],
): Record<string, string> | undefined {
  if (segments.length !== raw.length) return undefined;
  const labels: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const value = raw[i]!;
    if (segment.label !== undefined) {
      if (value === '') return undefined;
      labels[segment.label] = value;
    } else if (segment.literal !== value) {
      return undefined;
    }
  }
  return labels;
}
