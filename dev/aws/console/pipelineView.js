// The console's pipeline: each route (behind its authorizer) to its queue or function, each queue
// through its event source to its function and the database, with the figures of the last status.

import { h, figure } from "./dom.js";

function box(kind, name, figures, alert = false, attributes = {}) {
  return h(
    "div",
    { class: alert ? "box alert" : "box", "data-box": kind, "data-name": name, ...attributes },
    h("h3", {}, kind),
    h("div", { class: "name" }, name),
    h("dl", {}, Object.entries(figures).flatMap(([label, [field, value]]) => [h("dt", {}, label), h("dd", { "data-field": field }, figure(value))])),
  );
}

const arrow = () => h("span", { class: "arrow" }, "→");

function queueBox(name, status) {
  const queue = status.queues.find((candidate) => candidate.name === name);
  if (!queue) return box("queue", name, {});
  const figures = { visible: ["visible", queue.visible], "in flight": ["inFlight", queue.inFlight], delayed: ["delayed", queue.delayed] };
  const parked = queue.deadLetterQueue ? queue.deadLetterQueue.visible + queue.deadLetterQueue.inFlight : 0;
  if (queue.deadLetterQueue) figures.DLQ = ["deadLetterMessages", parked];
  return box("queue", name, figures, parked > 0);
}

function functionBox(name, status) {
  const fn = status.functions.find((candidate) => candidate.name === name);
  if (!fn) return box("function", name, {});
  return box("function", name, {
    running: ["inFlight", fn.reservedConcurrency === null ? fn.inFlight : `${fn.inFlight} / ${fn.reservedConcurrency}`],
    invocations: ["invocations", fn.invocations],
    errors: ["errors", fn.errors],
    throttles: ["throttles", fn.throttles],
    timeouts: ["timeouts", fn.timeouts],
    "cold starts": ["coldStarts", fn.coldStarts],
    "p50 ms": ["durationP50Ms", fn.durationP50Ms],
    "p95 ms": ["durationP95Ms", fn.durationP95Ms],
  }, fn.errors + fn.throttles + fn.timeouts > 0);
}

function eventSourceBox(mapping, status) {
  const source = status.eventSources.find((candidate) => candidate.queue === mapping.queue && candidate.function === mapping.function);
  const cap = mapping.maximumConcurrency ?? "–";
  return box("event source", `batch ${mapping.batchSize}`, {
    batches: ["inFlightBatches", source ? `${source.inFlightBatches} / ${cap}` : null],
    peak: ["peakConcurrentBatches", source?.peakConcurrentBatches],
    "throttled batches": ["throttledBatches", source?.throttledBatches],
    "failed records": ["failedRecords", source?.failedRecords],
    deleted: ["deleted", source?.deleted],
  }, false, { "data-queue": mapping.queue, "data-function": mapping.function });
}

const AUTHORIZER_KINDS = { cognito: "Cognito", jwt: "JWT", lambda: "Lambda" };

/** The authorizer in front of a route; a Lambda authorizer's box carries its function's figures. */
function authorizerBox(authorizer, status) {
  const fn = authorizer.function && status.functions.find((candidate) => candidate.name === authorizer.function);
  const figures = fn ? { invocations: ["invocations", fn.invocations], errors: ["errors", fn.errors], "p95 ms": ["durationP95Ms", fn.durationP95Ms] } : {};
  return box("authorizer", `${AUTHORIZER_KINDS[authorizer.kind]} ${authorizer.name}`, figures, fn ? fn.errors + fn.throttles + fn.timeouts > 0 : false, {
    "data-kind": authorizer.kind,
    ...(authorizer.function && { "data-function": authorizer.function }),
  });
}

function databaseBox(status) {
  return box("database", "Postgres", { connections: ["databaseConnections", status.databaseConnections] });
}

/** Draws the pipeline from the template's map and the latest status; nothing until both are known. */
export function renderPipeline(pipeline, status) {
  if (!pipeline || !status) return;
  const rows = [];
  const { routes, eventSources } = pipeline;
  const fromQueue = (queue) => {
    const mappings = eventSources.filter((mapping) => mapping.queue === queue);
    return mappings.length === 0 ? [] : mappings.flatMap((mapping) => [arrow(), eventSourceBox(mapping, status), arrow(), functionBox(mapping.function, status), arrow(), databaseBox(status)]);
  };
  // Storage-first routes (to a queue) first: they are the pipeline; Lambda proxy routes after.
  const order = { sqs: 0, "lambda-proxy": 1, lambda: 1, mock: 2 };
  for (const route of [...routes].sort((a, b) => order[a.kind] - order[b.kind])) {
    // The authorizer stands between the route and what it reaches, as API Gateway runs it first.
    const guarded = route.authorizer ? [box("route", `${route.method} ${route.path}`, {}), arrow(), authorizerBox(route.authorizer, status)] : [box("route", `${route.method} ${route.path}`, {})];
    if (route.kind === "sqs" && route.target) rows.push([...guarded, arrow(), queueBox(route.target, status), ...fromQueue(route.target)]);
    else if ((route.kind === "lambda-proxy" || route.kind === "lambda") && route.target) rows.push([...guarded, arrow(), functionBox(route.target, status)]);
    else rows.push([...guarded, h("span", { class: "arrow muted" }, "mock")]);
  }
  const routed = new Set(routes.filter((route) => route.kind === "sqs").map((route) => route.target));
  for (const queue of status.queues) {
    if (!routed.has(queue.name)) rows.push([h("span", { class: "arrow muted" }, "sent by a function"), arrow(), queueBox(queue.name, status), ...fromQueue(queue.name)]);
  }
  document.getElementById("pipeline").replaceChildren(...rows.map((row) => h("div", { class: "flow" }, row)));
}
