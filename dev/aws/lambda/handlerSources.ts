import { readFile } from "node:fs/promises";
import { stripTypeScriptTypes } from "node:module";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

/**
 * The files the modules import, directly or not, the modules included: from an esbuild bundle of
 * them with packages left external, so node_modules is not part of it.
 */
export async function importGraph(modulePaths: string[], serviceDir: string): Promise<Set<string>> {
  const { metafile } = await build({
    entryPoints: modulePaths,
    absWorkingDir: serviceDir,
    bundle: true,
    write: false,
    // Required with several entry points; nothing is written.
    outdir: "out",
    metafile: true,
    platform: "node",
    format: "esm",
    packages: "external",
    logLevel: "silent",
  });
  return new Set(Object.keys(metafile.inputs).map((input) => resolve(serviceDir, input)));
}

/**
 * The TypeScript modules of a container's import graph (the container's own module and the
 * handler's) as JavaScript, keyed by file URL, for it to load without a TypeScript stripper of its
 * own (containerBootstrap.js). Node strips
 * each worker thread's TypeScript with its own instance of a WebAssembly compiler: about 6 MiB
 * and 100 ms of CPU per container, paid again by every cold start. Stripped here once per code
 * version by that same stripper, in its mode that blanks types in place, so every line and column,
 * and with them stack traces and breakpoints, stay those of the file.
 */
export async function strippedSources(modulePaths: string[], serviceDir: string): Promise<Map<string, string>> {
  const files = [...(await importGraph(modulePaths, serviceDir))].filter((file) => TYPESCRIPT_EXTENSIONS.has(extname(file)));
  const sources = await Promise.all(files.map(async (file) => [pathToFileURL(file).href, stripTypes(await readFile(file, "utf8"))] as const));
  return new Map(sources);
}

const TYPESCRIPT_EXTENSIONS = new Set([".ts", ".mts", ".cts"]);

/**
 * `stripTypeScriptTypes` announces once per process that it is experimental. It is the stripper
 * that already runs every TypeScript file of the kit, so the notice would tell a user nothing;
 * it is held back for this call only.
 */
function stripTypes(source: string): string {
  const emitWarning = process.emitWarning;
  process.emitWarning = () => {};
  try {
    return stripTypeScriptTypes(source, { mode: "strip" });
  } finally {
    process.emitWarning = emitWarning;
  }
}
