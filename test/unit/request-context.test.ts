import { expect } from 'chai';
import { getActor, runAs, runInContext, setActor } from '../../app/context';

describe('Request context', () => {
  it('when outside any context, there is no actor', () => {
    expect(getActor()).to.equal(undefined);
  });

  it('when runAs calls are nested, the inner actor applies inside and the outer one is restored after', async () => {
    await runAs(1, async () => {
      expect(getActor()?.userId).to.equal(1);
      await runAs(2, async () => {
        await new Promise((r) => setTimeout(r, 5));
        expect(getActor()?.userId).to.equal(2);
      });
      expect(getActor()?.userId).to.equal(1);
    });
  });

  it('when authentication sets the actor inside a request context, later async work sees it', async () => {
    await runInContext({ actor: null, requestId: 'r1', source: 'http' }, async () => {
      expect(getActor()).to.equal(undefined);
      setActor({ userId: 7 });
      await Promise.resolve();
      expect(getActor()?.userId).to.equal(7);
    });
  });

  it('when a context already has an actor, setActor refuses to replace it and the actor stays', async () => {
    await runInContext({ actor: null, requestId: 'r1', source: 'http' }, async () => {
      setActor({ userId: 7, tokenId: 3 });
      expect(() => setActor({ userId: 8 })).to.throw(/use runAs/);
      expect(getActor()).to.deep.equal({ userId: 7, tokenId: 3 });
    });
  });

  it('when runAs runs inside an authenticated request, the inner actor carries no token and the caller returns after', async () => {
    await runInContext({ actor: null, requestId: 'r1', source: 'http' }, async () => {
      setActor({ userId: 7, tokenId: 3 });
      await runAs({ userId: 9, tokenId: 3 }, async () => {
        expect(getActor()).to.deep.equal({ userId: 9 });
      });
      expect(getActor()).to.deep.equal({ userId: 7, tokenId: 3 });
    });
  });

  it('when setActor is called outside a context, throws instead of losing the actor', () => {
    expect(() => setActor({ userId: 1 })).to.throw(/outside a request context/);
  });

  it('when 50 contexts interleave, each keeps its own actor', async () => {
    const seen = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        runAs(i + 1, async () => {
          await new Promise((r) => setTimeout(r, Math.random() * 10));
          return getActor()?.userId;
        }),
      ),
    );
    expect(seen).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 1));
  });
});
