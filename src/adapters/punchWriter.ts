import DataLoader from "dataloader";
import type { DatabaseConfig } from "../config.ts";
import type { RecordedPunch } from "../domain/punch.ts";
import { databasePool, isDataError } from "./postgres.ts";
import { insertPunches } from "./punchRepository.ts";

type SaveOutcome = "inserted" | "duplicate";

/**
 * A function that saves one punch. Records of a batch are processed in parallel, and their saves
 * in the same tick are coalesced into one INSERT (DataLoader's batching), so a batch of ten costs
 * one round trip on the single connection the container holds, while each record still settles on
 * its own. Nothing connects until the first save.
 */
export function punchSaver(database: DatabaseConfig): (punch: RecordedPunch) => Promise<SaveOutcome> {
  const writer = new DataLoader((punches: readonly RecordedPunch[]) => insertCoalesced(database, punches), {
    cache: false,
    maxBatchSize: 500,
  });
  return (punch) => writer.load(punch);
}

async function insertCoalesced(database: DatabaseConfig, punches: readonly RecordedPunch[]): Promise<Array<SaveOutcome | Error>> {
  try {
    const inserted = await insertPunches(databasePool(database), punches);
    return punches.map((punch) => (inserted.has(punch.punchId) ? "inserted" : "duplicate"));
  } catch (error) {
    // One row the database refuses (a data or constraint error) must not fail its neighbours:
    // retry them one by one, so only that record is reported as failed. Anything else, such as
    // a lost connection, fails them all and the batch is retried.
    if (!isDataError(error) || punches.length === 1) throw error;
    return Promise.all(
      punches.map(async (punch) => {
        try {
          return (await insertPunches(databasePool(database), [punch])).size === 1 ? "inserted" : "duplicate";
        } catch (rowError) {
          return rowError as Error;
        }
      }),
    );
  }
}
