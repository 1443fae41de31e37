/** A problem the user can fix; the message says what is wrong and what to do. */
export class LocalAwsError extends Error {
  override name = "LocalAwsError";
}
