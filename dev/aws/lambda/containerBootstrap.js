// A container's entry, in JavaScript so that loading it needs no TypeScript stripper: the function
// runtime sends its own modules and the handler's already stripped (handlerSources.ts), and this
// thread serves them to its module loader before it loads the container (containerWorker.ts) and
// the handler. A module not among them (one imported only at run time, or all of them when the
// runtime could not read the graph, e.g. mid-edit) goes through Node's own stripper as before.
import { registerHooks } from "node:module";
import { parentPort, workerData } from "node:worker_threads";

/** @type {Map<string, string>} */
const sources = await new Promise((resolve) => parentPort.once("message", resolve));

/** Node's format hints for TypeScript files, and what their stripped source is. */
const STRIPPED_FORMATS = { "module-typescript": "module", "commonjs-typescript": "commonjs" };

registerHooks({
  load(url, context, nextLoad) {
    const source = sources.get(url);
    const format = STRIPPED_FORMATS[context.format];
    if (source === undefined || format === undefined) return nextLoad(url, context);
    return { format, source, shortCircuit: true };
  },
});

await import(workerData.containerModule);
