import type { LocalStatus } from "../aws/index.ts";

const LEVEL_COLOURS: Record<string, string> = { ERROR: "\x1b[31m", WARN: "\x1b[33m", INFO: "\x1b[36m", DEBUG: "\x1b[90m" };
const RESET = "\x1b[0m";
const DIM = "\x1b[2m";

/**
 * A function's JSON log line made readable: time, function, level, message, then the fields
 * that matter (correlation id first). Lines that are not JSON pass through as they are.
 */
export function renderLogLine(functionName: string, line: string, colour: boolean): string {
  const paint = (code: string, text: string) => (colour ? `${code}${text}${RESET}` : text);
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${paint(DIM, functionName)} ${line}`;
  }
  const { level = "INFO", message = "", timestamp, service: _service, sampling_rate: _rate, xray_trace_id: _trace, cold_start: _cold, function_arn: _arn, function_memory_size: _memory, function_name: _name, function_request_id: _request, ...fields } = entry;
  const time = typeof timestamp === "string" ? timestamp.slice(11, 23) : new Date().toISOString().slice(11, 23);
  const levelText = String(level).toUpperCase();
  const details = Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
  return `${paint(DIM, time)} ${paint(DIM, functionName)} ${paint(LEVEL_COLOURS[levelText] ?? "", levelText.padEnd(5))} ${String(message)} ${paint(DIM, details)}`.trimEnd();
}

/** One line of live counters from GET /_local/status. */
export function renderStatusLine(status: LocalStatus): string {
  const queues = status.queues.map(
    (queue) =>
      `${queue.name}: ${queue.visible} waiting, ${queue.inFlight} in flight` +
      (queue.deadLetterQueue ? `, ${queue.deadLetterQueue.visible + queue.deadLetterQueue.inFlight} in DLQ` : ""),
  );
  const sources = status.eventSources.map((source) => {
    const fn = status.functions.find((candidate) => candidate.name === source.function);
    return (
      `${source.function}: ${fn?.invocations ?? 0} invocations, ${fn?.inFlight ?? 0} running (peak ${fn?.peakConcurrency ?? 0}), ` +
      `${fn?.errors ?? 0} errors, ${fn?.throttles ?? 0} throttles, ${fn?.timeouts ?? 0} timeouts` +
      (fn?.durationP95Ms != null ? `, p95 ${fn.durationP95Ms} ms` : "")
    );
  });
  const database = typeof status.databaseConnections === "number" ? [`Postgres: ${status.databaseConnections} connections`] : [];
  return [...queues, ...sources, ...database].join(" | ");
}
