import type { QueryInterface } from 'sequelize';
import { DataTypes } from 'sequelize';

// Whether players (not only the OWNER and GMs) may create items and locations.
// A constant default is a catalog-only change on PostgreSQL 11+: no table rewrite.

export async function up(queryInterface: QueryInterface): Promise<void> {
  await queryInterface.addColumn('campaigns', 'players_can_create_content', {
    type: DataTypes.BOOLEAN,
    allowNull: false,
    defaultValue: false,
  });
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  await queryInterface.removeColumn('campaigns', 'players_can_create_content');
}
