import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const AWS_DIR = dirname(fileURLToPath(import.meta.url));
/** The app this emulator was first written for; it must not leak into the emulator. */
const APP_WORDS = /punch|timesheet|ponto/i;

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(folder, entry.name)) : [join(folder, entry.name)],
  );
}

const sources = filesUnder(AWS_DIR).filter((file) => !file.endsWith(".test.ts"));

/** Every relative module specifier: static and type imports, re-exports, dynamic imports, workers. */
function relativeSpecifiers(source: string): string[] {
  const patterns = [/\bfrom\s+["'](\.[^"']*)["']/g, /\bimport\(\s*["'](\.[^"']*)["']/g, /new (?:URL|Worker)\(\s*["'](\.[^"']*)["']/g];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!));
}

describe("dev/aws, the local AWS, stands apart from the app", () => {
  it("has source files to check", () => {
    expect(sources.length).toBeGreaterThan(20);
  });

  it("imports nothing from outside dev/aws", () => {
    const escapes = sources.flatMap((file) =>
      relativeSpecifiers(readFileSync(file, "utf8"))
        .filter((specifier) => relative(AWS_DIR, resolve(dirname(file), specifier)).startsWith(".."))
        .map((specifier) => `${relative(AWS_DIR, file)} imports ${specifier}`),
    );
    expect(escapes).toEqual([]);
  });

  it("names neither the app nor its domain", () => {
    const mentions = sources.flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .map((line, index) => ({ line, index }))
        .filter(({ line }) => APP_WORDS.test(line))
        .map(({ line, index }) => `${relative(AWS_DIR, file)}:${index + 1}: ${line.trim()}`),
    );
    expect(mentions).toEqual([]);
  });
});
