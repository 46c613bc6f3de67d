import type { Sequelize } from 'sequelize';
import { Character, initModels } from './index';

/**
 * Binds the models to `sequelize` unless they already are: a seeder gets the
 * app's instance from the app's runner but its own from sequelize-cli.
 */
export function bindModels(sequelize: Sequelize): void {
  if (Character.sequelize !== sequelize) initModels(sequelize);
}
