import { LocalAwsError } from "../aws/index.ts";

/** A command-line mistake the user can fix; the message says what is wrong and what to do. */
export class CommandError extends Error {
  override name = "CommandError";
}

/**
 * Runs a command's main and exits 1 if it fails: a problem the user can fix is one line,
 * anything else is shown whole, as the bug it is.
 */
export function runCommand(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof CommandError || error instanceof LocalAwsError ? `error: ${error.message}` : error);
    process.exit(1);
  });
}
