import { cpus } from 'node:os';

/** The machine the figures were measured on. */
export interface Machine {
  node: string;
  cpuModel: string;
  cpuCount: number;
  date: string;
}

export function machine(now = new Date()): Machine {
  const list = cpus();
  return {
    node: process.version,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cpuCount: list.length,
    date: now.toISOString(),
  };
}

export function machineLine(m: Machine): string {
  return `machine: node ${m.node} | ${m.cpuCount} × ${m.cpuModel} | ${m.date}`;
}
