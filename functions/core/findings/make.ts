import { CODES, type FindingCode } from './codes.ts';
import type { Action, Finding } from './finding.ts';

export interface FindingInput {
  cluster: string;
  resource: string;
  expected: string;
  actual: string;
  message: string;
  action?: Action;
  details?: Record<string, unknown>;
}

/** Builds a finding whose check and severity come from the code catalogue. */
export function finding(code: FindingCode, input: FindingInput): Finding {
  const info = CODES[code];
  const out: Finding = {
    code,
    severity: info.severity,
    check: info.check,
    cluster: input.cluster,
    resource: input.resource,
    expected: input.expected,
    actual: input.actual,
    action: input.action ?? 'none',
    message: input.message,
  };
  if (input.details) out.details = input.details;
  return out;
}
