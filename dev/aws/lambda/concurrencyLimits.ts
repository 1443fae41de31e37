/*
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html: by default an account has
 * 1,000 concurrent executions across all functions in a Region; and PutFunctionConcurrency
 * (https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html): "You can
 * reserve concurrency for as many functions as you like, as long as you leave at least 100
 * simultaneous executions unreserved for functions that aren't configured with a per-function limit."
 */
export const ACCOUNT_CONCURRENCY = 1_000;
export const UNRESERVED_CONCURRENCY_MINIMUM = 100;
