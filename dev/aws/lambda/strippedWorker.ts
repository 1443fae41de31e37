import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";
import { importGraph } from "./importGraph.ts";
import { loadableTypeScript } from "./typescriptForNode.ts";

/**
 * A worker thread running a TypeScript module without a TypeScript stripper of its own. Node
 * strips each thread's TypeScript with its own instance of a WebAssembly compiler, about 10 MiB
 * and 60 ms of CPU per thread; a Lambda container pays it again at every cold start. The
 * modules come stripped from this thread instead (strippedSources), and strippedWorkerBootstrap.js
 * serves them to the worker's module loader. The module reads `workerData` as it was given.
 *
 * @example
 * const module = new URL("../server.ts", import.meta.url);
 * const worker = startStrippedWorker(module, ownStrippedSources(module), { workerData: { port } });
 */
export function startStrippedWorker(module: URL, sources: Promise<Map<string, string>>, options: WorkerOptions & { workerData: object }): Worker {
  const worker = new Worker(BOOTSTRAP, { ...options, workerData: { ...options.workerData, strippedWorkerEntry: module.href } });
  // Until the sources arrive the bootstrap waits; a worker ended before then ignores them.
  void sources.then((map) => worker.postMessage(map));
  return worker;
}

const BOOTSTRAP = new URL("./strippedWorkerBootstrap.js", import.meta.url);

/**
 * The TypeScript modules of the modules' import graph as JavaScript, keyed by file URL, stripped
 * by the stripper that runs this thread, in its mode that blanks types in place: every line and
 * column, and with them stack traces and breakpoints, stay those of the file; a module written for
 * a bundler that stripping cannot load goes through esbuild, as the service's bundler would read it
 * (typescriptForNode.ts). When the graph
 * cannot be read (an edit that does not parse yet), the map is empty and the worker strips its
 * modules itself, reporting the error as it always has.
 */
export async function strippedSources(modulePaths: string[], workingDir: string): Promise<Map<string, string>> {
  try {
    const files = [...(await importGraph(modulePaths, workingDir))].filter((file) => TYPESCRIPT_EXTENSIONS.has(extname(file)));
    return new Map(await Promise.all(files.map(async (file) => [pathToFileURL(file).href, await loadableTypeScript(file, await readFile(file, "utf8"))] as const)));
  } catch {
    return new Map();
  }
}

/** strippedSources of one module, its imports resolved from its own folder. */
export const ownStrippedSources = (module: URL) => strippedSources([fileURLToPath(module)], fileURLToPath(new URL(".", module)));

const TYPESCRIPT_EXTENSIONS = new Set([".ts", ".mts", ".cts"]);
