// The local console's page: figures and charts from the server's events (one a second), the
// dead-letter queues, a trace and the functions' log lines. Every text from the stack goes in
// through textContent: message bodies and log lines are data, never markup.

import { h, figure } from "./dom.js";
import { renderPipeline } from "./pipelineView.js";

const CHART_POINTS = 300;
const LOG_LINES_KEPT = 2000;
const LOG_LINES_SHOWN = 400;

const state = { pipeline: null, status: null, samples: [], logs: [], deadLetterCount: null, charts: null };

const time = (epoch) => (epoch ? new Date(epoch).toISOString().slice(11, 23) : "");

// ---- live events -------------------------------------------------------------------------------

function connect() {
  const events = new EventSource("/_local/events");
  const badge = document.getElementById("connection");
  events.addEventListener("open", () => {
    badge.textContent = "live";
    badge.className = "badge live";
  });
  events.addEventListener("error", () => {
    badge.textContent = "reconnecting…";
    badge.className = "badge down";
  });
  events.addEventListener("hello", (event) => {
    const hello = JSON.parse(event.data);
    state.pipeline = hello.pipeline;
    state.samples = hello.samples;
    state.logs = hello.logs;
    renderLogFunctions();
    if (hello.status) onStatus(hello.status);
    drawCharts();
    renderLogs();
  });
  events.addEventListener("tick", (event) => {
    const tick = JSON.parse(event.data);
    state.samples.push(tick.sample);
    if (state.samples.length > 600) state.samples.splice(0, state.samples.length - 600);
    state.logs.push(...tick.logs);
    if (state.logs.length > LOG_LINES_KEPT) state.logs.splice(0, state.logs.length - LOG_LINES_KEPT);
    onStatus(tick.status);
    drawCharts();
    if (tick.logs.length > 0) renderLogs();
  });
}

function onStatus(status) {
  state.status = status;
  document.getElementById("stage").textContent = `stage ${status.stage} · ${(status.memory.bytes / 2 ** 20).toFixed(0)} MiB`;
  document.getElementById("updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
  renderPipeline(state.pipeline, state.status);
  // In flight too: the list's own read hides the messages for a moment, which changes nothing.
  const deadLetters = status.queues.reduce((sum, queue) => sum + (queue.deadLetterQueue ? queue.deadLetterQueue.visible + queue.deadLetterQueue.inFlight : 0), 0);
  if (deadLetters !== state.deadLetterCount) {
    state.deadLetterCount = deadLetters;
    void loadDeadLetters();
  }
}


// ---- charts ------------------------------------------------------------------------------------

const COLOURS = ["#2f6fde", "#1a7f37", "#b42318", "#9a6700", "#8250df", "#0a7ea4", "#bf3989", "#57606a"];

function lineChart(id) {
  return new Chart(document.getElementById(id), {
    type: "line",
    data: { labels: [], datasets: [] },
    options: {
      animation: false,
      maintainAspectRatio: false,
      elements: { point: { radius: 0 }, line: { borderWidth: 1.5 } },
      scales: { x: { ticks: { maxTicksLimit: 6 } }, y: { beginAtZero: true } },
      plugins: { legend: { labels: { boxWidth: 10, font: { size: 10 } } } },
    },
  });
}

function setSeries(chart, labels, series) {
  chart.data.labels = labels;
  chart.data.datasets = Object.entries(series).map(([label, data], index) => ({
    label,
    data,
    borderColor: COLOURS[index % COLOURS.length],
    backgroundColor: COLOURS[index % COLOURS.length],
  }));
  chart.update("none");
}

function drawCharts() {
  if (typeof Chart === "undefined") return;
  state.charts ??= { throughput: lineChart("chart-throughput"), depth: lineChart("chart-depth"), concurrency: lineChart("chart-concurrency") };
  const samples = state.samples.slice(-CHART_POINTS);
  const labels = samples.map((sample) => new Date(sample.time).toLocaleTimeString());
  const byKey = (field) => {
    const keys = [...new Set(samples.flatMap((sample) => Object.keys(sample[field])))];
    return Object.fromEntries(keys.map((key) => [key, samples.map((sample) => sample[field][key] ?? 0)]));
  };
  setSeries(state.charts.throughput, labels, { "accepted/s": samples.map((s) => s.accepted), "stored/s": samples.map((s) => s.stored) });
  setSeries(state.charts.depth, labels, byKey("queueDepth"));
  setSeries(state.charts.concurrency, labels, byKey("concurrency"));
}

// ---- dead-letter queues ------------------------------------------------------------------------

async function post(path, body) {
  const response = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.message ?? `${path} answered ${response.status}`);
  return answer;
}

