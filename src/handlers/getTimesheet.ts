import type { APIGatewayProxyHandler } from "aws-lambda";
import { databasePool } from "../adapters/postgres.ts";
import { punchesOf } from "../adapters/punchStore.ts";
import { parseDateRange, widenByOneDay } from "../domain/dateRange.ts";
import { databaseConfigFromEnv } from "../config.ts";
import { isEmployeeId } from "../domain/punch.ts";
import { timesheetFor } from "../domain/timesheet.ts";
import { mayReadTimesheet } from "../domain/timesheetAccess.ts";
import { timesheetReaderOf } from "./authorizerClaims.ts";
import { json } from "./httpResponses.ts";

// Read at init: a missing setting fails the container's start, naming the variable.
const database = databaseConfigFromEnv();

/** GET /employees/{employeeId}/timesheet?from=YYYY-MM-DD&to=YYYY-MM-DD: one's own, or anyone's for a manager. */
export const handler: APIGatewayProxyHandler = async (event) => {
  const employeeId = event.pathParameters?.employeeId ?? "";
  if (!isEmployeeId(employeeId)) {
    return json(400, { message: "Invalid path", errors: [{ field: "employeeId", message: "must be 1 to 64 letters, digits, '.', '_' or '-'" }] });
  }

  const reader = timesheetReaderOf(event);
  if (!reader || !mayReadTimesheet(reader, employeeId)) {
    return json(403, { message: "an employee reads their own timesheet; a member of managers reads anyone's" });
  }

  const parsed = parseDateRange(event.queryStringParameters?.from, event.queryStringParameters?.to);
  if (!parsed.ok) return json(400, { message: "Invalid query string", errors: parsed.errors });

  const punches = await punchesOf(databasePool(database), employeeId, widenByOneDay(parsed.range));
  return json(200, timesheetFor(employeeId, punches, parsed.range));
};
