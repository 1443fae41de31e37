import { LocalAwsError } from "../errors.ts";

/** What the installed framework accepts of a `frameworkVersion` range, from its own semver. */
export interface FrameworkVersionCheck {
  /** The installed framework's version, "4.3.1" for osls 4.3.1. */
  version: string;
  /** False for what is not a semver range: the framework reports that itself. */
  isRange: (range: string) => boolean;
  /** True when `version` satisfies `range`. */
  satisfies: (range: string) => boolean;
  /** True when `range` admits some Serverless Framework 3.x release. */
  admitsV3: (range: string) => boolean;
}

export interface CompatibleConfiguration {
  /** The configuration to package; the same text when nothing needed changing. */
  text: string;
  /** What was changed and why, one line each; empty when `text` is the original. */
  changes: string[];
}

/**
 * The service's serverless.yml as the installed framework (osls) packages it. osls continues the
 * Serverless Framework v3 line and refuses what v3 services commonly carry: a `frameworkVersion`
 * of '3' (osls checks its own 4.x version against it), the v1/v2 object form `service: { name }`
 * and `provider.lambdaHashingVersion`.
 * Both are rewritten in a copy, every other line left as it is (line numbers of errors stay right);
 * a range that admits no v3 release is refused, as osls would.
 *
 * @example
 * compatibleConfiguration("service: shop\nframeworkVersion: '3'\n", check).changes; // ["frameworkVersion '3': …"]
 */
export function compatibleConfiguration(text: string, check: FrameworkVersionCheck): CompatibleConfiguration {
  const changes: string[] = [];
  let result = text.replace(/^frameworkVersion:[ \t]*(["']?)([^"'#\r\n]*?)\1[ \t]*(#[^\r\n]*)?$/m, (line, _quote, range: string) => {
    const wanted = range.trim();
    if (wanted === "" || !check.isRange(wanted) || check.satisfies(wanted)) return line;
    if (!check.admitsV3(wanted)) {
      throw new LocalAwsError(
        `frameworkVersion '${wanted}' admits no Serverless Framework v3 release, and the framework installed is osls ` +
          `${check.version}, which continues the v3 line. Port the service to v3 and set frameworkVersion: '3'.`,
      );
    }
    changes.push(`frameworkVersion '${wanted}' is packaged by osls ${check.version}, which continues the Serverless Framework v3 line`);
    return `# frameworkVersion '${wanted}': packaged by osls ${check.version}, the v3 line`;
  });
  result = result.replace(/^service:[ \t]*\{[ \t]*name:[ \t]*(["']?)([^"',}\s]+)\1[^}\r\n]*\}[ \t]*$/m, (_line, _quote, name: string) => {
    changes.push(`service: { name: ${name} } (object form) is packaged as service: ${name}`);
    return `service: ${name}`;
  });
  result = result.replace(/^service:[ \t]*(#[^\r\n]*)?\r?\n((?:[ \t]+[^\r\n]*\r?\n|[ \t]*\r?\n)+)/m, (block, _comment, body: string) => {
    const name = /^[ \t]+name:[ \t]*(["']?)([^"'#\s]+)\1/m.exec(body)?.[2];
    if (!name) return block;
    changes.push(`service: { name: ${name} } (object form) is packaged as service: ${name}`);
    // The block's other keys (awsKmsKeyArn) have no place in v3's string form; blank lines keep the numbering.
    return `service: ${name}\n${body.replace(/[^\n]/g, "")}`;
  });
  // v3 accepts provider.lambdaHashingVersion ('20201221' is its default, a deprecated no-op) and
  // osls's schema refuses it; it only decides how Lambda version hashes are computed on deploy.
  result = result.replace(/^([ \t]+)lambdaHashingVersion:[ \t]*(["']?)(\d+)\2[ \t]*(#[^\r\n]*)?$/m, (_line, indent: string, _quote, version: string) => {
    changes.push(`provider.lambdaHashingVersion '${version}' is left out: v3 reads it only to hash Lambda versions on deploy, and osls refuses it`);
    return `${indent}# lambdaHashingVersion '${version}': left out, osls refuses it`;
  });
  return { text: result, changes };
}

/** What to use instead of a runtime Lambda no longer accepts. */
export const RUNTIME_FIX = "use nodejs20.x or later";

/**
 * The framework's refusal of a runtime (its schema lists the runtimes it accepts), with the fix
 * named; other output is returned as it is.
 */
export function withRuntimeFix(frameworkOutput: string): string {
  const at = /Configuration error at '([^']*\bruntime)'/.exec(frameworkOutput)?.[1];
  return at ? `${frameworkOutput}\n${at}: a runtime AWS Lambda no longer accepts (nodejs18.x and older), or none it knows; ${RUNTIME_FIX}.` : frameworkOutput;
}
