import type { NodeRuntimeRules } from "./nodeRuntimes.ts";

/** Messages between the function runtime and its container workers. */
export interface ContainerSettings {
  modulePath: string;
  exportName: string;
  /** The service folder: what the deployment package holds (lambda/packageScope.ts). */
  packageRoot: string;
  functionName: string;
  functionArn: string;
  memoryMegabytes: number;
  /** How the function's Runtime calls its handler. */
  runtime: NodeRuntimeRules;
}

export interface InvocationRequest {
  invocationId: number;
  event: unknown;
  /** Epoch milliseconds when the function timeout ends the invocation. */
  deadline: number;
}

export type InvocationReply =
  /** The result as JSON text, as Lambda's runtime serialises it: functions dropped, undefined as null. */
  | { invocationId: number; ok: true; payload: string }
  | { invocationId: number; ok: false; error: FunctionError };

export interface FunctionError {
  errorType: string;
  errorMessage: string;
  stack: string[];
}
