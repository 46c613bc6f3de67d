import { expect } from 'chai';
import request from 'supertest';
import { signUp, testApp } from '../../support/api-client';
import { useTestDatabase } from '../../support/test-database';

describe('Protocol details', () => {
  const db = useTestDatabase('latest');

  it('when the Authorization scheme is written "bearer" or "BEARER", the token is accepted (RFC 7235: case-insensitive)', async () => {
    const app = testApp(db.current);
    const alice = await signUp(app, 'alice');
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      const res = await request(app)
        .get('/api/me')
        .set('Authorization', `${scheme} ${alice.token}`)
        .expect(200);
      expect(res.body.username).to.equal('alice');
    }
    await request(app).get('/api/me').set('Authorization', `Basic ${alice.token}`).expect(401);
  });

  it('when /metrics is read, it carries the same security headers as every other response', async () => {
    const app = testApp(db.current);
    const res = await request(app).get('/metrics').expect(200);
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.headers['x-frame-options']).to.equal('SAMEORIGIN');
    expect(res.headers['content-security-policy']).to.be.a('string');
  });

  for (const [path, allow] of [
    ['/api/items/1', 'GET, HEAD, PATCH, DELETE'],
    ['/api/campaigns', 'GET, HEAD, POST'],
    ['/health', 'GET, HEAD'],
    ['/metrics', 'GET, HEAD'],
  ] as const) {
    it(`when ${path} gets PUT, answers 405 in the JSON error shape with Allow: ${allow}`, async () => {
      const app = testApp(db.current);
      const res = await request(app).put(path).send({}).expect(405);
      expect(res.headers.allow).to.equal(allow);
      expect(res.headers['content-type']).to.match(/^application\/json/);
      expect(res.body.error.code).to.equal('method_not_allowed');
    });

    it(`when ${path} gets OPTIONS, answers 204 with Allow and no plain-text body`, async () => {
      const app = testApp(db.current);
      const res = await request(app).options(path).expect(204);
      expect(res.headers.allow).to.equal(`${allow}, OPTIONS`);
      expect(res.headers['content-type'] ?? '').to.not.match(/text\/plain/);
      expect(res.text ?? '').to.equal('');
    });
  }

  for (const path of ['/docs', '/docs/', '/docs/swagger-ui.css']) {
    for (const method of ['post', 'put', 'patch', 'delete'] as const) {
      it(`when ${path} gets ${method.toUpperCase()}, answers 405 with Allow: GET, HEAD and no page`, async () => {
        const app = testApp(db.current);
        const res = await request(app)[method](path).expect(405);
        expect(res.headers.allow).to.equal('GET, HEAD');
        expect(res.body.error.code).to.equal('method_not_allowed');
        expect(res.body.error.message).to.include(`on ${path}`);
        expect(res.text).to.not.include('<html');
      });
    }

    it(`when ${path} gets OPTIONS, answers 204 with Allow: GET, HEAD, OPTIONS`, async () => {
      const app = testApp(db.current);
      const res = await request(app).options(path).expect(204);
      expect(res.headers.allow).to.equal('GET, HEAD, OPTIONS');
      expect(res.text ?? '').to.equal('');
    });
  }

  it('when /docs/ gets GET or HEAD, the page is served (200)', async () => {
    const app = testApp(db.current);
    const page = await request(app).get('/docs/').expect(200);
    expect(page.text).to.include('swagger-ui');
    await request(app).head('/docs/').expect(200);
  });

  it('when an unknown path gets OPTIONS, answers 404 in the JSON error shape', async () => {
    const app = testApp(db.current);
    const res = await request(app).options('/api/nothing-here').expect(404);
    expect(res.body.error.code).to.equal('not_found');
  });
});
