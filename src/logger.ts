import { Logger } from "@aws-lambda-powertools/logger";

/** JSON lines on stdout, on AWS and locally; the level comes from POWERTOOLS_LOG_LEVEL. */
export const logger = new Logger({ serviceName: "ponto" });
