import { resolve } from "node:path";
import { build } from "esbuild";
import { withEsbuild } from "./esbuildService.ts";

/**
 * The files the modules import, directly or not, the modules included: from an esbuild bundle of
 * them with packages left external, so node_modules is not part of it.
 */
export async function importGraph(modulePaths: string[], workingDir: string): Promise<Set<string>> {
  const { metafile } = await withEsbuild(() =>
    build({
    entryPoints: modulePaths,
    absWorkingDir: workingDir,
    bundle: true,
    write: false,
    // Required with several entry points; nothing is written.
    outdir: "out",
    metafile: true,
    platform: "node",
    format: "esm",
    packages: "external",
    logLevel: "silent",
    }),
  );
  return new Set(Object.keys(metafile.inputs).map((input) => resolve(workingDir, input)));
}
