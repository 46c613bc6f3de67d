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
import { applyAudit, auditAttributes, type AuditField } from './mixins/audited';
import type { User } from './user';

/** A tabletop campaign; its owner may have been deleted (owner_id is then NULL). */
export class Campaign extends Model<
  InferAttributes<Campaign>,
  InferCreationAttributes<Campaign, { omit: AuditField }>
> {
  declare id: CreationOptional<number>;
  declare name: string;
  declare description: CreationOptional<string>;
  declare ownerId: ForeignKey<User['id']> | null;
  declare gameSystem: CreationOptional<string>;
  declare playersCanCreateContent: CreationOptional<boolean>;
  /** Set from the acting user on create, never changed afterwards; NULL once that user is deleted. */
  declare createdBy: number | null;
  /** Set from the acting user on every real change; NULL once that user is deleted. */
  declare modifiedBy: number | null;
  declare createdByUser?: NonAttribute<User | null>;
  declare modifiedByUser?: NonAttribute<User | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    Campaign.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        name: { type: DataTypes.STRING(200), allowNull: false },
        description: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
        gameSystem: { type: DataTypes.STRING(100), allowNull: false, defaultValue: '' },
        playersCanCreateContent: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        ...auditAttributes(),
        createdAt: { type: DataTypes.DATE, allowNull: false },
        updatedAt: { type: DataTypes.DATE, allowNull: false },
      },
      { sequelize, tableName: 'campaigns', modelName: 'Campaign', underscored: true },
    );
    applyAudit(Campaign);
  }
}
