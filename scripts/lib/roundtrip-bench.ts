// Shared by the packages' round-trip benchmarks: an SDK call and its raw-fetch twin, measured side by side
// (latency interleaved so drift falls on both alike, then throughput at 1 and 16 in flight) and printed.

type Call = () => Promise<void>;

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;

async function latencies(sdk: Call, raw: Call, calls: number): Promise<[number[], number[]]> {
  for (let i = 0; i < 200; i++) {
    await sdk();
    await raw();
  }
  const sdkTimes: number[] = [];
  const rawTimes: number[] = [];
  for (let i = 0; i < calls; i++) {
    let start = performance.now();
    await sdk();
    sdkTimes.push(performance.now() - start);
    start = performance.now();
    await raw();
    rawTimes.push(performance.now() - start);
  }
  return [sdkTimes.sort((a, b) => a - b), rawTimes.sort((a, b) => a - b)];
}

async function throughput(run: Call, concurrency: number, ms: number): Promise<number> {
  let calls = 0;
  const end = performance.now() + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await run();
        calls++;
      }
    }),
  );
  return calls / (ms / 1000);
}

/** Measures `sdk` beside `raw` and prints p50/p90/p99 and calls/s for both. */
export async function compareRoundTrips(title: string, sdk: Call, raw: Call, calls = 2000): Promise<void> {
  const [sdkTimes, rawTimes] = await latencies(sdk, raw, calls);
  const rates = [];
  for (const concurrency of [1, 16])
    rates.push([
      concurrency,
      await throughput(sdk, concurrency, 3000),
      await throughput(raw, concurrency, 3000),
    ]);
  const fmt = (n: number) => n.toFixed(3).padStart(8);
  const row = (name: string, at: (p: number) => number) =>
    `${name.padEnd(16)}${fmt(at(50))}  ${fmt(at(90))}  ${fmt(at(99))}`;
  console.log(`${title}, Node ${process.version}, ${calls} interleaved calls each`);
  console.log('                  p50 ms    p90 ms    p99 ms');
  console.log(row('SDK call', (p) => percentile(sdkTimes, p)));
  console.log(row('raw fetch', (p) => percentile(rawTimes, p)));
  console.log(row('SDK overhead', (p) => percentile(sdkTimes, p) - percentile(rawTimes, p)));
  for (const [concurrency, sdkRate, rawRate] of rates)
    console.log(`calls/s, ${concurrency} in flight: SDK ${sdkRate!.toFixed(0)}, raw ${rawRate!.toFixed(0)}`);
}
