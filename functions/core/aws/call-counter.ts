/** Counts API calls by `Service.Operation`; used by the benchmark and by tests that bound call counts. */
export class CallCounter {
  readonly calls = new Map<string, number>();
  record(name: string): void {
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
  }
  get total(): number {
    let n = 0;
    for (const v of this.calls.values()) n += v;
    return n;
  }
  reset(): void {
    this.calls.clear();
  }
}
