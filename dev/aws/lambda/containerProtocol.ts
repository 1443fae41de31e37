/** Messages between the function runtime and its container workers. */
export interface ContainerSettings {
  modulePath: string;
  exportName: string;
  functionName: string;
  functionArn: string;
  memoryMegabytes: number;
}

export interface InvocationRequest {
  invocationId: number;
  event: unknown;
  /** Epoch milliseconds when the function timeout ends the invocation. */
  deadline: number;
}

export type InvocationReply =
  | { invocationId: number; ok: true; payload: unknown }
  | { invocationId: number; ok: false; error: FunctionError };

export interface FunctionError {
  errorType: string;
  errorMessage: string;
  stack: string[];
}
