import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * The credential chain of a deployed function, put in place of `@aws-sdk/credential-provider-node`
 * by lib/bundling/lambda-credentials.ts. Lambda hands a function its execution role's credentials
 * in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, the first link of the SDK's
 * default chain; the other links (profiles, SSO, web identity, container and instance metadata)
 * never answer inside Lambda and bring their own STS and SSO clients (about 90 KiB). Without those
 * variables the error is the SDK's own ("Unable to find environment variable credentials").
 */
export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);
