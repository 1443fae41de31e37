import type { ApiRoute } from "../apigateway/httpApi.ts";
import type { Deployment } from "./deployment.ts";

/**
 * What a reapply changed, in words for the console.
 *
 * @example
 * changesBetween(before, after); // ["queue shop-local-orders created", "1 event source wired"]
 */
export function changesBetween(before: Deployment, after: Deployment): string[] {
  const added = <T>(items: T[], others: T[], key: (item: T) => string) => items.filter((item) => !others.some((other) => key(other) === key(item)));
  const routeKey = (route: ApiRoute) => `${route.method} ${route.path}`;
  return [
    ...added(after.queues, before.queues, (queue) => queue.name).map((queue) => (queue.existing ? `queue ${queue.name} read, as it exists` : `queue ${queue.name} created`)),
    ...added(before.queues, after.queues, (queue) => queue.name).map((queue) => `queue ${queue.name} no longer in serverless.yml (kept, with its messages)`),
    ...added(after.buckets, before.buckets, (bucket) => bucket).map((bucket) => `bucket ${bucket} created`),
    ...added(after.routes, before.routes, routeKey).map((route) => `route ${routeKey(route)} added`),
    ...added(before.routes, after.routes, routeKey).map((route) => `route ${routeKey(route)} removed`),
    ...added(after.httpApi?.routes ?? [], before.httpApi?.routes ?? [], (route) => route.routeKey).map((route) => `HTTP API route ${route.routeKey} added`),
    ...added(before.httpApi?.routes ?? [], after.httpApi?.routes ?? [], (route) => route.routeKey).map((route) => `HTTP API route ${route.routeKey} removed`),
    ...after.functions.filter((runtime) => !before.functions.includes(runtime)).map((runtime) => `function ${runtime.name} (re)configured`),
    ...added(before.functions, after.functions, (runtime) => runtime.name).map((runtime) => `function ${runtime.name} removed`),
    `${after.runners.length} event source${after.runners.length === 1 ? "" : "s"} wired`,
  ];
}
