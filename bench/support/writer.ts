// A stand-in for the app under load: single-row INSERTs into items and
// UPDATEs of random rows spread across characters, items and locations
// (each table's whole id range), back to back with a short pause, each
// timed and its start stamped (epoch ms), so a stall can be placed in the
// migration step it started in. Started as a child process by
// bench/online.ts; prints "ready" once connected, and on SIGTERM prints
// {"insert":[ms...],"update":[ms...],"writes":[[startedAt, ms]...]}.
import pg from 'pg';

const PAUSE_MS = 5;
const UPDATED = ['characters', 'items', 'locations'] as const;

/** Wall-clock time in ms with sub-millisecond resolution, comparable across processes. */
const now = () => performance.timeOrigin + performance.now();

async function main(): Promise<void> {
  const url = process.argv[2];
  if (!url) throw new Error('usage: writer.ts <database url>');
  const client = new pg.Client({ connectionString: url, application_name: 'bench-writer' });
  await client.connect();
  const { rows } = await client.query<{ ids: number[]; campaigns: number[] }>(
    `SELECT ARRAY[(SELECT max(id) FROM characters), (SELECT max(id) FROM items),
                  (SELECT max(id) FROM locations)] AS ids,
            (SELECT array_agg(id) FROM campaigns) AS campaigns`,
  );
  const maxIds = rows[0]!.ids;
  const campaigns = rows[0]!.campaigns;
  const latencies = { insert: [] as number[], update: [] as number[] };
  const writes: Array<[number, number]> = [];
  let stopping = false;
  process.once('SIGTERM', () => (stopping = true));
  process.stdout.write('ready\n');
  for (let n = 0; !stopping; n++) {
    const startedAt = now();
    const insert = n % 2 === 0;
    if (insert) {
      await client.query(
        `INSERT INTO items (name, description, campaign_id, created_at, updated_at)
         VALUES ($1, '', $2, now(), now())`,
        [`writer ${n}`, campaigns[n % campaigns.length]],
      );
    } else {
      // The updates take the three tables in turn.
      const which = ((n - 1) / 2) % UPDATED.length;
      await client.query(
        `UPDATE ${UPDATED[which]} SET description = $2, updated_at = now() WHERE id = $1`,
        [1 + Math.floor(Math.random() * maxIds[which]!), `edited ${n}`],
      );
    }
    const ms = now() - startedAt;
    (insert ? latencies.insert : latencies.update).push(ms);
    writes.push([startedAt, ms]);
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
  await client.end();
  process.stdout.write(`${JSON.stringify({ ...latencies, writes })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
