import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { fleetInput, ORG_ID, sharedFleet, synthFleet } from './fleet-helpers.ts';
import { chatbotInput, SYNTH_TIMEOUT_MS, synth, twoClusterInput } from './helpers.ts';

/** cdk-nag's AwsSolutions pack over the synthesized stack: nothing left that is not acknowledged with a reason. */
function nag(input: ReturnType<typeof twoClusterInput>) {
  const { stack } = synth(input, { bundle: false });
  const report = new AwsSolutionsChecks().validateScope(stack.node.root);
  const findings = report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName} at ${r.resourceLogicalId ?? '?'}`),
  );
  const acknowledgements = stack.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) => Object.entries(m.data as Record<string, string>)),
    );
  return { report, findings, acknowledgements };
}

/** Every cluster with `kops.stateStore` (the verifier then reads the kops specs). */
function withKops(input: ReturnType<typeof twoClusterInput>) {
  return {
    ...input,
    clusters: input.clusters.map((c) => ({ ...c, kops: { stateStore: 's3://kops-state-store/clusters' } })),
  };
}

describe('cdk-nag AwsSolutions', () => {
  const configs = {
    'two clusters, Slack by webhook, e-mail': twoClusterInput(),
    'Slack by Chatbot': chatbotInput(),
    'a dedicated verifier security group': {
      ...twoClusterInput(),
      verifier: { scheduleMinutes: 10, dedicatedSecurityGroup: true },
    },
    'kops specs read from the state store': withKops(twoClusterInput()),
  };
  for (const [name, input] of Object.entries(configs)) {
    it(
      `finds nothing unacknowledged: ${name}`,
      () => {
        const { report, findings, acknowledgements } = nag(input);
        expect(findings).toEqual([]);
        expect(report.success).toBe(true);
        // the acknowledgements are there (so the pack did look), each with its reason
        expect(acknowledgements.length).toBeGreaterThan(3);
        for (const [id, reason] of acknowledgements) {
          expect(id).toMatch(/^(Annotation::)?AwsSolutions-/);
          expect(reason.length, id).toBeGreaterThan(30);
        }
      },
      SYNTH_TIMEOUT_MS,
    );
  }

  it(
    'would report an unacknowledged finding (the check can fail)',
    () => {
      const { stack } = synth(twoClusterInput(), { bundle: false });
      // a managed policy nobody acknowledged
      stack.registrar.role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess'));
      const report = new AwsSolutionsChecks().validateScope(stack.node.root);
      expect(report.violations.map((v) => v.ruleName)).toContain(
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]',
      );
    },
    SYNTH_TIMEOUT_MS,
  );
});

describe('cdk-nag AwsSolutions, a fleet', () => {
  it(
    'finds nothing unacknowledged in any stack: the hub and every member',
    () => {
      const { app, templates } = sharedFleet();
      const report = new AwsSolutionsChecks().validateScope(app);
      const findings = report.violations.flatMap((v) =>
        v.violatingResources.map((r) => `${v.ruleName} at ${r.resourceLogicalId ?? '?'}`),
      );
      expect(findings).toEqual([]);
      expect(report.success).toBe(true);
      expect(templates.size).toBe(5);
    },
    SYNTH_TIMEOUT_MS,
  );

  it(
    'finds nothing unacknowledged with an organization id and Slack by Chatbot at the hub',
    () => {
      const input = fleetInput({
        organizationId: ORG_ID,
        accounts: ['111111111111'],
        regions: ['eu-west-1'],
      });
      const { app } = synthFleet({
        ...input,
        alerts: {
          ...input.alerts,
          slack: { kind: 'chatbot', workspaceId: 'T0123ABCD', channelId: 'C0123ABCD' },
        },
      });
      const report = new AwsSolutionsChecks().validateScope(app);
      expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    },
    SYNTH_TIMEOUT_MS,
  );
});
