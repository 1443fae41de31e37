import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { moduleFormatAsDeployed } from "./packageScope.ts";

/** A repository whose package.json says "type": "module", with a service folder inside it. */
function repositoryWithService(servicePackageJson?: object) {
  const repository = mkdtempSync(join(tmpdir(), "package-scope-"));
  writeFileSync(join(repository, "package.json"), JSON.stringify({ type: "module" }));
  const service = join(repository, "service");
  mkdirSync(join(service, "lib"), { recursive: true });
  if (servicePackageJson) writeFileSync(join(service, "package.json"), JSON.stringify(servicePackageJson));
  return { repository, service };
}

// Node's rules (https://nodejs.org/api/packages.html#determining-module-system, #syntax-detection),
// applied to what a deployment package holds: the service folder and nothing above it.
describe("a service's .js file, loaded as from its deployment package", () => {
  it("is CommonJS when no package.json of the service covers it, whatever the repository's says", () => {
    const { service } = repositoryWithService();
    expect(moduleFormatAsDeployed(join(service, "lib", "core.js"), service, () => "const { log } = require('./utils');\nmodule.exports = { log };")).toBe("commonjs");
  });

  it("is an ES module when it has module syntax and no package.json of the service covers it", () => {
    const { service } = repositoryWithService();
    expect(moduleFormatAsDeployed(join(service, "handler.js"), service, () => "export const landingPage = () => ({});")).toBe("module");
    expect(moduleFormatAsDeployed(join(service, "meta.js"), service, () => "const here = import.meta.url;")).toBe("module");
  });

  it("is left to Node where the service's own package.json decides, or the file is not the service's", () => {
    const { service } = repositoryWithService({ name: "service" });
    const unread = () => {
      throw new Error("the source is not read");
    };
    expect(moduleFormatAsDeployed(join(service, "lib", "core.js"), service, unread)).toBeUndefined();
    const other = repositoryWithService();
    expect(moduleFormatAsDeployed(join(other.repository, "tool.js"), other.service, unread)).toBeUndefined();
    expect(moduleFormatAsDeployed(join(other.service, "node_modules", "dep", "index.js"), other.service, unread)).toBeUndefined();
    expect(moduleFormatAsDeployed(join(other.service, "handler.ts"), other.service, unread)).toBeUndefined();
  });
});
