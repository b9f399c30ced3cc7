// Soak: a mixed load (bench/soak-load.ts) against the gateway on PostgreSQL for a long
// while, after a warm-up; reports throughput, unexpected answers, p50/p99 per operation and
// resident memory at the start and end of the measured window. Exits 1 on any unexpected
// answer or memory growth of 10% or more.
// Run: npx tsx bench/soak.ts [seconds, default 600] [concurrency, default 32]
import { BENCH_KEY, freshDatabase, startGateway, stopGateway } from "./lib.js";
import { printSoak, runSoak } from "./soak-load.js";

const seconds = Number(process.argv[2] ?? 600);
const concurrency = Number(process.argv[3] ?? 32);
const PORT = 4630;
const url = `http://127.0.0.1:${PORT}`;

const gateway = await startGateway({ DATABASE_URL: await freshDatabase("gateway_bench_soak") }, PORT);
let failed = false;
try {
  const warmup = Math.min(60, Math.max(5, seconds / 10));
  console.log(`warm-up: ${warmup} s; soak: ${seconds} s at ${concurrency} requests in flight`);
  await runSoak({ url, key: BENCH_KEY, seconds: warmup, concurrency });
  const result = await runSoak({ url, key: BENCH_KEY, seconds, concurrency });
  printSoak(result);
  const unexpected = Object.values(result.ops).reduce((s, f) => s + f.unexpected, 0);
  failed = unexpected > 0 || result.rssEndBytes >= result.rssStartBytes * 1.1;
} finally {
  await stopGateway(gateway);
}
process.exit(failed ? 1 : 0);
