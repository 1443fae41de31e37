import { parsePunch, type RecordedPunch } from "./punch.ts";
import { describeFieldErrors } from "./schemaErrors.ts";

/** A punch as it comes off the queue, before anything is known about its body. */
export interface PunchMessage {
  body: string;
  /** When the queue accepted it: the server-side receipt time of the punch. */
  receivedAt: string;
  correlationId?: string;
  /** The authenticated clock that sent it (the `clientId` attribute API Gateway adds). */
  clockId?: string;
}

export interface RecordPunchPorts {
  /** Stores the punch once; a punch whose id is already stored is a duplicate, not an error. */
  store(punch: RecordedPunch): Promise<"inserted" | "duplicate">;
  /** Parks a message that can never be recorded, with the reason, for a human to look at. */
  reject(message: PunchMessage, reason: string): Promise<void>;
}

export type RecordOutcome = "inserted" | "duplicate" | "rejected";

/**
 * Records one queued punch. A body that breaks the punch schema will fail the same way on every
 * retry, so it is parked at once instead of burning receives; anything else that fails (the
 * database, the network) throws, and the queue retries it.
 *
 * @example
 * await recordPunch({ body, receivedAt: new Date().toISOString() }, { store, reject }); // "inserted"
 */
export async function recordPunch(message: PunchMessage, ports: RecordPunchPorts): Promise<RecordOutcome> {
  const validation = parsePunch(message.body);
  if (!validation.ok) {
    await ports.reject(message, `invalid punch: ${describeFieldErrors(validation.errors)}`);
    return "rejected";
  }
  const recorded: RecordedPunch = {
    ...validation.punch,
    receivedAt: message.receivedAt,
    ...(message.correlationId === undefined ? {} : { correlationId: message.correlationId }),
    ...(message.clockId === undefined ? {} : { clockId: message.clockId }),
  };
  return ports.store(recorded);
}
