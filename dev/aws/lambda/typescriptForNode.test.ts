import { describe, expect, it } from "vitest";
import { importedBindings, loadableTypeScript } from "./typescriptForNode.ts";

describe("a TypeScript module, as a container loads it", () => {
  it("is Node's stripped source, every line in place, when it marks its type imports (the fast path)", async () => {
    const source = 'import type { Handler } from "aws-lambda";\nimport { x } from "./lib.ts";\nexport const handler: Handler = async () => x;\n';
    const loaded = await loadableTypeScript("/service/handler.ts", source);
    expect(loaded).not.toContain("sourceMappingURL");
    expect(loaded.split("\n")[2]).toMatch(/^export const handler\s+= async \(\) => x;$/);
  });

  it("is esbuild's output with a source map when it imports a type by value, as the service's bundler accepts", async () => {
    const source = 'import { Handler } from "aws-lambda";\nimport { x, Shape } from "./lib";\nexport const handler: Handler = async () => ({ x } as Shape);\n';
    const loaded = await loadableTypeScript("/service/handler.ts", source);
    expect(loaded).not.toContain("aws-lambda");
    expect(loaded).not.toContain("Shape");
    expect(loaded).toContain('import { x } from "./lib"');
    expect(loaded).toContain("sourceMappingURL=data:application/json");
  });

  it("is esbuild's output when stripping refuses the syntax (an enum)", async () => {
    const loaded = await loadableTypeScript("/service/kinds.ts", "export enum Kind { In, Out }\n");
    expect(loaded).toContain("sourceMappingURL=data:");
  });

  it("reads the names each import and re-export statement brings in", () => {
    expect([...importedBindings('import a, { b as c, d } from "./x.ts";\nimport * as ns from "pkg";\nimport "./side.ts";\nexport { e } from "./y.ts";\nexport * from "./z.ts";\nconst s = "not an import";')]).toEqual([
      "./x.ts#b",
      "./x.ts#d",
      "./x.ts#default",
      "pkg#*",
      "./side.ts#",
      "./y.ts#e",
      "./z.ts#*",
    ]);
  });
});
