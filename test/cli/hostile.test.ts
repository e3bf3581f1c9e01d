/**
 * The hostile-input table (test/fixtures/hostile/cases.json): every input with its expected exit
 * code and message, run through the real code path that reads it (secret files through AnswerSource,
 * --config through loadConfigFile + AnswerSource, the state file through readState + the output
 * schemas, SP metadata through the bounded read + parser, IdP metadata through its parser) or,
 * for the `cli` rows, through the real binary. Special files (/dev/zero, a FIFO, a directory, a
 * sparse 1 GB file) must be refused without being read, and no control character may reach the output.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'selfsigned';
import { AnswerSource } from '../../src/cli/io/answer-source.js';
import { loadConfigFile } from '../../src/cli/options.js';
import { readState, validateSavedOutputs } from '../../src/engine/state.js';
import { OUTPUT_SCHEMAS } from '../../src/steps/output-schemas.js';
import { parseSpMetadata } from '../../src/saml/sp-metadata.js';
import { parseIdpMetadata } from '../../src/saml/idp-metadata.js';
import { readBoundedSync } from '../../src/safe/read.js';
import { MAX_METADATA_BYTES } from '../../src/saml/xml.js';
import { safeMessage } from '../../src/safe/text.js';
import { isWizardError } from '../../src/errors.js';
import { ROOT, runCli } from '../helpers/cli.js';

interface Case {
  id: string;
  kind: 'secret' | 'config' | 'state' | 'sp' | 'idp' | 'cli';
  path?: string;
  args?: string[];
  mode?: string;
  exit: number;
  message: string;
}

const FIXTURES = path.join(ROOT, 'test/fixtures/hostile');
const cases = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'cases.json'), 'utf8')) as Case[];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-hostile-'));
const fifo = path.join(tmp, 'fifo');
let cert = '';

beforeAll(async () => {
  execFileSync('mkfifo', [fifo]);
  const pems = await generate([{ name: 'commonName', value: 'okta-hostile-test' }], { keySize: 2048 });
  cert = pems.cert.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

let n = 0;
/** Resolves a fixture path: $DIR, $FIFO, $MISSING, $BIG:<bytes>, $SPARSE:<bytes>, $COPY:<file>, $TMPSTATE, or a file of the folder. */
function resolve(p: string, mode?: string): string {
  n++;
  if (path.isAbsolute(p)) return p;
  if (p === '$DIR') return FIXTURES;
  if (p === '$FIFO') return fifo;
  if (p === '$TMPSTATE') return path.join(tmp, `state-${n}.json`);
  if (p.startsWith('$MISSING')) return path.join(tmp, `missing-${n}`) + p.slice('$MISSING'.length);
  if (p.startsWith('$DIR/')) return path.join(FIXTURES, p.slice(5));
  const big = /^\$BIG:(\d+)$/.exec(p);
  if (big) {
    const f = path.join(tmp, `big-${n}`);
    fs.writeFileSync(f, 'A'.repeat(Number(big[1])));
    return f;
  }
  const sparse = /^\$SPARSE:(\d+)$/.exec(p);
  if (sparse) {
    const f = path.join(tmp, `sparse-${n}`);
    fs.writeFileSync(f, '');
    fs.truncateSync(f, Number(sparse[1]));
    return f;
  }
  const name = p.startsWith('$COPY:') ? p.slice(6) : p;
  const src = path.join(FIXTURES, name);
  if (!mode && !p.startsWith('$COPY:') && !name.startsWith('state-')) return src;
  // State files (and files given a mode) are copied, so the test sets their mode as the case says.
  const f = path.join(tmp, `${n}-${path.basename(name)}`);
  fs.copyFileSync(src, f);
  fs.chmodSync(f, mode ? Number.parseInt(mode, 8) : 0o600);
  return f;
}

/** Runs one in-process case; returns the exit code and message it ended with. */
async function runCase(c: Case): Promise<{ exit: number; text: string }> {
  const file = resolve(c.path ?? '', c.mode);
  try {
    switch (c.kind) {
      case 'secret':
        new AnswerSource({ secretFiles: { 'okta-api-token': file } }).getSecret('okta-api-token');
        break;
      case 'config':
        new AnswerSource({ config: await loadConfigFile(file) });
        break;
      case 'state': {
        const st = await readState(file);
        if (st) validateSavedOutputs(st, file, OUTPUT_SCHEMAS);
        break;
      }
      case 'sp':
        parseSpMetadata(readBoundedSync(file, { maxBytes: MAX_METADATA_BYTES, what: 'The SP metadata file', hint: 'Check --sp-metadata.' }), { allowLoopback: false });
        break;
      case 'idp':
        parseIdpMetadata(fs.readFileSync(file, 'utf8').replace('{{CERT}}', cert));
        break;
      default:
        throw new Error(`not an in-process kind: ${c.kind}`);
    }
    return { exit: 0, text: '' };
  } catch (e) {
    if (!isWizardError(e)) throw e; // a TypeError or a raw fs error is a bug, never an answer
    return { exit: e.exitCode, text: `${e.message}\n${e.hint ?? ''}` };
  }
}

describe('the hostile-input table', () => {
  it('holds at least 60 inputs, each with an exit code and a message', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    for (const c of cases) {
      expect(typeof c.exit).toBe('number');
      if (c.exit !== 0) expect(c.message.length).toBeGreaterThan(0);
    }
  });

  for (const c of cases.filter((k) => k.kind !== 'cli')) {
    it(`${c.kind}: ${c.id} -> exit ${c.exit}`, async () => {
      const r = await runCase(c);
      expect(r.exit, r.text).toBe(c.exit);
      if (c.exit !== 0) {
        // What the CLI prints: escaped and short, however long or hostile the value.
        const shown = safeMessage(r.text);
        expect(shown).toMatch(new RegExp(c.message, 's'));
        expect(shown.length).toBeLessThan(2200);
        // eslint-disable-next-line no-control-regex
        expect(shown).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);
      }
    });
  }

  it('no input polluted Object.prototype (a "__proto__" key in --config is refused or dropped)', () => {
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('the cli rows, through the real binary', async () => {
    for (const c of cases.filter((k) => k.kind === 'cli')) {
      const args = (c.args ?? []).map((a) => (a.startsWith('$') ? resolve(a, c.mode) : a));
      const r = await runCli(args, { cwd: tmp });
      const out = r.stdout + r.stderr;
      expect(r.code, `${c.id}: ${out}`).toBe(c.exit);
      expect(out, c.id).toMatch(new RegExp(c.message, 's'));
      // eslint-disable-next-line no-control-regex
      expect(out, c.id).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);
      expect(out, c.id).not.toMatch(/\n\s+at /); // never a stack trace
    }
  });
});
