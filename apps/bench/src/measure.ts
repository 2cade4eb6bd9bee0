// Interleaved rounds: every contender runs once per round, in an order that rotates, so the drift of a
// shared, loaded machine falls on all of them alike. Medians decide; min and max show the spread.

export type Call = () => Promise<unknown>;

export interface Contender {
  readonly name: string;
  readonly call: Call;
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { median, min: sorted[0] ?? 0, max: sorted[sorted.length - 1] ?? 0 };
}

/** Calls per second of `call` with `inFlight` callers in a loop for `ms` milliseconds. */
export async function rate(call: Call, inFlight: number, ms: number): Promise<number> {
  let calls = 0;
  const start = performance.now();
  const end = start + ms;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        await call();
        calls++;
      }
    }),
  );
  return calls / ((performance.now() - start) / 1000);
}

/** Runs every contender `rounds` times, interleaved; returns calls/s per contender. */
export async function interleave(
  contenders: readonly Contender[],
  options: { inFlight: number; rounds: number; ms: number; warmup: number },
): Promise<Map<string, Spread>> {
  for (const { call } of contenders) await rate(call, options.inFlight, options.warmup);
  const rates = new Map<string, number[]>(contenders.map(({ name }) => [name, []]));
  for (let round = 0; round < options.rounds; round++) {
    for (let i = 0; i < contenders.length; i++) {
      const { name, call } = contenders[(i + round) % contenders.length]!;
      rates.get(name)!.push(await rate(call, options.inFlight, options.ms));
    }
  }
  return new Map([...rates].map(([name, values]) => [name, spread(values)]));
}

/** Client CPU (user + system) per call, in µs, over `calls` sequential calls. */
export async function cpuPerCall(call: () => unknown, calls: number): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < calls; i++) await call();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / calls;
}
