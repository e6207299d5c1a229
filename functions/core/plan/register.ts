import { registeredOnPort, wrongPorts } from '../lb/port.ts';
import type { LbState } from '../observe/lb-state.ts';
import type { Picture } from '../observe/picture.ts';
import { type Builder, existing } from './builder.ts';
import { registrable } from './rules.ts';

/** A desired instance registered on another port than the apiserver's. */
interface WrongPort {
  lb: LbState;
  id: string;
  wrong: number[];
  right: boolean;
}

/**
 * Every desired instance on the apiserver port of every existing load balancer: running instances
 * of this cluster only; a wrong-port registration is removed once the right one exists.
 */
export function planRegister(b: Builder, picture: Picture): void {
  const { scope } = picture;
  const cluster = scope.cluster.name;
  const port = scope.cluster.api.instancePort;
  const wrongPort: WrongPort[] = [];
  const missing = new Map<string, string[]>();
  for (const lb of existing(picture)) {
    for (const id of scope.desired.keys()) {
      const wrong = wrongPorts(lb, id, port);
      const right = registeredOnPort(lb, id, port);
      if (wrong.length > 0) wrongPort.push({ lb, id, wrong, right });
      if (!right) missing.set(lb.label, [...(missing.get(lb.label) ?? []), id]);
      else if (wrong.length === 0)
        b.add({
          code: 'INSTANCE_REGISTERED',
          resource: `${lb.label}:${id}`,
          expected: 'registered',
          actual: 'registered',
          message: `${id} is registered on ${lb.label}`,
        });
    }
  }
  const registerStep = new Map<string, number>();
  for (const lb of existing(picture)) {
    const ok: string[] = [];
    for (const id of missing.get(lb.label) ?? []) {
      // only running instances of this cluster are ever registered
      const check = registrable(picture.instances.get(id), cluster);
      if (check.ok) {
        ok.push(id);
        continue;
      }
      b.add({
        code: check.foreign ? 'INSTANCE_OF_OTHER_CLUSTER' : 'INSTANCE_NOT_RUNNING',
        resource: `${lb.label}:${id}`,
        expected: check.foreign ? `an instance of ${cluster}` : 'running',
        actual: check.actual,
        action: 'skipped',
        message: `${id} was not registered on ${lb.label}: ${check.actual}`,
      });
    }
    if (ok.length === 0) continue;
    const step = b.step({ kind: 'register', lb: lb.label, ids: ok });
    for (const id of ok) registerStep.set(`${lb.label}:${id}`, step);
    const onWrongPort = new Set(wrongPort.filter((w) => w.lb === lb).map((w) => w.id));
    for (const id of ok) {
      // an instance on the wrong port gets one TARGET_WRONG_PORT finding instead
      if (onWrongPort.has(id)) continue;
      b.add({
        code: 'INSTANCE_NOT_REGISTERED',
        resource: `${lb.label}:${id}`,
        expected: 'registered',
        actual: 'not registered',
        message: `${id} (${scope.desired.get(id)}) was not registered on ${lb.label}`,
        repair: { step, done: 'Registered it' },
        // the group lets alerts fold this under its load balancer's detachment (alerts/causes.ts)
        details: { group: scope.desired.get(id) ?? null },
      });
    }
  }
  // the right-port registration comes first; the wrong one goes only once the right one exists
  for (const w of wrongPort) {
    const ports = w.wrong.join(', ');
    const actual = `registered on port(s) ${ports}${w.right ? ` as well as ${port}` : ` only`}`;
    const done = `Registered it on port ${port} and removed port(s) ${ports}`;
    const after = registerStep.get(`${w.lb.label}:${w.id}`);
    const repair =
      w.right || after !== undefined
        ? {
            step: b.step({
              kind: 'deregisterPorts',
              lb: w.lb.label,
              id: w.id,
              ports: w.wrong,
              ...(w.right ? {} : { after }),
            }),
            done,
          }
        : { blocked: 'no registration on the right port could be made', done };
    b.add({
      code: 'TARGET_WRONG_PORT',
      resource: `${w.lb.label}:${w.id}`,
      expected: `registered on port ${port} (api.instancePort)`,
      actual,
      message: `${w.id} was ${actual} on ${w.lb.label}`,
      repair,
    });
  }
}
