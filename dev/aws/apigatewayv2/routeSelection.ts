import { LocalAwsError } from "../errors.ts";

/** A route as the selector sees it: its key, and whatever the caller hangs on it. */
export interface SelectableRoute {
  routeKey: string;
}

export interface SelectedRoute<Route extends SelectableRoute> {
  route: Route;
  /** Decoded, as API Gateway passes path parameters to the integration. */
  pathParameters: Record<string, string>;
}

type Segment = { kind: "literal"; text: string } | { kind: "variable"; name: string } | { kind: "greedy"; name: string };

interface CompiledRoute<Route extends SelectableRoute> {
  route: Route;
  method: string;
  segments: Segment[];
}

/** How specific a segment is: a literal beats a variable, which beats a greedy variable. */
const RANK = { literal: 0, variable: 1, greedy: 2 } as const;

/**
 * Picks the route of an HTTP API for a request as API Gateway does ("Routing API requests" in
 * "Create routes for HTTP APIs"): the most specific match first (a literal segment over a path
 * variable, a path variable over a greedy `{proxy+}`, segment by segment from the left), a route
 * of the request's method over `ANY` for the same path, and the `$default` route last. No match
 * and no `$default`: undefined, which the API answers 404 `{"message":"Not Found"}`.
 *
 * @example
 * const select = routeSelector([{ routeKey: "GET /pets/{id}" }, { routeKey: "ANY /{proxy+}" }]);
 * select("GET", "/pets/7"); // { route: { routeKey: "GET /pets/{id}" }, pathParameters: { id: "7" } }
 */
export function routeSelector<Route extends SelectableRoute>(routes: readonly Route[]): (method: string, path: string) => SelectedRoute<Route> | undefined {
  const fallback = routes.find((route) => route.routeKey === "$default");
  const compiled = routes.filter((route) => route !== fallback).map(compile).sort(bySpecificity);
  return (method, path) => {
    const requestSegments = path.split("/").slice(1);
    for (const candidate of compiled) {
      if (candidate.method !== method && candidate.method !== "ANY") continue;
      const pathParameters = matchSegments(candidate.segments, requestSegments);
      if (pathParameters) return { route: candidate.route, pathParameters };
    }
    return fallback ? { route: fallback, pathParameters: {} } : undefined;
  };
}

function compile<Route extends SelectableRoute>(route: Route): CompiledRoute<Route> {
  const match = /^([A-Z]+) (\/.*)$/.exec(route.routeKey);
  if (!match) throw new LocalAwsError(`the route key ${JSON.stringify(route.routeKey)} is not "METHOD /path" or "$default"`);
  const [, method, path] = match as unknown as [string, string, string];
  const parts = path === "/" ? [""] : path.split("/").slice(1);
  const segments = parts.map((part, index): Segment => {
    const variable = /^\{([^{}+]+)(\+?)\}$/.exec(part);
    if (!variable) return { kind: "literal", text: part };
    if (variable[2] !== "+") return { kind: "variable", name: variable[1]! };
    if (index !== parts.length - 1) throw new LocalAwsError(`${route.routeKey}: a greedy path variable must be at the end of the path`);
    return { kind: "greedy", name: variable[1]! };
  });
  return { route, method, segments };
}

/** Most specific first: segment kinds from the left, then more segments, then a method over ANY. */
function bySpecificity<Route extends SelectableRoute>(first: CompiledRoute<Route>, second: CompiledRoute<Route>): number {
  const length = Math.max(first.segments.length, second.segments.length);
  for (let index = 0; index < length; index += 1) {
    const a = first.segments[index];
    const b = second.segments[index];
    if (!a || !b) return a ? -1 : 1;
    if (RANK[a.kind] !== RANK[b.kind]) return RANK[a.kind] - RANK[b.kind];
  }
  return Number(first.method === "ANY") - Number(second.method === "ANY");
}

function matchSegments(segments: readonly Segment[], requested: readonly string[]): Record<string, string> | undefined {
  const pathParameters: Record<string, string> = {};
  for (const [index, segment] of segments.entries()) {
    const part = requested[index];
    if (part === undefined) return undefined;
    if (segment.kind === "greedy") {
      const rest = requested.slice(index).join("/");
      if (rest === "") return undefined;
      pathParameters[segment.name] = decoded(rest);
      return pathParameters;
    }
    if (segment.kind === "literal") {
      if (decoded(part) !== segment.text) return undefined;
    } else {
      if (part === "") return undefined;
      pathParameters[segment.name] = decoded(part);
    }
  }
  return requested.length === segments.length ? pathParameters : undefined;
}

/** A segment that is not valid percent-encoding reaches the integration as sent. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
