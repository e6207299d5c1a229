import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A moto_server on a free loopback port: the local AWS of the tests, the rehearsal and the benchmark. */
export interface Moto {
  endpoint: string;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export function motoAvailable(): boolean {
  return spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * moto_server as `moto_server` runs it, but one request at a time. moto checks a DynamoDB condition
 * and then writes the item without a lock, so two threads can both pass `attribute_not_exists` and
 * both "win" (seen under load: about 1 round in 400 of four concurrent claims). DynamoDB applies a
 * conditional write atomically per item; serving requests one at a time gives the tests that
 * guarantee. Responses are read out inside the lock; keep-alive connections still work.
 */
const SERIALIZED_MOTO = `
import os, sys, threading
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
host, port = sys.argv[1], int(sys.argv[2])
os.environ.setdefault("MOTO_PORT", str(port))
# the services the sentinel calls, imported before the server answers: a first call would
# otherwise wait for its service's import (seconds on a busy machine, past a request timeout)
import importlib
for service in ("autoscaling", "dynamodb", "ec2", "elb", "elbv2", "events", "s3", "secretsmanager", "sns", "sqs", "ssm"):
    importlib.import_module("moto." + service + ".urls")
# moto's EventBridge parses eight JSONPath expressions for every event it delivers to a target, and
# each parse has PLY rebuild its parser tables (about 80 ms): 0.7 s per event. They are the same few
# strings, and a parsed path is immutable: parse each once (same results, 6.9 s -> 0.06 s for ten events)
try:
    import functools, jsonpath_ng.ext
    from moto.events.utils import EventTemplateParser
    jsonpath_ng.ext.parse = functools.lru_cache(maxsize=256)(jsonpath_ng.ext.parse)
    for path in EventTemplateParser.DEFAULT_EVENT_INPUT_PATHS_MAP.values():
        jsonpath_ng.ext.parse(path)
except Exception as err:
    # a speed-up only: any moto release it does not fit runs the slow path, never a failed start
    print("note: moto's JSONPath cache is off (%s)" % err, file=sys.stderr)
# EventBridge keeps the sender's account, region, time and resources on an event a rule forwards to
# another account's or region's bus; moto puts it again as the receiving bus's own (its account and
# region, a new time, no resources), and its default target body leaves out "account". The hub of
# a fleet believes only the account and region on the envelope: restore what AWS delivers. The
# event being delivered is kept per thread, and a delivery that happens inside another (a bus
# target re-putting the event) takes the sender's fields from it. A target that fails is noted and
# dropped, as AWS never fails the sender's PutEvents for it (moto raised it to the sender).
try:
    import threading as events_threading
    from moto.events import models as events_models
    from moto.events.utils import EventTemplateParser as events_template
    MOTO_521_TEMPLATE = '{"id": "<id>", "time": <time>, "version": "0", "detail-type": "<detail-type>", "source": "<source>", "region": "<region>", "resources": <resources>, "detail": <detail>}'
    delivering = events_threading.local()
    moto_send_to_targets = events_models.Rule.send_to_targets
    def send_keeping_sender(self, original_event, transform_input=True):
        outer = getattr(delivering, "events", None)
        if outer is None:
            outer = delivering.events = []
        if outer:
            original_event = dict(original_event)
            for key in ("account", "region", "time", "resources"):
                if key in outer[-1]:
                    original_event[key] = outer[-1][key]
        outer.append(original_event)
        try:
            return moto_send_to_targets(self, original_event, transform_input)
        except Exception as err:
            # EventBridge delivers to targets after PutEvents has answered: a target that fails (a
            # bus that is gone, in another account) never fails the sender's call; moto's would
            print("note: a target of rule %s failed (%s); AWS would retry it, then use the rule's DLQ" % (getattr(self, "name", "?"), err), file=sys.stderr)
            return None
        finally:
            outer.pop()
    events_models.Rule.send_to_targets = send_keeping_sender
    if events_template.DEFAULT_EVENT_INPUT_TEMPLATE == MOTO_521_TEMPLATE:
        events_template.DEFAULT_EVENT_INPUT_TEMPLATE = MOTO_521_TEMPLATE.replace(
            '"version": "0", ', '"version": "0", "account": "<account>", ')
    else:
        print("note: moto's default EventBridge target body is not 5.2.1's; it is left without account", file=sys.stderr)
except Exception as err:
    # a fidelity patch: any moto release it does not fit delivers as moto does, never a failed start
    print("note: moto's cross-account event delivery is moto's own (%s)" % err, file=sys.stderr)
app = DomainDispatcherApplication(create_backend_app)
app.debug = True
lock = threading.Lock()
def one_at_a_time(environ, start_response):
    with lock:
        return list(app(environ, start_response))
run_simple(host, port, one_at_a_time, threaded=True)
`;

let serialized: boolean | undefined;
let plain: boolean | undefined;

/** Whether the python3 on PATH can run moto itself (then requests are served one at a time). */
function serializedMotoAvailable(): boolean {
  return (
    spawnSync('python3', ['-c', 'import moto.server, werkzeug.serving'], { stdio: 'ignore' }).status === 0
  );
}

async function waitReady(endpoint: string, proc: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < 600 && Date.now() < deadline; attempt++) {
    if (proc.exitCode !== null) throw new Error(`moto_server exited early with code ${proc.exitCode}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms`);
}

/** The one machine image of the local EC2: launch templates and instances use it. */
/** moto's own account: what any credentials act as unless they came from an AssumeRole. */
export const MOTO_ACCOUNT = '123456789012';

export const SANDBOX_IMAGE_ID = 'ami-0a5e1db0c5e70001';

/**
 * moto loads about a thousand public AMIs into every EC2 region it builds (at the first EC2 call
 * and again after each reset), and an unfiltered DescribeImages lists them all: most of a world's
 * build time. The sandbox needs one image; MOTO_AMIS_PATH makes it the only one.
 */
function sandboxImagesFile(): string {
  const path = join(tmpdir(), 'kops-api-sentinel-moto-amis.json');
  const images = JSON.stringify([
    {
      ami_id: SANDBOX_IMAGE_ID,
      name: 'kops-api-sentinel-sandbox-node',
      description: 'The machine image of the sandbox control plane and nodes',
      owner_id: MOTO_ACCOUNT,
      public: true,
      state: 'available',
      architecture: 'x86_64',
      virtualization_type: 'hvm',
      hypervisor: 'xen',
      image_type: 'machine',
      image_location: 'kops-api-sentinel/sandbox-node',
      root_device_type: 'ebs',
      root_device_name: '/dev/sda1',
    },
  ]);
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // not written yet
  }
  if (current !== images) {
    // written whole and renamed, so a moto starting in parallel never reads half a file
    const partial = `${path}.${process.pid}.tmp`;
    writeFileSync(partial, images);
    renameSync(partial, path);
  }
  return path;
}

/**
 * Starts a moto_server on a free loopback port and waits until it answers; the caller's
 * environment is left alone (see useMoto). It never outlives the process that started it.
 */
export async function launchMoto(): Promise<Moto> {
  // each check is a Python start-up (seconds on a busy machine): asked once per process, and the
  // moto_server one only when python3 cannot run moto itself
  serialized ??= serializedMotoAvailable();
  if (plain === undefined) {
    plain = !serialized && motoAvailable();
    if (plain)
      // plain moto_server checks a DynamoDB condition without a lock: concurrent conditional writes
      // can both win (about 1 round in 400), which the alert and follow-up-claim tests would see
      process.stderr.write(
        'warning: python3 cannot import moto, so moto_server runs unserialized; conditional writes may race. Install it for python3: python3 -m pip install "moto[server]==5.2.1"\n',
      );
  }
  if (!serialized && !plain) {
    throw new Error(
      'moto_server is not installed; install it with: python3 -m pip install "moto[server]==5.2.1"',
    );
  }
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const env = { ...process.env, MOTO_AMIS_PATH: sandboxImagesFile() };
  const proc = serialized
    ? spawn('python3', ['-c', SERIALIZED_MOTO, '127.0.0.1', String(port)], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env,
      })
    : spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env,
      });
  // never outlive the process that started it (a killed test worker, an interrupted rehearsal)
  const killOnExit = () => proc.kill('SIGKILL');
  process.once('exit', killOnExit);
  proc.once('exit', () => process.off('exit', killOnExit));
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  try {
    // it imports the services it serves first (seconds; much longer on a machine running tests in parallel)
    await waitReady(endpoint, proc, 50_000);
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  return {
    endpoint,
    async reset() {
      await resetMoto(endpoint);
    },
    async stop() {
      if (proc.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          proc.kill('SIGKILL');
          resolve();
        }, 3000);
        proc.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        proc.kill('SIGTERM');
      });
    },
  };
}

/** Forgets every resource of every account and region the server holds. */
export async function resetMoto(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`resetting moto_server at ${endpoint} answered HTTP ${res.status}`);
}

/**
 * Points the AWS SDK of this process at a moto_server through AWS_ENDPOINT_URL (never a
 * hard-coded endpoint in the code under test). Credentials are dummies; moto accepts any.
 */
export function useMoto(endpoint: string, options: { region?: string } = {}): void {
  process.env.AWS_ENDPOINT_URL = endpoint;
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  process.env.AWS_SESSION_TOKEN = 'testing';
  process.env.AWS_REGION = options.region ?? 'eu-west-1';
  process.env.AWS_DEFAULT_REGION = process.env.AWS_REGION;
  // moto on a loaded machine (tests in parallel) can take longer than AWS to answer; keep the
  // per-attempt timeout for a hung endpoint, not for a slow local one
  process.env.SENTINEL_AWS_REQUEST_TIMEOUT_MS ??= '30000';
}

/** Starts moto_server and points this process's AWS SDK at it (launchMoto, then useMoto). */
export async function startMoto(options: { region?: string } = {}): Promise<Moto> {
  const moto = await launchMoto();
  useMoto(moto.endpoint, options);
  return moto;
}
