/*
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html: "by default, Lambda provides
 * your account with a total concurrency limit of 1,000 concurrent executions across all functions
 * in an AWS Region", and "Lambda reserves 100 units of concurrency for functions that don't have
 * reserved concurrency": reserved concurrency can take at most 900 of the 1,000.
 */
export const ACCOUNT_CONCURRENCY = 1_000;
export const UNRESERVED_CONCURRENCY_MINIMUM = 100;
