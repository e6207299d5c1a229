import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * A DynamoDB client whose first `command` reaches the table and is applied, and whose response is
 * then lost as a reset connection: the SDK retries the same request, as it would in AWS.
 */
export function losingFirstResponse(command: string): { client: DynamoDBClient; sent: () => number } {
  const client = new DynamoDBClient({ region: process.env.AWS_REGION ?? 'eu-west-1', maxAttempts: 3 });
  let sent = 0;
  client.middlewareStack.add(
    (next, ctx) => async (args) => {
      if (ctx.commandName !== command) return next(args);
      sent += 1;
      const out = await next(args);
      if (sent === 1) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      return out;
    },
    { step: 'deserialize', name: 'loseFirstResponse' },
  );
  return { client, sent: () => sent };
}
