import DataLoader from "dataloader";
import type { RecordedPunch } from "../domain/punch.ts";
import { databasePool } from "./postgres.ts";
import { insertPunches } from "./punchRepository.ts";

type SaveOutcome = "inserted" | "duplicate";

let writer: DataLoader<RecordedPunch, SaveOutcome> | undefined;

/**
 * Saves one punch. Records of a batch are processed in parallel, and their saves in the same tick
 * are coalesced into one INSERT (DataLoader's batching), so a batch of ten costs one round trip
 * on the single connection the container holds, while each record still settles on its own.
 */
export function savePunch(punch: RecordedPunch): Promise<SaveOutcome> {
  writer ??= new DataLoader(insertCoalesced, { cache: false, maxBatchSize: 500 });
  return writer.load(punch);
}

async function insertCoalesced(punches: readonly RecordedPunch[]): Promise<Array<SaveOutcome | Error>> {
  try {
    const inserted = await insertPunches(databasePool(), punches);
    return punches.map((punch) => (inserted.has(punch.punchId) ? "inserted" : "duplicate"));
  } catch (error) {
    // One row the database refuses (a data or constraint error) must not fail its neighbours:
    // retry them one by one, so only that record is reported as failed. Anything else, such as
    // a lost connection, fails them all and the batch is retried.
    if (!isDataError(error) || punches.length === 1) throw error;
    return Promise.all(
      punches.map(async (punch) => {
        try {
          return (await insertPunches(databasePool(), [punch])).size === 1 ? "inserted" : "duplicate";
        } catch (rowError) {
          return rowError as Error;
        }
      }),
    );
  }
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation). */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && (code.startsWith("22") || code.startsWith("23"));
}
