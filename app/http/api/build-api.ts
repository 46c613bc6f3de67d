import type { Router } from 'express';
import type { Sequelize } from 'sequelize';
import type { AppConfig } from '../../config';
import { Item, Location } from '../../../models';
import { AccountService } from '../../services/account-service';
import { AsOfService } from '../../services/as-of-service';
import { SnapshotService } from '../../services/snapshot-service';
import { CampaignService } from '../../services/campaign-service';
import { CharacterService } from '../../services/character-service';
import { HistoryService } from '../../services/history-service';
import { HistoryCursors } from '../../services/history-cursor';
import { cursorSecretOf } from '../../cursor-secret';
import { ItemLocationService } from '../../services/item-location-service';
import {
  AuthRateLimiter,
  limitsFromConfig,
  type AuthLimiter,
  type AuthRateLimits,
} from '../../services/auth-rate-limiter';
import { InvitationService } from '../../services/invitation-service';
import { MembershipService } from '../../services/membership-service';
import { requireUser } from '../middleware/authenticate';
import { authRoutes } from '../routes/auth';
import { campaignRoutes } from '../routes/campaigns';
import { characterRoutes, itemLocationRoutes } from '../routes/content';
import { historyRoutes } from '../routes/history';
import { snapshotRoutes } from '../routes/snapshot';
import { historyActionRoutes } from '../routes/history-actions';
import { RestoreService } from '../../services/restore-service';
import { RevertService } from '../../services/revert-service';
import { TrashService } from '../../services/trash-service';
import { invitationRoutes } from '../routes/invitations';
import { ApiRouter } from './api-router';
import { buildOpenApiDocument, registerServiceRoutes } from './openapi';

/** The API's router and its OpenAPI document, built from the same endpoint specs. */
export function buildApi(deps: {
  sequelize: Sequelize;
  config: AppConfig;
  /** Overrides of the configured limits (tests). */
  loginLimits?: Partial<AuthRateLimits> | undefined;
  /** Another limiter altogether (benchmarks compare one). */
  authLimiter?: AuthLimiter | undefined;
}): { router: Router; document: () => ReturnType<typeof buildOpenApiDocument> } {
  const { sequelize, config } = deps;
  const accounts = new AccountService(
    { scryptLogN: config.passwordScryptLogN, tokenTtlHours: config.authTokenTtlHours },
    deps.authLimiter ??
      new AuthRateLimiter(sequelize, { ...limitsFromConfig(config.limits), ...deps.loginLimits }),
  );
  const api = new ApiRouter(requireUser(accounts));
  authRoutes(api, accounts);
  const asOf = new AsOfService(sequelize);
  const campaigns = new CampaignService(sequelize);
  const characters = new CharacterService(sequelize);
  const items = new ItemLocationService<Item>(sequelize, Item, 'Item');
  const locations = new ItemLocationService<Location>(sequelize, Location, 'Location');
  const cursors = new HistoryCursors(cursorSecretOf(config));
  campaignRoutes(api, campaigns, new MembershipService(sequelize), asOf);
  invitationRoutes(api, new InvitationService(sequelize, config.invitationTtlDays));
  characterRoutes(api, characters, asOf);
  itemLocationRoutes(api, items, 'items', asOf);
  itemLocationRoutes(api, locations, 'locations', asOf);
  historyRoutes(api, new HistoryService(sequelize), cursors);
  snapshotRoutes(api, new SnapshotService(sequelize), cursorSecretOf(config));
  historyActionRoutes(api, {
    restore: new RestoreService(sequelize),
    revert: new RevertService(sequelize),
    trash: new TrashService(sequelize),
    cursors,
    campaigns,
    characters,
    items,
    locations,
  });
  api.finish();
  registerServiceRoutes(api.registry);
  // Generating the document costs tens of milliseconds: done when it is first
  // served (GET /api/openapi.json or /docs), once per app.
  let document: ReturnType<typeof buildOpenApiDocument> | undefined;
  return { router: api.router, document: () => (document ??= buildOpenApiDocument(api.registry)) };
}
