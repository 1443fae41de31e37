/** A problem the user can fix; the message says what is wrong and what to do. */
export class LocalStackError extends Error {
  override name = "LocalStackError";
}
