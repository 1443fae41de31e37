import { readAccessModel, readRestApi, readServiceModel, resourcesOfType, type CloudFormationTemplate } from "../aws/rules.ts";
import { shortFunctionName, type PlannedService } from "./planModel.ts";

export interface ServiceReading {
  planned: PlannedService;
  /** The usage plan the API's SQS method holds each key to, when it takes one. */
  usagePlan?: { rateLimit: number; burstLimit: number; quotaPerDay?: number };
  architectures: Record<string, "arm64" | "x86_64">;
  /** What the plan takes from the template and says, e.g. which route feeds which queue. */
  notes: string[];
}

/**
 * What the plan needs from the compiled template, read as the stack reads it: the service model,
 * the queue the API's SQS integration writes to (or the one named), the usage plan of that method
 * when it needs an API key, and each function's architecture.
 *
 * @example
 * const { planned } = readPlannedService(packaged.template, "ponto", "local");
 * planned.ingressQueue; // "PunchesQueue"
 */
export function readPlannedService(template: CloudFormationTemplate, service: string, stage: string, queue?: string): ServiceReading {
  const model = readServiceModel(template);
  const notes: string[] = [];
  const sqsRoutes = readRestApi(template).routes.flatMap((route) => (route.kind === "sqs" ? [route] : []));
  const routeQueue = (uri: unknown) => model.queues.find((candidate) => JSON.stringify(uri).includes(`"${candidate.logicalId}"`))?.logicalId;
  const route = queue === undefined ? sqsRoutes.find((candidate) => routeQueue(candidate.uri) !== undefined) : sqsRoutes.find((candidate) => routeQueue(candidate.uri) === queue);
  const ingressQueue = queue ?? (route && routeQueue(route.uri));
  if (!ingressQueue) {
    throw new Error(`no API method writes to a queue of this template; name the queue the load goes to with --queue (${model.queues.map((candidate) => candidate.logicalId).join(", ")})`);
  }
  if (!model.queues.some((candidate) => candidate.logicalId === ingressQueue)) {
    throw new Error(`--queue ${ingressQueue} is no queue of the template: ${model.queues.map((candidate) => candidate.logicalId).join(", ")}`);
  }
  notes.push(route ? `the load goes through ${route.method} ${route.path} into ${ingressQueue}` : `the load goes straight into ${ingressQueue} (no API method writes to it)`);
  const plan = route?.apiKeyRequired ? readAccessModel(template).usagePlans[0] : undefined;
  const usagePlan = plan?.throttle && {
    ...plan.throttle,
    ...(plan.quota?.period === "DAY" && { quotaPerDay: plan.quota.limit }),
  };
  if (plan) notes.push(`each clock's API key is held to the usage plan ${plan.name}${plan.quota && plan.quota.period !== "DAY" ? ` (its ${plan.quota.period} quota is not counted: a shift change does not show it)` : ""}`);
  const architectures = Object.fromEntries(
    resourcesOfType(template, "AWS::Lambda::Function").map(([logicalId, properties]) => [
      shortFunctionName(String(properties.FunctionName ?? logicalId), service, stage),
      // Lambda's default architecture is x86_64 (CreateFunction's Architectures).
      ((properties.Architectures as string[] | undefined)?.[0] === "arm64" ? "arm64" : "x86_64") as "arm64" | "x86_64",
    ]),
  );
  return { planned: { model, service, stage, ingressQueue }, ...(usagePlan && { usagePlan }), architectures, notes };
}
