/**
 * verify's health table fits the terminal: details and fixes wrap between words under their column
 * (a word is never cut), and very narrow terminals put them on lines of their own.
 */
import { describe, expect, it } from 'vitest';
import { healthLines, rowOf } from '../../src/verify/rows.js';

const rows = [
  rowOf('saml-audience', "Audience is Identity Center's issuer URL", 'passed', 'the assertion names d-9067a1b2c3 as its audience, which is the issuer URL Identity Center expects'),
  rowOf(
    'device-authorization',
    'Device authorization as the test user',
    'skipped',
    'approving the device code needs a person (a non-interactive run, and the sandbox does not approve it: --manual-console)',
    'Run `okta-aws-sso verify --sign-in` in a terminal and approve the code as ada.lovelace@example.com.',
  ),
  rowOf('scim-token', 'SCIM token expiry', 'failed', 'the access token expires on 2027-01-01 (in 30 days)', 'Rotate it: `okta-aws-sso rotate scim-token`.'),
];

/** Every word of the rows, as it must appear whole in the output. */
const words = rows.flatMap((r) => [r.check, r.detail, r.fix ?? ''].join(' ').split(/\s+/).filter(Boolean));

describe('healthLines', () => {
  for (const width of [100, 80, 60, 48]) {
    it(`fits ${width} columns without cutting a word`, () => {
      const lines = healthLines(rows, width);
      for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(width);
      const tokens = new Set(lines.flatMap((l) => l.split(/\s+/)));
      for (const w of words) expect(tokens.has(w), `"${w}" cut in:\n${lines.join('\n')}`).toBe(true);
      expect(lines.at(-1)).toBe('1 passed, 0 warning(s), 1 failed, 1 skipped.');
    });
  }

  it('keeps each detail under its column at 100 columns', () => {
    const lines = healthLines(rows, 100);
    const col = lines[0]!.indexOf('the assertion');
    const cont = lines.slice(1).filter((l) => l.startsWith(' '));
    expect(cont.length).toBeGreaterThan(0);
    for (const l of cont) expect(l.search(/\S/)).toBeGreaterThanOrEqual(col);
  });

  it('keeps a word longer than the column whole, on a line of its own', () => {
    const url = 'https://us-east-2.signin.aws.amazon.com/platform/saml/acs/2e35edd1-171a-467a-87ac-81eaeef4de6b';
    const lines = healthLines([rowOf('acs', 'ACS URL', 'passed', `expected ${url} here`)], 60);
    expect(lines.some((l) => l.trim() === url)).toBe(true);
  });

  it('writes one line per row and fix without a width (a pipe)', () => {
    expect(healthLines(rows)).toHaveLength(rows.length + 2 + 1);
  });
});
