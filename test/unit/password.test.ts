import { expect } from 'chai';
import { hashCost, hashPassword, verifyPassword } from '../../app/auth/password';
import { ConfigError, SCRYPT_LOG_N_FLOOR, loadConfig } from '../../app/config';

describe('Password hashing', () => {
  it('when a password is hashed twice, the hashes differ (salted) and both verify', async () => {
    const a = await hashPassword('s3cret pass', 10);
    const b = await hashPassword('s3cret pass', 10);
    expect(a).to.not.equal(b);
    expect(await verifyPassword('s3cret pass', a)).to.equal(true);
    expect(await verifyPassword('s3cret pass', b)).to.equal(true);
  });

  it('when the password is wrong or the stored hash unreadable, verification fails', async () => {
    const hash = await hashPassword('s3cret pass', 10);
    expect(await verifyPassword('s3cret pasS', hash)).to.equal(false);
    expect(await verifyPassword('s3cret pass', 'bcrypt$whatever')).to.equal(false);
    expect(await verifyPassword('s3cret pass', 'scrypt$x$8$1$AA==$AA==')).to.equal(false);
  });

  it('when the cost is raised later, older hashes still verify with the cost they carry', async () => {
    const old = await hashPassword('s3cret pass', 10);
    expect(hashCost(old)).to.equal(10);
    expect(await verifyPassword('s3cret pass', old)).to.equal(true);
  });

  it('when the production cost is N = 2^15, hashing works within Node memory limits', async () => {
    const hash = await hashPassword('s3cret pass', 15);
    expect(hashCost(hash)).to.equal(15);
    expect(await verifyPassword('s3cret pass', hash)).to.equal(true);
  });
});

describe('Password cost configuration', () => {
  it('when nothing is set, tests use a low cost and other environments 2^15', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).passwordScryptLogN).to.be.below(SCRYPT_LOG_N_FLOOR);
    expect(loadConfig({ NODE_ENV: 'production' }).passwordScryptLogN).to.equal(15);
    expect(loadConfig({}).passwordScryptLogN).to.equal(15);
  });

  it('when production asks for less than the floor, refuses to start naming PASSWORD_SCRYPT_LOG_N', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', PASSWORD_SCRYPT_LOG_N: '10' }))
      .to.throw(ConfigError)
      .with.property('variable', 'PASSWORD_SCRYPT_LOG_N');
    expect(
      loadConfig({ NODE_ENV: 'production', PASSWORD_SCRYPT_LOG_N: '16' }).passwordScryptLogN,
    ).to.equal(16);
  });

  it('when AUTH_TOKEN_TTL_HOURS is not a positive whole number, refuses naming it', () => {
    expect(() => loadConfig({ AUTH_TOKEN_TTL_HOURS: '0' }))
      .to.throw(ConfigError)
      .with.property('variable', 'AUTH_TOKEN_TTL_HOURS');
  });
});
