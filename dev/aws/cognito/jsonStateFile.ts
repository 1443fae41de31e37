import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * A JSON file that keeps part of a stack's state across restarts (signing keys, app clients, API
 * keys). Without a path it keeps nothing: the state lives as long as the process.
 *
 * @example
 * const file = new JsonStateFile<string[]>(join(stateDir, "keys.json"));
 * const keys = (await file.read()) ?? [];
 * await file.write([...keys, "new"]);
 */
export class JsonStateFile<T> {
  readonly #path: string | undefined;
  /** Writes run one after another: concurrent ones would race on the rename. */
  #writing: Promise<void> = Promise.resolve();

  constructor(path: string | undefined) {
    this.#path = path;
  }

  /** What was written last, or undefined when there is no file (or no path). */
  async read(): Promise<T | undefined> {
    if (this.#path === undefined) return undefined;
    return readFile(this.#path, "utf8").then((text) => JSON.parse(text) as T, () => undefined);
  }

  write(value: T): Promise<void> {
    const path = this.#path;
    if (path === undefined) return Promise.resolve();
    const text = JSON.stringify(value, null, 2);
    const write = async () => {
      await mkdir(dirname(path), { recursive: true });
      // Written aside then renamed, so a kill mid-write never leaves a half-written file.
      const partial = `${path}.${process.pid}.tmp`;
      await writeFile(partial, text, { mode: 0o600 });
      await rename(partial, path);
    };
    this.#writing = this.#writing.then(write, write);
    return this.#writing;
  }
}
