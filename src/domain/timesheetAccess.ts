/** Who asks for a timesheet, as their sign-in's access token says. */
export interface TimesheetReader {
  /** The Cognito username: the employeeId. */
  username: string;
  groups: readonly string[];
}

/** The user pool group whose members read anyone's timesheet. */
export const MANAGERS_GROUP = "managers";

/**
 * An employee reads their own timesheet; a manager reads anyone's.
 *
 * @example
 * mayReadTimesheet({ username: "e-17", groups: [] }, "e-18"); // false
 * mayReadTimesheet({ username: "m-1", groups: ["managers"] }, "e-18"); // true
 */
export function mayReadTimesheet(reader: TimesheetReader, employeeId: string): boolean {
  return reader.username === employeeId || reader.groups.includes(MANAGERS_GROUP);
}
