import { createRequire, registerHooks } from "node:module";
import { pathToFileURL } from "node:url";

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
 * nothing.
 *
 * @example
 * resolveAsLambdaDoes(import.meta.url);
 * await import(handlerUrl); // import { SQSClient } from "@aws-sdk/client-sqs" resolves without the service installing it
 */
export function resolveAsLambdaDoes(providedFrom: string): void {
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
