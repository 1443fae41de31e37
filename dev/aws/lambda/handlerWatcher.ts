import { relative, resolve, sep } from "node:path";
import { watch } from "chokidar";
import type { FunctionRuntime } from "./functionRuntime.ts";
import { importGraph } from "./importGraph.ts";

/** Functions whose code changed, and the saved files that changed it. */
export interface CodeReload {
  functions: string[];
  files: string[];
}

export interface HandlerWatcherOptions {
  serviceDir: string;
  functions: readonly FunctionRuntime[];
  /** Files read when the stack starts (serverless.yml), whose change replacing containers cannot apply. */
  configFiles?: readonly string[];
  onReload: (reload: CodeReload) => void;
  onConfigChange?: (file: string) => void;
}

/** How long saves are gathered into one reload: an editor's save is often a few events. */
const SETTLE_MS = 30;

/**
 * Watches the service's files and, when one a handler imports (directly or not) is saved, replaces
 * that function's warm containers, so the next invocation runs the new code and one already running
 * finishes on the old. Each handler's import graph comes from an esbuild bundle of it with packages
 * left external (node_modules is not watched); it is taken again after each reload, as imports change.
 *
 * @example
 * const watcher = await watchHandlers({ serviceDir, functions, onReload: ({ functions, files }) => console.log(functions, files) });
 * await watcher.close();
 */
export async function watchHandlers(options: HandlerWatcherOptions): Promise<{ close(): Promise<void> }> {
  const serviceDir = resolve(options.serviceDir);
  const configFiles = new Set((options.configFiles ?? []).map((file) => resolve(serviceDir, file)));
  const graphs = new Map<FunctionRuntime, Set<string>>();
  const takeGraphs = async (functions: readonly FunctionRuntime[]) => {
    await Promise.all(
      functions.map(async (runtime) => {
        // A handler that does not build (a half-typed edit) keeps its last graph; the container reports the error.
        const graph = await importGraph([runtime.modulePath], serviceDir).catch(() => undefined);
        if (graph) graphs.set(runtime, graph);
        else if (!graphs.has(runtime)) graphs.set(runtime, new Set([runtime.modulePath]));
      }),
    );
  };
  await takeGraphs(options.functions);

  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const settle = () => {
    const files = [...pending];
    pending = new Set();
    for (const file of files.filter((file) => configFiles.has(file))) options.onConfigChange?.(file);
    const changed = options.functions.filter((runtime) => files.some((file) => graphs.get(runtime)?.has(file)));
    if (changed.length === 0) return;
    for (const runtime of changed) runtime.replaceContainers();
    options.onReload({
      functions: changed.map((runtime) => runtime.name),
      files: files.filter((file) => changed.some((runtime) => graphs.get(runtime)?.has(file))).map((file) => relative(serviceDir, file)),
    });
    void takeGraphs(changed);
  };

  const watcher = watch(serviceDir, {
    ignoreInitial: true,
    // Dependencies, and dot-folders (.git, build output, kept state), are not the service's own code.
    ignored: (path) => relative(serviceDir, path).split(sep).some((part) => part === "node_modules" || (part.startsWith(".") && part.length > 1)),
  });
  watcher.on("all", (event, path) => {
    if (event !== "change" && event !== "add" && event !== "unlink") return;
    pending.add(resolve(path));
    clearTimeout(timer);
    timer = setTimeout(settle, SETTLE_MS);
  });
  await new Promise<void>((ready) => watcher.once("ready", ready));
  return {
    async close() {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
