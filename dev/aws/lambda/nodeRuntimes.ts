import { RUNTIME_FIX } from "../cloudformation/frameworkCompatibility.ts";
import { LocalAwsError } from "../errors.ts";

/** How Lambda's Node.js runtime of one identifier calls a handler and what context it passes. */
export interface NodeRuntimeRules {
  runtime: string;
  /**
   * A handler declaring 3 parameters (event, context, callback) is callback-style. nodejs24.x and
   * later refuse it at init with Runtime.CallbackHandlerDeprecated: "AWS Lambda has removed support
   * for callback-based function handlers starting with Node.js 24"
   * (aws/aws-lambda-nodejs-runtime-interface-client, src/context/constants.ts; the proposal in issue
   * #137 keeps both signatures on Node.js 18, 20 and 22; https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html).
   */
  callbackHandlers: boolean;
  /**
   * context.done/succeed/fail and callbackWaitsForEmptyEventLoop, kept for callback-era code by the
   * runtimes up to nodejs22.x; the nodejs24.x context has neither (the interface client's
   * src/context/context-builder.ts).
   */
  legacyContextMethods: boolean;
}


/**
 * The Node.js runtimes Lambda accepts for a new function, those osls 4.3 accepts too
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html: nodejs18.x and older are
 * deprecated, creating functions with them blocked).
 */
const NODE_RUNTIMES: readonly NodeRuntimeRules[] = [
  { runtime: "nodejs20.x", callbackHandlers: true, legacyContextMethods: true },
  { runtime: "nodejs22.x", callbackHandlers: true, legacyContextMethods: true },
  { runtime: "nodejs24.x", callbackHandlers: false, legacyContextMethods: false },
];

/**
 * The rules of a function's Runtime (AWS::Lambda::Function Runtime); one Lambda no longer accepts,
 * or one that is not Node.js (the local stack runs Node.js handlers only), is refused, naming it.
 *
 * @example
 * nodeRuntimeRules("nodejs22.x", "shop-dev-hello").callbackHandlers; // true
 * nodeRuntimeRules("nodejs14.x", "shop-dev-hello"); // throws: … use nodejs20.x or later
 */
export function nodeRuntimeRules(runtime: string, functionName: string): NodeRuntimeRules {
  const rules = NODE_RUNTIMES.find((candidate) => candidate.runtime === runtime);
  if (rules) return rules;
  if (/^nodejs(\d+(\.\d+)*(\.x)?)?$/.test(runtime)) {
    throw new LocalAwsError(`${functionName}: Runtime ${runtime} is one AWS Lambda no longer accepts for a function; ${RUNTIME_FIX}`);
  }
  throw new LocalAwsError(
    `${functionName}: Runtime ${runtime} is not emulated: the local stack runs Node.js handlers only (${NODE_RUNTIMES.map(({ runtime: name }) => name).join(", ")})`,
  );
}
