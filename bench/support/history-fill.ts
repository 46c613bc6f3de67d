// Synthetic history for the read benchmark, set based and deterministic
// (hashes of the entry number, not random()), so every run reads the same
// entries. Shapes: 10,000 campaigns, one of them big (2 % of all entries)
// and without locations; 100 rows per table per campaign, a few rows far
// busier than the rest (the row number is skewed); about 5 members writing
// per campaign, 10 % of entries with no actor (writes from outside the
// app) and one user who writes rarely everywhere; 10 % creates and 5 %
// deletes holding a whole row, updates holding one to three changed
// fields. Entries are spread evenly over the last `months` months, ids in
// time order as the sequence gives them.

export const HISTORY_SHAPE = {
  months: 12,
  campaigns: 10_000,
  rowsPerCampaign: 100,
  bigCampaign: 1,
  typicalCampaign: 5_000,
  /** characters row 1: the busiest row of the big campaign. */
  hotRow: 1,
  rareActor: 50_001,
  /** A user who never writes: an actor filter that matches nothing. */
  silentActor: 50_002,
} as const;

/** INSERT of the entries numbered $1..$2 of $3 into history_entries. */
export function historyFillSql(): string {
  const s = HISTORY_SHAPE;
  const u = (k: number) => `((hashint8(i * 16 + ${k}) & 2147483647)::float8 / 2147483648)`;
  const whole = (from: string, to: string) => `jsonb_build_object(
           'id', jsonb_build_object('from', ${from}row_id${to}),
           'name', jsonb_build_object('from', ${from}'Name ' || (i % 997)${to}),
           'description', jsonb_build_object('from', ${from}'About ' || left(h, 24)${to}),
           'campaign_id', jsonb_build_object('from', ${from}campaign${to}),
           'owner_id', jsonb_build_object('from', ${from}actor${to}))`;
  return `
  INSERT INTO history_entries
         (id, at, table_name, row_id, campaign_id, action, actor_id, request_id, source, changes)
  SELECT i, at, table_name, row_id, campaign, action, actor,
         CASE WHEN actor IS NOT NULL THEN h::uuid::text END,
         CASE WHEN actor IS NOT NULL THEN 'http' END,
         CASE action
           WHEN 'update' THEN
             jsonb_build_object('description', jsonb_build_object(
               'from', 'About ' || left(h, 24), 'to', 'About ' || right(h, 24)))
             || CASE WHEN u_field < 0.3 THEN jsonb_build_object('name', jsonb_build_object(
                  'from', 'Name ' || (i % 997), 'to', 'Name ' || (i % 991))) ELSE '{}' END
             || CASE WHEN u_field > 0.8 THEN jsonb_build_object('owner_id', jsonb_build_object(
                  'from', actor, 'to', NULL)) ELSE '{}' END
           WHEN 'create' THEN ${whole("NULL, 'to', ", '')}
           ELSE ${whole('', ", 'to', NULL")}
         END
    FROM (
      SELECT i, at, campaign, action, h, u_field,
             -- The big campaign has no locations: a kind filter that matches nothing.
             CASE WHEN campaign = ${s.bigCampaign} AND table_name = 'locations' THEN 'items'
                  ELSE table_name END AS table_name,
             CASE WHEN table_name = 'campaigns' THEN campaign
                  ELSE (campaign - 1) * ${s.rowsPerCampaign} + 1 + floor(${s.rowsPerCampaign} * u_row * u_row)::int
             END AS row_id,
             CASE WHEN u_actor < 0.10 THEN NULL
                  WHEN u_actor < 0.101 THEN ${s.rareActor}
                  ELSE 1 + (campaign * 7 + floor(5 * u_member * u_member)::int) % 50000
             END AS actor
        FROM (
          SELECT i,
                 start + (now() - start) * ((i - 1)::float8 / $3) AS at,
                 CASE WHEN ${u(1)} < 0.02 THEN ${s.bigCampaign}
                      ELSE 2 + floor((${u(1)} - 0.02) / 0.98 * ${s.campaigns - 1})::int
                 END AS campaign,
                 CASE WHEN ${u(2)} < 0.05 THEN 'campaigns' WHEN ${u(2)} < 0.45 THEN 'characters'
                      WHEN ${u(2)} < 0.75 THEN 'items' ELSE 'locations' END AS table_name,
                 CASE WHEN ${u(3)} < 0.10 THEN 'create' WHEN ${u(3)} < 0.95 THEN 'update'
                      ELSE 'delete' END AS action,
                 ${u(4)} AS u_row, ${u(5)} AS u_actor, ${u(6)} AS u_member, ${u(7)} AS u_field,
                 md5(i::text) AS h
            FROM generate_series($1::bigint, $2::bigint) AS i,
                 (SELECT date_trunc('month', now()) - interval '${s.months - 1} months' AS start) AS b
        ) AS picked
    ) AS shaped`;
}
