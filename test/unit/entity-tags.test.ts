import { expect } from 'chai';
import {
  entityTagOf,
  matchesStrongly,
  matchesWeakly,
  parseTagCondition,
} from '../../app/http/entity-tags';
import { ValidationError } from '../../app/errors';

describe('Entity tags and the If-Match / If-None-Match lists', () => {
  it('when a body is tagged, the tag is the quoted base64url SHA-256 of its JSON, the same for the same bytes', () => {
    const tag = entityTagOf({ id: 1, name: 'Rope' });
    expect(tag).to.match(/^"[A-Za-z0-9_-]{43}"$/);
    expect(entityTagOf({ id: 1, name: 'Rope' })).to.equal(tag);
    expect(entityTagOf({ id: 1, name: 'Rope ' })).to.not.equal(tag);
  });

  it('when a list is read, it keeps each tag with its quotes and whether it is weak; * is any', () => {
    expect(parseTagCondition('If-Match', ' * ')).to.equal('*');
    expect(parseTagCondition('If-Match', '"a", W/"b" ,,"c,d"')).to.deep.equal([
      { weak: false, opaque: '"a"' },
      { weak: true, opaque: '"b"' },
      { weak: false, opaque: '"c,d"' },
    ]);
  });

  it('when a value is not * or a list of entity-tags, it is a 400 naming the header', () => {
    for (const value of ['', ' ', ',', 'abc', '"a', '"a"b', 'W/a', '"a" "b"', '*, "a"', 'w/"a"']) {
      expect(() => parseTagCondition('If-Match', value), JSON.stringify(value))
        .to.throw(ValidationError)
        .with.property('details')
        .that.deep.equals([
          {
            field: 'headers.If-Match',
            message:
              'must be * or a list of entity-tags such as "abc", as the ETag header gives them',
          },
        ]);
    }
  });

  it('when a header is a long run of blanks or commas, it is refused in linear time', () => {
    for (const value of [' '.repeat(16_000) + 'x', ' ,'.repeat(8_000) + 'x', '\t'.repeat(16_000)]) {
      const started = process.hrtime.bigint();
      expect(() => parseTagCondition('If-None-Match', value)).to.throw(ValidationError);
      expect(Number(process.hrtime.bigint() - started) / 1e6).to.be.below(100);
    }
  });

  it('when tags are compared, If-Match needs the same strong tag and If-None-Match ignores W/', () => {
    const tags = parseTagCondition('If-Match', 'W/"a", "b"');
    if (tags === '*') throw new Error('a list was expected');
    expect(matchesStrongly(tags, '"a"')).to.equal(false);
    expect(matchesStrongly(tags, '"b"')).to.equal(true);
    expect(matchesWeakly(tags, '"a"')).to.equal(true);
    expect(matchesWeakly(tags, '"c"')).to.equal(false);
    expect(matchesWeakly('*', '"c"')).to.equal(true);
  });
});
