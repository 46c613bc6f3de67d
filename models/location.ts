import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type NonAttribute,
  type Sequelize,
} from 'sequelize';
import type { Campaign } from './campaign';
import type { User } from './user';
import { applyAudit, auditAttributes, type AuditField } from './mixins/audited';

/** A place in a campaign. */
export class Location extends Model<
  InferAttributes<Location>,
  InferCreationAttributes<Location, { omit: AuditField }>
> {
  declare id: CreationOptional<number>;
  declare name: string;
  declare description: CreationOptional<string>;
  declare campaignId: ForeignKey<Campaign['id']>;
  /** Set from the acting user on create, never changed afterwards; NULL once that user is deleted. */
  declare createdBy: number | null;
  /** Set from the acting user on every real change; NULL once that user is deleted. */
  declare modifiedBy: number | null;
  declare createdByUser?: NonAttribute<User | null>;
  declare modifiedByUser?: NonAttribute<User | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    Location.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        campaignId: { type: DataTypes.INTEGER, allowNull: false },
        name: { type: DataTypes.STRING(100), allowNull: false },
        description: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
        ...auditAttributes(),
        createdAt: { type: DataTypes.DATE, allowNull: false },
        updatedAt: { type: DataTypes.DATE, allowNull: false },
      },
      {
        sequelize,
        tableName: 'locations',
        modelName: 'Location',
        // Explicit, so the columns stay snake_case on any Sequelize instance (sequelize-cli's too).
        underscored: true,
      },
    );
    applyAudit(Location);
  }
}
