import { expect } from 'chai';
import { InvalidUsernameError, normalizeUsername } from '../../app/auth/username';
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

describe('normalizeUsername', () => {
  it('when a name has full-width letters, returns their plain NFKC form', () => {
    expect(normalizeUsername('ａｌｉｃｅ')).to.equal('alice');
    expect(normalizeUsername('Al_ice.b-1')).to.equal('Al_ice.b-1');
  });

  const invalid: Array<[string, RegExp]> = [
    ['ab', /at least 3 characters/],
    ['ｂｏ', /at least 3 characters/],
    ['a'.repeat(151), /at most 150 characters/],
    ['al ice', /use letters, digits, "_", "." or "-"/],
    ['al!ce', /use letters, digits/],
  ];
  for (const [raw, message] of invalid) {
    it(`when the name is ${JSON.stringify(raw.length > 20 ? `${raw.slice(0, 5)}... (${raw.length})` : raw)}, throws InvalidUsernameError saying what is wrong`, () => {
      expect(() => normalizeUsername(raw))
        .to.throw(InvalidUsernameError)
        .with.property('message')
        .that.matches(message);
    });
  }

  it('when the register schema and db:rename-user judge the same names, they agree on every one', () => {
    for (const raw of SAMPLES) {
      const parsed = Username.safeParse(raw);
      let normalized: string | undefined;
      try {
        normalized = normalizeUsername(raw);
      } catch (error) {
        expect(error).to.be.instanceOf(InvalidUsernameError);
      }
      expect(normalized, raw).to.equal(parsed.success ? parsed.data : undefined);
    }
  });
});
