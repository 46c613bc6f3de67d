// A stand-in for the app under load: single-row INSERTs into items and
// UPDATEs of random characters, back to back with a short pause, each timed.
// Started as a child process by bench/online.ts; prints "ready" once
// connected, and on SIGTERM prints {"insert":[ms...],"update":[ms...]}.
import pg from 'pg';

const PAUSE_MS = 5;

async function main(): Promise<void> {
  const url = process.argv[2];
  if (!url) throw new Error('usage: writer.ts <database url>');
  const client = new pg.Client({ connectionString: url, application_name: 'bench-writer' });
  await client.connect();
  const { rows } = await client.query<{ max: number; campaigns: number[] }>(
    `SELECT (SELECT max(id) FROM characters) AS max,
            (SELECT array_agg(id) FROM campaigns) AS campaigns`,
  );
  const maxId = rows[0]!.max;
  const campaigns = rows[0]!.campaigns;
  const latencies = { insert: [] as number[], update: [] as number[] };
  let stopping = false;
  process.once('SIGTERM', () => (stopping = true));
  process.stdout.write('ready\n');
  for (let n = 0; !stopping; n++) {
    const started = process.hrtime.bigint();
    if (n % 2 === 0) {
      await client.query(
        `INSERT INTO items (name, description, campaign_id, created_at, updated_at)
         VALUES ($1, '', $2, now(), now())`,
        [`writer ${n}`, campaigns[n % campaigns.length]],
      );
      latencies.insert.push(Number(process.hrtime.bigint() - started) / 1e6);
    } else {
      await client.query(
        `UPDATE characters SET description = $2, updated_at = now() WHERE id = $1`,
        [1 + Math.floor(Math.random() * maxId), `edited ${n}`],
      );
      latencies.update.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
  await client.end();
  process.stdout.write(`${JSON.stringify(latencies)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
