import { beforeAll, describe, expect, it } from 'vitest';
import { logicalId, SYNTH_TIMEOUT_MS, type Synthesized, sharedSynth } from './helpers.ts';

interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

let s: Synthesized;
beforeAll(() => {
  s = sharedSynth('two-clusters');
}, SYNTH_TIMEOUT_MS);

/** The statements of the queue policies that apply to the follow-up queue. */
function followUpQueueStatements(): PolicyStatement[] {
  const queue = logicalId(s.template, 'AWS::SQS::Queue', 'FollowUpQueue');
  const policies = s.template.findResources('AWS::SQS::QueuePolicy');
  return Object.values(policies)
    .filter((p) =>
      (p.Properties.Queues as unknown[]).some((q) => JSON.stringify(q) === JSON.stringify({ Ref: queue })),
    )
    .flatMap((p) => p.Properties.PolicyDocument.Statement as PolicyStatement[]);
}

const roleRef = (fn: 'Registrar' | 'Verifier') => {
  const role = logicalId(s.template, 'AWS::IAM::Role', `${fn}`);
  return { 'Fn::GetAtt': [role, 'Arn'] };
};

describe('the follow-up queue', () => {
  it('denies SendMessage to every principal but the registrar and verifier roles', () => {
    const statements = followUpQueueStatements();
    const deny = statements.find(
      (st) => st.Effect === 'Deny' && [st.Action].flat().includes('sqs:SendMessage') && st.Condition,
    );
    expect(deny).toBeDefined();
    expect(deny?.Principal).toEqual({ AWS: '*' });
    expect(deny?.Condition).toEqual({
      ArnNotEquals: { 'aws:PrincipalArn': [roleRef('Registrar'), roleRef('Verifier')] },
    });
  });

  it('keeps refusing access without TLS', () => {
    const ssl = followUpQueueStatements().find(
      (st) => st.Effect === 'Deny' && JSON.stringify(st.Condition ?? {}).includes('aws:SecureTransport'),
    );
    expect(ssl).toBeDefined();
  });

  it('lets the stack send nothing else to it: no other identity is granted SendMessage on it', () => {
    const queue = logicalId(s.template, 'AWS::SQS::Queue', 'FollowUpQueue');
    const policies = s.template.findResources('AWS::IAM::Policy');
    const granted = Object.entries(policies)
      .filter(([, p]) =>
        (p.Properties.PolicyDocument.Statement as PolicyStatement[]).some(
          (st) =>
            [st.Action].flat().includes('sqs:SendMessage') &&
            JSON.stringify(st.Resource).includes(`"${queue}"`),
        ),
      )
      .map(([, p]) => JSON.stringify(p.Properties.Roles));
    expect(granted).toHaveLength(2);
    expect(granted.join(' ')).toMatch(/Registrar/);
    expect(granted.join(' ')).toMatch(/Verifier/);
  });
});
