import type { StartedBackend } from "../backends/backend.ts";
import { resolveIntrinsics } from "../cloudformation/intrinsics.ts";
import type { ResourceRegistry } from "../cloudformation/resourceRegistry.ts";
import type { FunctionDefinition } from "../cloudformation/serviceModel.ts";

/**
 * The function's environment as on AWS (intrinsics resolved; what the service reads from stage
 * params came in through them), plus what the Lambda runtime sets, with the SDK pointed at the
 * local endpoint through AWS_ENDPOINT_URL.
 *
 * @example
 * functionEnvironment(fn, registry, backend).AWS_LAMBDA_FUNCTION_NAME; // "shop-local-consume"
 */
export function functionEnvironment(fn: FunctionDefinition, registry: ResourceRegistry, backend: StartedBackend): Record<string, string> {
  const resolved = resolveIntrinsics(fn.environment, registry) as Record<string, unknown>;
  return {
    ...Object.fromEntries(Object.entries(resolved).map(([name, value]) => [name, String(value)])),
    PATH: process.env.PATH ?? "",
    TZ: "UTC",
    AWS_REGION: registry.region,
    AWS_DEFAULT_REGION: registry.region,
    AWS_ACCESS_KEY_ID: backend.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: backend.credentials.secretAccessKey,
    AWS_ENDPOINT_URL: backend.awsEndpoint,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMegabytes),
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    ...(process.env.POWERTOOLS_LOG_LEVEL && { POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL }),
  };
}
