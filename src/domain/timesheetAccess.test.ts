import { describe, expect, it } from "vitest";
import { mayReadTimesheet } from "./timesheetAccess.ts";

describe("mayReadTimesheet", () => {
  it("lets an employee read their own timesheet only, and a manager anyone's", () => {
    expect(mayReadTimesheet({ username: "e-17", groups: [] }, "e-17")).toBe(true);
    expect(mayReadTimesheet({ username: "e-17", groups: ["staff"] }, "e-18")).toBe(false);
    expect(mayReadTimesheet({ username: "m-1", groups: ["staff", "managers"] }, "e-18")).toBe(true);
  });
});