async function act(question, path, body) {
  if (!window.confirm(question)) return;
  try {
    await post(path, body);
  } catch (error) {
    window.alert(error.message);
  }
  await loadDeadLetters();
}

async function loadDeadLetters() {
  const target = document.getElementById("dead-letters");
  let listed;
  try {
    listed = await (await fetch("/_local/dead-letters")).json();
  } catch {
    return;
  }
  target.replaceChildren(
    ...listed.map(({ queue, deadLetterQueue, messages }) =>
      h(
        "div",
        { class: "dead-letter-queue", "data-queue": queue },
        h(
          "h3",
          {},
          `${deadLetterQueue} (${messages.length}) → ${queue} `,
          messages.length > 0 &&
            h("button", { type: "button", "data-action": "redrive-all", onclick: () => act(`Move all ${messages.length} messages of ${deadLetterQueue} back to ${queue}?`, "/_local/dead-letters/redrive", { queue }) }, "redrive all"),
        ),
        messages.length === 0
          ? h("p", { class: "muted" }, "empty")
          : h(
              "table",
              {},
              h("tr", {}, ["message", "sent", "receives", "failure reason", "body", "other attributes", ""].map((title) => h("th", {}, title))),
              messages.map((message) => {
                const { failureReason, ...others } = message.attributes;
                return h(
                  "tr",
                  { "data-message-id": message.messageId },
                  h("td", {}, message.messageId),
                  h("td", {}, new Date(message.sentAt).toLocaleString()),
                  h("td", { "data-field": "receiveCount" }, message.receiveCount),
                  h("td", { class: "reason" }, failureReason ?? ""),
                  h("td", { class: "body" }, message.body),
                  h("td", { class: "body" }, Object.entries(others).map(([name, value]) => `${name}=${value}`).join(" ")),
                  h(
                    "td",
                    {},
                    h("button", { type: "button", "data-action": "redrive", onclick: () => act(`Move message ${message.messageId} back to ${queue}?`, "/_local/dead-letters/redrive", { queue, messageId: message.messageId }) }, "redrive"),
                    " ",
                    h("button", { type: "button", "data-action": "delete", onclick: () => act(`Delete message ${message.messageId} for good?`, "/_local/dead-letters/delete", { queue, messageId: message.messageId }) }, "delete"),
                  ),
                );
              }),
            ),
      ),
    ),
  );
}

// ---- trace -------------------------------------------------------------------------------------

function traceLink(id) {
  return h("a", { href: `#trace=${encodeURIComponent(id)}` }, id);
}

