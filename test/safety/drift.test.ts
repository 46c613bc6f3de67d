import { expect } from 'chai';
import { QueryTypes, type ModelStatic, type Model } from 'sequelize';
import {
  Campaign,
  CampaignInvitation,
  CampaignMembership,
  Character,
  Item,
  Location,
  User,
} from '../../models';
import { useTestDatabase } from '../support/test-database';

const MODELS: Array<ModelStatic<Model>> = [
  User,
  Campaign,
  CampaignMembership,
  Character,
  Item,
  Location,
  CampaignInvitation,
];

/** The PostgreSQL type a model attribute's Sequelize type maps to. */
function expectedType(type: { key: string; options?: { length?: number } }): string {
  switch (type.key) {
    case 'INTEGER':
      return 'integer';
    case 'BIGINT':
      return 'bigint';
    case 'STRING':
      return `character varying(${type.options?.length ?? 255})`;
    case 'TEXT':
      return 'text';
    case 'BOOLEAN':
      return 'boolean';
    case 'DATE':
      return 'timestamp with time zone';
    default:
      return `unmapped Sequelize type ${type.key}`;
  }
}

interface Column {
  column: string;
  type: string;
  nullable: boolean;
}

describe('Data integrity: drift guard, models and migrated tables', () => {
  const db = useTestDatabase('latest');

  async function columns(table: string): Promise<Column[]> {
    return db.current.sequelize.query<Column>(
      `SELECT column_name AS column,
              CASE WHEN data_type = 'character varying'
                   THEN 'character varying(' || character_maximum_length || ')' ELSE data_type END AS type,
              is_nullable = 'YES' AS nullable
         FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = :table ORDER BY column_name`,
      { type: QueryTypes.SELECT, replacements: { table } },
    );
  }

  for (const model of MODELS) {
    it(`when ${model.name} is compared with its table, every attribute has a column of the same name, type and nullability, and vice versa`, async () => {
      const table = model.getTableName() as string;
      const inDatabase = await columns(table);
      expect(inDatabase, `table ${table} exists`).to.not.be.empty;
      const inModel = Object.values(model.getAttributes())
        .map((attribute) => ({
          column: attribute.field ?? '',
          type: expectedType(attribute.type as unknown as { key: string }),
          nullable: attribute.primaryKey ? false : attribute.allowNull !== false,
        }))
        .sort((a, b) => a.column.localeCompare(b.column));
      expect(inModel).to.deep.equal(inDatabase);
    });
  }

  it('when the belongs-to associations of every model are compared with the tables, each has a foreign key to the right table', async () => {
    const keys = await db.current.sequelize.query<{ key: string }>(
      `SELECT c.conrelid::regclass || '.' || a.attname || ' -> ' || c.confrelid::regclass AS key
         FROM pg_constraint c
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace`,
      { type: QueryTypes.SELECT },
    );
    const expected = MODELS.flatMap((model) =>
      Object.values(model.associations)
        .filter((association) => association.associationType === 'BelongsTo')
        .map(
          (association) =>
            `${String(model.getTableName())}.${model.getAttributes()[association.foreignKey]?.field} -> ${String(association.target.getTableName())}`,
        ),
    );
    expect(expected).to.have.length.above(5);
    expect(keys.map((k) => k.key)).to.include.members(expected);
  });

  it('when the schema is migrated, every foreign-key column leads an index (else deleting a user scans the table)', async () => {
    const unindexed = await db.current.sequelize.query<{ key: string }>(
      `SELECT c.conrelid::regclass || '.' || a.attname AS key
         FROM pg_constraint c
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_index i
                           WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])
        ORDER BY 1`,
      { type: QueryTypes.SELECT },
    );
    expect(unindexed.map((r) => r.key)).to.deep.equal([]);
  });
});
