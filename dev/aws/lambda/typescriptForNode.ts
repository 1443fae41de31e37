import { stripTypeScriptTypes } from "node:module";
import { pathToFileURL } from "node:url";
import { transform } from "esbuild";
import { withEsbuild } from "./esbuildService.ts";

/**
 * A TypeScript module as JavaScript a container can load, read as the service's bundler (esbuild)
 * reads it. Node's type stripping, in the mode that blanks types in place, is the fast path and
 * keeps every line and column; a module written for a bundler that stripping cannot load as is
 * goes through esbuild's transform instead, with an inline source map (stack traces and
 * breakpoints land on the source's lines). That is a module whose syntax stripping refuses (an
 * enum, a namespace), or one importing a name that exists only as a type
 * (`import { Handler } from "aws-lambda"`, which esbuild drops and Node would look up). An
 * import without its extension needs no transform: the container resolves it (handlerResolution.ts).
 *
 * @example
 * await loadableTypeScript("/service/src/handler.ts", 'import { Handler } from "aws-lambda";\nexport const handler: Handler = async () => 1;');
 * // esbuild's output, the aws-lambda import dropped, with a source map
 */
export async function loadableTypeScript(file: string, source: string): Promise<string> {
  const stripped = stripOrUndefined(source);
  if (stripped !== undefined && !mayImportTypes(stripped)) return stripped;
  const bundlerView = async (sourcemap: boolean) =>
    (await withEsbuild(() => transform(source, { loader: file.endsWith(".tsx") ? "tsx" : "ts", sourcefile: pathToFileURL(file).href, ...(sourcemap && { sourcemap: "inline" as const }) }))).code;
  if (stripped !== undefined) {
    const kept = importedBindings(await bundlerView(false));
    if ([...importedBindings(stripped)].every((binding) => kept.has(binding))) return stripped;
  }
  return bundlerView(true);
}

/**
 * Each name a module imports or re-exports, as "specifier#name" ("specifier#" for a side-effect
 * import or `export *`), from its import and export-from statements.
 *
 * @example
 * importedBindings('import a, { b as c } from "./x.ts";'); // Set { "./x.ts#default", "./x.ts#b" }
 */
export function importedBindings(javascript: string): Set<string> {
  const bindings = new Set<string>();
  const statements = [
    ...javascript.matchAll(/(?:^|[;\n])\s*import\s*([\w$*{}\s,]*?)\s*(?:\bfrom\s*)?["']([^"'\n]+)["']/g),
    ...javascript.matchAll(/(?:^|[;\n])\s*export\s*(\*(?:\s*as\s+[\w$]+)?|\{[^}]*\})\s*from\s*["']([^"'\n]+)["']/g),
  ];
  for (const [, clause = "", specifier] of statements) {
    const named = /\{([^}]*)\}/.exec(clause)?.[1];
    const names = named?.split(",").map((part) => part.trim().split(/\s+as\s+/)[0]!.trim()).filter(Boolean) ?? [];
    const rest = clause.replace(/\{[^}]*\}/, "").replace(/,/g, " ").trim();
    if (/^[A-Za-z_$][\w$]*$/.test(rest)) names.push("default");
    if (/^\*/.test(rest)) names.push("*");
    if (names.length === 0) bindings.add(`${specifier}#`);
    for (const name of names) bindings.add(`${specifier}#${name}`);
  }
  return bindings;
}

/** Quick: a stripped module without named imports or re-exports cannot import a type by value. */
const mayImportTypes = (stripped: string): boolean => /\b(?:import|export)\s*[^"';]*\{/.test(stripped) || /\bimport\s+[A-Za-z_$][\w$]*\s*(?:,|\bfrom\b)/.test(stripped);

/**
 * `stripTypeScriptTypes` announces once per process that it is experimental. It is the stripper
 * that already runs every TypeScript file of the kit, so the notice would tell a user nothing;
 * it is held back for this call only. Undefined for syntax it cannot strip.
 */
function stripOrUndefined(source: string): string | undefined {
  const emitWarning = process.emitWarning;
  process.emitWarning = () => {};
  try {
    return stripTypeScriptTypes(source, { mode: "strip" });
  } catch {
    return undefined;
  } finally {
    process.emitWarning = emitWarning;
  }
}
