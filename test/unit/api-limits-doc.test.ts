import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { JSON_BODY_LIMIT } from '../../app/app';
import { CURSOR_SECRET_MIN_LENGTH, loadConfig } from '../../app/config';
import { MAX_JSON_DEPTH } from '../../app/http/raw-json';
import { MAX_OFFSET, MAX_PAGE_SIZE } from '../../app/http/schemas/common';

// docs/api.md states each limit once; these are the values the server uses.
// A change to either side without the other fails here.

const doc = fs.readFileSync(path.resolve(__dirname, '../../docs/api.md'), 'utf8');
const limits = doc.slice(doc.indexOf('## Limits'));
const number = (n: number) => n.toLocaleString('en-US');

describe('docs/api.md "Limits" against the server', () => {
  const config = loadConfig({});

  it('when the docs state the body size and nesting limits, they are the parser’s', () => {
    // express.json reads "100kb" as 100 × 1024 bytes.
    expect(JSON_BODY_LIMIT).to.equal('100kb');
    const size = 100 * 1024;
    expect(limits).to.include(`${size / 1024} KiB (${number(size)} bytes)`);
    expect(limits).to.include(`"limitBytes": ${size}`);
    expect(limits).to.include(`${MAX_JSON_DEPTH} levels of arrays and objects`);
  });

  it('when the docs state the login and registration limits, they are the configured defaults', () => {
    const l = config.limits;
    expect(limits).to.include(`${l.loginFailuresPerAccount} per username from one address`);
    expect(limits).to.include(`${l.loginFailuresPerAddress} from one address, all usernames`);
    expect(limits).to.include(
      `${l.loginWindowSeconds / 60} minutes (\`LOGIN_WINDOW_SECONDS\`, ${l.loginWindowSeconds})`,
    );
    expect(limits).to.include(`${l.registrationsPerAddress} created accounts per address per hour`);
    expect(l.registrationWindowSeconds).to.equal(3600);
  });

  it('when the docs state page sizes and the secret’s length, they are the schemas’ and the config’s', () => {
    expect(limits).to.include(
      `\`limit\` 1 to ${MAX_PAGE_SIZE} (20 when absent), \`offset\` at most ${number(MAX_OFFSET)}`,
    );
    expect(limits).to.include(`at least ${CURSOR_SECRET_MIN_LENGTH} characters`);
  });
});
