/**
 * `npm run token`: prints a bearer token from the user pool of the stack `npm run dev` runs, as a
 * clock (client credentials, write scope) or as a person (their sign-in's access token).
 */
import { parseArgs } from "node:util";
import { remoteClocks } from "../ponto/clockCredentials.ts";
import { CommandError, runCommand } from "./commandError.ts";

const { values } = parseArgs({
  options: {
    device: { type: "string" },
    employee: { type: "string" },
    manager: { type: "boolean", default: false },
    shell: { type: "boolean", default: false },
    api: { type: "string", default: process.env.PONTO_API_URL ?? "http://127.0.0.1:3000" },
    help: { type: "boolean", short: "h", default: false },
  },
});

const USAGE = `Usage: npm run -s token -- --device <deviceId> [--shell] | --employee <employeeId> [--manager] [--api http://127.0.0.1:3000]

Prints an access token of the running local stack's user pool:
  --device clock-lobby       a clock's (client credentials, scope ponto/punches.write); the clock is
                             provisioned first if new (its app client and API key; the key goes to stderr)
  --employee e-17            an employee's own, to read their timesheet
  --employee m-1 --manager   a member of the managers group, to read anyone's
  --shell                    prints shell lines to eval: TOKEN=… (and API_KEY=… for a device)

  eval "$(npm run -s token -- --device clock-lobby --shell)"
  curl -H "Authorization: Bearer $TOKEN" -H "x-api-key: $API_KEY" …`;

async function main(): Promise<void> {
  if (values.help || (values.device === undefined) === (values.employee === undefined)) {
    console.log(USAGE);
    if (!values.help) throw new CommandError("give one of --device or --employee");
    return;
  }
  const clocks = remoteClocks(values.api);
  try {
    if (values.device !== undefined) {
      const credentials = await clocks.credentialsFor(values.device);
      if (values.shell) {
        // Both are base64url or alphanumeric: nothing in them needs quoting for a shell.
        console.log(`TOKEN=${credentials.accessToken}\nAPI_KEY=${credentials.apiKey}`);
      } else {
        console.error(`x-api-key: ${credentials.apiKey}`);
        console.log(credentials.accessToken);
      }
    } else {
      const token = await clocks.tokens.employee(values.employee!, { manager: values.manager });
      console.log(values.shell ? `TOKEN=${token}` : token);
    }
  } catch (error) {
    if (error instanceof TypeError) throw new CommandError(`no local stack answers at ${values.api}: start it with \`npm run dev\`, or pass --api`);
    throw error;
  }
}

runCommand(main);
