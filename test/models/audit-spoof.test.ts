import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { runAs } from '../../app/context';
import { toHttpError } from '../../app/http/middleware/error-handler';
import { Item } from '../../models';
import { AuditFieldError } from '../../models/mixins/audit-errors';
import { createAuditFixture, storedAudit, type AuditFixture } from '../support/audit-fixtures';
import { useTestDatabase } from '../support/test-database';

describe('Audit fields cannot be spoofed', () => {
  const db = useTestDatabase('latest');
  let fixture: AuditFixture;
  let creator: number, attacker: number, victim: number;
  let item: Item;

  beforeEach(async () => {
    fixture = await createAuditFixture(db.current.sequelize, 3);
    [creator, attacker, victim] = fixture.users as [number, number, number];
    item = await runAs(creator, () =>
      Item.create({ name: 'Crown', campaignId: fixture.campaignId }),
    );
  });

  async function expectRefused(field: string, run: () => Promise<unknown>): Promise<void> {
    let error: unknown;
    await runAs(attacker, run).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(AuditFieldError);
    expect((error as AuditFieldError).field).to.equal(field);
  }

  async function itemNames(): Promise<string[]> {
    const rows = await db.current.sequelize.query<{ name: string }>(
      'SELECT name FROM items ORDER BY id',
      { type: QueryTypes.SELECT },
    );
    return rows.map((r) => r.name);
  }

  const unchanged = () => ({ created_by: creator, modified_by: creator });

  const attempts: Array<{ path: string; field: string; run: () => Promise<unknown> }> = [
    {
      path: 'instance.update({ createdBy })',
      field: 'createdBy',
      run: () => item.update({ createdBy: attacker, description: 'mine now' }),
    },
    {
      path: 'instance.update({ modifiedBy: someone else })',
      field: 'modifiedBy',
      run: () => item.update({ modifiedBy: victim, description: 'blame the victim' }),
    },
    {
      path: 'Model.update({ createdBy }, { where })',
      field: 'createdBy',
      run: () => Item.update({ createdBy: attacker }, { where: { id: item.id } }),
    },
    {
      path: 'Model.update({ modifiedBy: someone else }, { where })',
      field: 'modifiedBy',
      run: () => Item.update({ modifiedBy: victim, name: 'x' }, { where: { id: item.id } }),
    },
    {
      path: 'Model.bulkCreate updateOnDuplicate: [createdBy]',
      field: 'createdBy',
      run: () =>
        Item.bulkCreate([{ id: item.id, name: 'Crown', campaignId: fixture.campaignId }], {
          updateOnDuplicate: ['createdBy', 'name'],
        }),
    },
    {
      path: 'Model.upsert with fields: [createdBy]',
      field: 'createdBy',
      run: () =>
        Item.upsert(
          { id: item.id, name: 'Crown', campaignId: fixture.campaignId },
          { fields: ['createdBy', 'name'] },
        ),
    },
  ];
  for (const { path, field, run } of attempts) {
    it(`when a caller supplies ${path}, then it is refused naming ${field} and the stored fields stay`, async () => {
      await expectRefused(field, run);
      expect(await storedAudit(db.current.sequelize, 'items', item.id)).to.deep.equal(unchanged());
    });
  }

  it('when a create supplies another user as createdBy or modifiedBy, then it is refused and nothing is stored', async () => {
    const values = { name: 'Forged', campaignId: fixture.campaignId };
    // @ts-expect-error the creation attributes leave the audit fields out
    await expectRefused('createdBy', () => Item.create({ ...values, createdBy: victim }));
    // @ts-expect-error the creation attributes leave the audit fields out
    await expectRefused('modifiedBy', () => Item.create({ ...values, modifiedBy: victim }));
    await expectRefused('createdBy', () =>
      Item.bulkCreate([{ ...values, createdBy: victim } as never]),
    );
    await expectRefused('createdBy', () => Item.upsert({ ...values, createdBy: victim } as never));
    expect(await itemNames()).to.deep.equal(['Crown']);
  });

  it('when an update supplies the current creator again, then nothing is refused and the creator stays', async () => {
    await runAs(attacker, () => item.update({ createdBy: creator, description: 'fine' }));
    expect(await storedAudit(db.current.sequelize, 'items', item.id)).to.deep.equal({
      created_by: creator,
      modified_by: attacker,
    });
  });

  it('when the refusal reaches the HTTP error handler, then it is a 400 naming the field', () => {
    const { status, body } = toHttpError(new AuditFieldError('Item', 'createdBy', 'set once'));
    expect(status).to.equal(400);
    // The one shape of a 400's details: a list of refused fields.
    expect(body.error.details).to.deep.equal([
      {
        field: 'createdBy',
        message: 'is set from the acting user and cannot be written: set once',
      },
    ]);
    expect(body.error.message).to.include('Item.createdBy');
  });
});
