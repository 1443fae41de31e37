import { startLocalAws } from "./dev/aws/index.ts";
import { embeddedBackend, freePort } from "./dev/aws/backends/index.ts";
const names = process.argv.slice(2);
const backend = await embeddedBackend({ aws: await freePort(), database: await freePort() }).start();
for (const name of names) {
  try {
    const stack = await startLocalAws({ backend, serviceDir: `integration/fixtures/${name}`, configFile: process.env.CONFIG ?? "serverless-nodejs20.yml", stage: "t1", apiPort: 0 });
    console.log(name, "STARTED", stack.apiUrl, stack.routes, stack.warnings);
    await stack.stop();
  } catch (error) { console.log(name, "FAILED", (error as Error).message); }
}
await backend.stop();
