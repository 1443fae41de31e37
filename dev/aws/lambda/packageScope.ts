import { existsSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { compileFunction } from "node:vm";

/**
 * How Lambda's Node.js runtime loads a `.js` file of the deployment package: the package holds
 * the service folder only, so a `package.json` above it (the repository's, with `"type": "module"`)
 * is not there to decide. Where no `package.json` inside the service folder covers the file, Node
 * on Lambda sees none at all and reads the file as its syntax says: CommonJS unless it has ES
 * module syntax (https://nodejs.org/api/packages.html#syntax-detection). Undefined where a
 * `package.json` of the service covers the file, or the file is outside the service or a
 * dependency's: Node's own answer is then Lambda's.
 *
 * @example
 * moduleFormatAsDeployed("/repo/fixtures/api/handler.js", "/repo/fixtures/api", () => "module.exports.hello = async () => ({})"); // "commonjs"
 */
export function moduleFormatAsDeployed(filePath: string, packageRoot: string, source: () => string): "commonjs" | "module" | undefined {
  const inPackage = relative(packageRoot, filePath);
  if (!filePath.endsWith(".js") || inPackage.startsWith("..") || inPackage.split(sep).includes("node_modules")) return undefined;
  for (let folder = dirname(filePath); ; folder = dirname(folder)) {
    if (existsSync(join(folder, "package.json"))) return undefined;
    if (folder === packageRoot || relative(packageRoot, folder).startsWith("..")) break;
  }
  return hasModuleSyntax(source()) ? "module" : "commonjs";
}

/** True when the text does not compile as a CommonJS module body: import/export, import.meta, top-level await. */
function hasModuleSyntax(text: string): boolean {
  try {
    compileFunction(text, ["exports", "require", "module", "__filename", "__dirname"]);
    return false;
  } catch (error) {
    // Any other syntax error is the module's own, reported as Node reports it when it loads.
    return error instanceof SyntaxError && /\b(import|export|await)\b/.test(error.message);
  }
}
