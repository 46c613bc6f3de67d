import { expect } from 'chai';
import { normalizeUsername, usernameAsWritten, usernameProblem } from '../../app/auth/username';
import { Username } from '../../app/http/schemas/auth';

const SAMPLES = [
  'alice',
  'Al_ice.b-1',
  'ａｌｉｃｅ',
  'ab',
  'a'.repeat(150),
  'a'.repeat(151),
  'al ice',
  'al!ce',
  'ｂｏ',
  '',
];

describe('The username rule', () => {
  it('when a name has full-width letters, it is kept in its plain NFKC form and compared case folded', () => {
    expect(usernameAsWritten('ａｌｉｃｅ')).to.equal('alice');
    expect(usernameAsWritten('Al_ice.b-1')).to.equal('Al_ice.b-1');
    expect(normalizeUsername('Ａｌｉｃｅ')).to.equal('alice');
  });

  const invalid: Array<[string, RegExp]> = [
    ['ab', /at least 3 characters/],
    ['ｂｏ', /at least 3 characters/],
    ['a'.repeat(151), /at most 150 characters/],
    ['al ice', /use letters, digits, "_", "." or "-"/],
    ['al!ce', /use letters, digits/],
  ];
  for (const [raw, message] of invalid) {
    it(`when the name is ${JSON.stringify(raw.length > 20 ? `${raw.slice(0, 5)}... (${raw.length})` : raw)}, the problem says what is wrong`, () => {
      expect(usernameProblem(raw)).to.match(message);
    });
  }

  it('when the register schema and db:rename-user judge the same names, they agree on every one', () => {
    for (const raw of SAMPLES) {
      const parsed = Username.safeParse(raw);
      const accepted = usernameProblem(raw) === undefined ? usernameAsWritten(raw) : undefined;
      expect(accepted, raw).to.equal(parsed.success ? parsed.data : undefined);
    }
  });
});