async function trace(term) {
  document.getElementById("trace-term").value = term;
  const target = document.getElementById("trace");
  target.replaceChildren(h("p", { class: "muted" }, "tracing…"));
  const found = await (await fetch(`/_local/trace?q=${encodeURIComponent(term)}`)).json();
  const steps = [];
  for (const request of found.requests) {
    const ok = request.statusCode !== null && request.statusCode < 300;
    steps.push(h("div", { class: `trace-step ${ok ? "ok" : "bad"}`, "data-step": "request" },
      h("strong", {}, "request "), `${request.method} ${request.path} at ${time(request.time)} → ${figure(request.statusCode)} in ${figure(request.durationMs)} ms · id `, traceLink(request.requestId)));
  }
  for (const messageId of found.messageIds) {
    const receives = found.invocations.flatMap((invocation) => invocation.messages.filter((message) => message.messageId === messageId).map((message) => message.receiveCount));
    steps.push(h("div", { class: "trace-step", "data-step": "message" },
      h("strong", {}, "message "), messageId, ` · received ${receives.length} time${receives.length === 1 ? "" : "s"}${receives.length ? ` (receive count ${Math.max(...receives)})` : ""}`));
  }
  for (const invocation of found.invocations) {
    steps.push(h("div", { class: `trace-step ${invocation.outcome === "succeeded" ? "ok" : "bad"}`, "data-step": "invocation" },
      h("strong", {}, "invocation "),
      `${invocation.functionName} #${invocation.invocationId} in container ${invocation.containerId}${invocation.coldStart ? " (cold start)" : ""} at ${time(invocation.startedAt)}, ${figure(invocation.durationMs)} ms, batch of ${invocation.batchSize}: `,
      h("span", { "data-field": "outcome" }, invocation.outcome),
      invocation.error ? ` · ${invocation.error}` : "",
      invocation.logs.length > 0 ? h("pre", {}, invocation.logs.join("\n")) : null));
  }
  const storedOk = found.storedLookup === "found";
  steps.push(h("div", { class: `trace-step ${storedOk ? "ok" : ""}`, "data-step": "stored" },
    h("strong", {}, "stored "),
    storedOk ? h("pre", {}, found.stored.map((row) => JSON.stringify(row)).join("\n"))
      : typeof found.storedLookup === "object" ? `lookup failed: ${found.storedLookup.error}` : found.storedLookup === "unavailable" ? "the app gave no lookup" : "no stored record"));
  target.replaceChildren(h("p", { class: "verdict", "data-verdict": "" }, found.verdict), ...steps);
}

function traceFromHash() {
  const match = /^#trace=(.+)$/.exec(location.hash);
  if (match) void trace(decodeURIComponent(match[1]));
}

// ---- logs --------------------------------------------------------------------------------------

function renderLogFunctions() {
  const select = document.getElementById("log-function");
  const names = state.pipeline ? [...new Set([...state.pipeline.eventSources.map((source) => source.function), ...state.pipeline.routes.filter((route) => route.kind === "lambda-proxy" || route.kind === "lambda").map((route) => route.target)])] : [];
  select.replaceChildren(h("option", { value: "" }, "all functions"), ...names.map((name) => h("option", { value: name }, name)));
}

function renderLogs() {
  const fn = document.getElementById("log-function").value;
  const level = document.getElementById("log-level").value;
  const correlation = document.getElementById("log-correlation").value.trim();
  const lines = state.logs
    .filter((entry) => (!fn || entry.functionName === fn) && (!level || entry.level === level) && (!correlation || entry.correlationId === correlation || entry.line.includes(correlation)))
    .slice(-LOG_LINES_SHOWN);
  const list = document.getElementById("logs");
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
  list.replaceChildren(
    ...lines.map((entry) =>
      h("li", { class: entry.level ? `level-${entry.level}` : "" },
        `${time(entry.time)} ${entry.functionName} [${entry.containerId}] `,
        entry.correlationId ? [traceLink(entry.correlationId), " "] : null,
        entry.line),
    ),
  );
  if (atBottom) list.scrollTop = list.scrollHeight;
}

// ---- wiring ------------------------------------------------------------------------------------

document.getElementById("trace-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const term = document.getElementById("trace-term").value.trim();
  if (!term) return;
  // The same hash again fires no hashchange: trace it directly.
  if (location.hash === `#trace=${encodeURIComponent(term)}`) void trace(term);
  else location.hash = `trace=${encodeURIComponent(term)}`;
});
window.addEventListener("hashchange", traceFromHash);
document.getElementById("dead-letters-refresh").addEventListener("click", () => void loadDeadLetters());
for (const id of ["log-function", "log-level", "log-correlation"]) document.getElementById(id).addEventListener("input", renderLogs);
connect();
traceFromHash();
