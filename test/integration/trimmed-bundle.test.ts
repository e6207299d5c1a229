import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DeregisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../functions/core/aws/all-clients.ts';
import type { AwsClients } from '../../functions/core/aws/clients.ts';
import { createHandler } from '../../functions/registrar/handler.ts';
import { configDefine, esbuildOptions } from '../../lib/bundling/options.ts';
import { sdkSchemaKeysPlugin } from '../../lib/bundling/sdk-schema-keys.ts';
import { autoScalingEvent } from '../../sandbox/events.ts';
import { buildWorld, type World } from '../../sandbox/world.ts';
import { group } from '../support/aws-state.ts';
import { withMoto } from '../support/moto-hooks.ts';

/**
 * The schema-key plugin (lib/bundling/sdk-schema-keys.ts) changes what the SDK's modules look like
 * to esbuild, never what they do: the registrar bundled with it and without it, run through the
 * same story against moto, sends the same requests and answers the same.
 */
const moto = withMoto();
const dir = mkdtempSync(join(tmpdir(), 'sentinel-trim-'));

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
interface Recorder {
  endpoint: string;
  requests: string[];
  close(): Promise<void>;
}

/** Forwards to moto and notes each request's method, path and body (headers carry dates and ids). */
async function startRecorder(target: string): Promise<Recorder> {
  const upstream = new URL(target);
  const requests: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push(`${req.method} ${req.url} ${body.toString('utf8')}`);
      const out = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      out.on('error', () => res.writeHead(502).end());
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function bundledRegistrar(name: string, world: World, trimmed: boolean): Promise<Handler> {
  const outfile = join(dir, name, 'index.mjs');
  const options = esbuildOptions('functions/registrar/handler.ts', outfile, configDefine(world.config));
  // the untrimmed bundle drops the schema-key plugin only: the other plugins stay as deployed
  const schemaKeys = sdkSchemaKeysPlugin().name;
  const plugins = trimmed ? options.plugins : options.plugins?.filter((p) => p.name !== schemaKeys);
  await build({ ...options, sourcemap: false, ...(plugins ? { plugins } : {}) });
  return ((await import(pathToFileURL(outfile).href)) as { handler: Handler }).handler;
}

const context = { awsRequestId: 'trim-test', functionName: 'registrar' };
let clients: AwsClients;
let world: World;
let recorder: Recorder;

beforeAll(async () => {
  clients = createAwsClients();
  world = await buildWorld(clients);
  recorder = await startRecorder(moto().endpoint);
  // settle moto's classic-ELB quirk once, so both runs start from the same steady state
  const settle = createHandler(() => ({ config: world.config, clients }));
  expect(await settle({ action: 'reconcile' }, context as never)).toMatchObject({ inSync: true });
});
afterAll(async () => {
  await recorder?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A sweep, a lost registration repaired on the launch event, a sweep: answers and requests. */
async function story(handler: Handler) {
  const g = world.groups[0] ?? '';
  const id = (await group(clients, g)).liveInstanceIds[0] ?? '';
  const endpoint = process.env.AWS_ENDPOINT_URL;
  const since = recorder.requests.length;
  process.env.AWS_ENDPOINT_URL = recorder.endpoint;
  try {
    const answers = [await handler({ action: 'reconcile' }, context)];
    await clients.elbv2.send(
      new DeregisterTargetsCommand({ TargetGroupArn: world.lbs.targetGroupArn, Targets: [{ Id: id }] }),
    );
    answers.push(await handler(autoScalingEvent('EC2 Instance Launch Successful', g, id), context));
    answers.push(await handler({ action: 'reconcile' }, context));
    return { answers, requests: recorder.requests.slice(since) };
  } finally {
    process.env.AWS_ENDPOINT_URL = endpoint;
  }
}

describe('the registrar bundled with the schema-key plugin', () => {
  it('sends the same requests and answers the same as without it', async () => {
    const plain = await story(await bundledRegistrar('plain', world, false));
    const trimmed = await story(await bundledRegistrar('trimmed', world, true));
    expect(plain.answers[1]).toMatchObject({
      status: 'done',
      actions: [expect.stringMatching(/^repaired /)],
    });
    expect(plain.requests.some((r) => r.includes('Action=DescribeInstances'))).toBe(true);
    expect(trimmed.answers).toEqual(plain.answers);
    expect(trimmed.requests).toEqual(plain.requests);
  });
});
