import { Token, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag (AwsSolutions pack) acknowledgements: every finding the stack keeps on purpose, each
 * with its reason, on the construct it concerns. A new finding is not covered by any of these and
 * fails the infra test (test/infra/nag.test.ts) and `cdk synth`.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * Acknowledges AwsSolutions-IAM5 for each wildcard resource of the given statements (cdk-nag
 * reports one finding per wildcard resource), with one reason for all of them.
 */
export function acknowledgeWildcardResources(
  scope: IConstruct,
  statements: readonly iam.PolicyStatement[],
  reason: string,
): void {
  const seen = new Set<string>();
  for (const statement of statements) {
    for (const resource of statement.resources) {
      // literal ARNs only: a token renders differently in the finding and is never a wildcard here
      if (Token.isUnresolved(resource) || !resource.includes('*') || seen.has(resource)) continue;
      seen.add(resource);
      acknowledge(scope, `AwsSolutions-IAM5[Resource::${resource}]`, reason);
    }
  }
}
