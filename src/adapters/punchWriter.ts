import DataLoader from "dataloader";
import type { RecordedPunch } from "../domain/punch.ts";
import { databasePool } from "./postgres.ts";
import { insertPunches } from "./punchRepository.ts";

let writer: DataLoader<RecordedPunch, "inserted" | "duplicate"> | undefined;

/**
 * Saves one punch. Records of a batch are processed in parallel, and their saves in the same tick
 * are coalesced into one INSERT (DataLoader's batching), so a batch of ten costs one round trip
 * on the single connection the container holds, while each record still settles on its own.
 */
export function savePunch(punch: RecordedPunch): Promise<"inserted" | "duplicate"> {
  writer ??= new DataLoader(
    async (punches) => {
      const inserted = await insertPunches(databasePool(), punches);
      return punches.map((punch) => (inserted.has(punch.punchId) ? "inserted" : "duplicate"));
    },
    { cache: false, maxBatchSize: 500 },
  );
  return writer.load(punch);
}
