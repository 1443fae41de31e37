// The entry of a worker started by startStrippedWorker (strippedWorker.ts), in JavaScript so that
// loading it needs no TypeScript stripper: the starting thread sends the worker's modules already
// stripped, and this serves them to the module loader before it loads the worker's own module. A
// module not among them (one imported only at run time, or all of them when the graph could not be
// read, e.g. mid-edit) goes through Node's own stripper as before.
import { registerHooks } from "node:module";
import { parentPort, workerData } from "node:worker_threads";

/** @type {Map<string, string>} */
const sources = await new Promise((resolve) => parentPort.once("message", resolve));

/** Node's format hints for TypeScript files, and what their stripped source is. */
const STRIPPED_FORMATS = { "module-typescript": "module", "commonjs-typescript": "commonjs" };

// A module esbuild transformed (typescriptForNode.ts) carries an inline source map; stack traces
// follow it only when asked to, and asking costs nothing when no module has one.
if ([...sources.values()].some((source) => source.includes("sourceMappingURL=data:"))) process.setSourceMapsEnabled(true);

registerHooks({
  load(url, context, nextLoad) {
    const source = sources.get(url);
    // A .ts file in a package whose package.json sets no "type" comes without a format: Node would
    // detect it from the syntax, and so does this, as a module when it has import or export statements.
    const format = STRIPPED_FORMATS[context.format] ?? (context.format == null && source !== undefined ? (/^\s*(?:import|export)\b/m.test(source) ? "module" : "commonjs") : undefined);
    if (source === undefined || format === undefined) return nextLoad(url, context);
    return { format, source, shortCircuit: true };
  },
});

await import(workerData.strippedWorkerEntry);
