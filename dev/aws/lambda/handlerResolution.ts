import { readFileSync } from "node:fs";
import { createRequire, registerHooks } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { moduleFormatAsDeployed } from "./packageScope.ts";

/**
 * What Lambda's Node.js runtimes provide a handler that does not bundle it: the AWS SDK for
 * JavaScript v3, every `@aws-sdk/*` client (https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html),
 * with the `@smithy/*` packages it is built on.
 */
const RUNTIME_PROVIDED = /^@(aws-sdk|smithy)\//;

/** The extensions esbuild tries for an import without one, in its order (its `resolveExtensions`). */
const BUNDLER_EXTENSIONS = [".tsx", ".ts", ".jsx", ".js", ".css", ".json"];

/**
 * The files a relative import written for a bundler may mean, in the order esbuild tries them:
 * the path with each extension, then the folder's index. Empty for a bare or absolute specifier.
 *
 * @example
 * bundlerCandidates("./lib"); // ["./lib.tsx", "./lib.ts", …, "./lib/index.tsx", "./lib/index.ts", …]
 */
export function bundlerCandidates(specifier: string): string[] {
  if (!specifier.startsWith("./") && !specifier.startsWith("../") && specifier !== "." && specifier !== "..") return [];
  const base = specifier.replace(/\/$/, "");
  return [...BUNDLER_EXTENSIONS.map((extension) => base + extension), ...BUNDLER_EXTENSIONS.map((extension) => `${base}/index${extension}`)];
}

/** True for a package Lambda's runtime provides, which the kit's own node_modules can stand in for. */
export const isRuntimeProvided = (specifier: string): boolean => RUNTIME_PROVIDED.test(specifier);

const NOT_FOUND = new Set(["ERR_MODULE_NOT_FOUND", "MODULE_NOT_FOUND", "ERR_UNSUPPORTED_DIR_IMPORT"]);

/**
 * Resolves, in this thread, what a service's bundler or Lambda's runtime would and Node alone does
 * not: a relative import without its extension (`./lib` for lib.ts), as the service's esbuild
 * resolves it, and the AWS SDK v3 the runtime provides, from the kit's own node_modules when the
 * service has none. Node's own resolution comes first, so a handler that resolves as written pays
 * nothing. A `.js` file of the service loads as CommonJS or ES module as it would from the
 * deployment package, which holds `packageRoot` and nothing above it (packageScope.ts).
 *
 * @example
 * resolveAsLambdaDoes(import.meta.url, serviceDir);
 * await import(handlerUrl); // import { SQSClient } from "@aws-sdk/client-sqs" resolves without the service installing it
 */
export function resolveAsLambdaDoes(providedFrom: string, packageRoot: string): void {
  loadAsDeployed(packageRoot);
  registerHooks({
    resolve(specifier, context, nextResolve) {
      try {
        return nextResolve(specifier, context);
      } catch (error) {
        if (!NOT_FOUND.has((error as { code?: string }).code ?? "")) throw error;
        if (isRuntimeProvided(specifier)) {
          // A require() resolves from its parent module whatever the context says, so the kit's own require resolves it.
          if (context.conditions?.includes("require")) return { url: pathToFileURL(createRequire(providedFrom).resolve(specifier)).href, shortCircuit: true };
          return nextResolve(specifier, { ...context, parentURL: providedFrom });
        }
        for (const candidate of bundlerCandidates(specifier)) {
          try {
            return nextResolve(candidate, context);
          } catch {
            // The next candidate, as the bundler tries them.
          }
        }
        throw error;
      }
    },
  });
}

/**
 * Loads the service's `.js` files in the format they have in the deployment package
 * (packageScope.ts), whatever a package.json above the service says. An import reaches a
 * CommonJS file through the CommonJS loader (a load result without source), and that loader
 * reads the package scope again, so its `.js` extension, the loader's documented point of
 * extension, compiles such a file as CommonJS itself.
 */
function loadAsDeployed(packageRoot: string): void {
  const formatOf = (path: string) => moduleFormatAsDeployed(path, packageRoot, () => readFileSync(path, "utf8"));
  const extensions = (createRequire(import.meta.url)("node:module") as { _extensions: Record<string, CommonJsExtension> })._extensions;
  const javascript = extensions[".js"]!;
  extensions[".js"] = function (module, filename) {
    if (formatOf(filename) !== "commonjs") return javascript.call(this, module, filename);
    module._compile(readFileSync(filename, "utf8"), filename, "commonjs");
  };
  registerHooks({
    load(url, context, nextLoad) {
      const format = url.startsWith("file:") ? formatOf(fileURLToPath(url)) : undefined;
      if (format === "commonjs") return { format, source: null as unknown as undefined, shortCircuit: true };
      if (format === "module") return { format, source: readFileSync(fileURLToPath(url), "utf8"), shortCircuit: true };
      return nextLoad(url, context);
    },
  });
}

type CommonJsExtension = (this: unknown, module: { _compile(source: string, filename: string, format: "commonjs"): void }, filename: string) => void;
