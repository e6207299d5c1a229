import { describe, expect, it } from 'vitest';
import { fleetInput, MEMBER_ACCOUNTS, synthFleet } from './fleet-helpers.ts';

const CHATBOT = { kind: 'chatbot', workspaceId: 'T0123ABCD', channelId: 'C0123ABCD' } as const;

/** The Chatbot configuration names of every stack of a fleet, by construct id. */
function chatbotNames(s: ReturnType<typeof synthFleet>): Map<string, string[]> {
  return new Map(
    [...s.templates].map(([id, t]) => [
      id,
      Object.values(t.findResources('AWS::Chatbot::SlackChannelConfiguration')).map(
        (r) => (r as { Properties: { ConfigurationName: string } }).Properties.ConfigurationName,
      ),
    ]),
  );
}

describe('Chatbot configuration names in a fleet without a hub', () => {
  it('two regions of one account: unique names (a Chatbot ARN has no region); the first keeps the single stack name', () => {
    const input = fleetInput({ accounts: [MEMBER_ACCOUNTS[0]], hub: false });
    const fleet = synthFleet({ ...input, alerts: { slack: CHATBOT, email: [] } });
    // both members share the CloudFormation stack name, one per region
    expect(new Set(fleet.fleet.members.map((m) => m.stackName))).toEqual(new Set(['KopsApiSentinel']));
    expect(new Set(fleet.fleet.members.map((m) => m.region))).toEqual(new Set(['eu-west-1', 'us-east-1']));
    const names = [...chatbotNames(fleet).values()];
    expect(names.map((n) => n.length)).toEqual([1, 1]);
    expect(names.flat()).toEqual([
      'KopsApiSentinel-alerts',
      'KopsApiSentinel-us-east-1-vpc-0023456789abcdef0-alerts',
    ]);
  });

  it('a single stack keeps its name', () => {
    const input = fleetInput({ accounts: [MEMBER_ACCOUNTS[0]], regions: ['eu-west-1'], hub: false });
    const single = synthFleet({ ...input, stackName: 'Sentinel', alerts: { slack: CHATBOT } });
    expect([...chatbotNames(single)]).toEqual([['Sentinel', ['Sentinel-alerts']]]);
  });
});
