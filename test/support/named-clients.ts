import pg from 'pg';

/**
 * Direct connections a test opens, each with an application name so that
 * pg_stat_activity and pg_locks tell them apart; endAll() closes them all.
 */
export class NamedClients {
  private readonly open: pg.Client[] = [];

  async connect(url: string, applicationName: string): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: url, application_name: applicationName });
    this.open.push(client);
    await client.connect();
    return client;
  }

  async endAll(): Promise<void> {
    for (const client of this.open.splice(0)) await client.end().catch(() => undefined);
  }
}
