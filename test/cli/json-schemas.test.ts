/**
 * Every --json document the CLI prints, from real runs against the sandbox, validated against the
 * JSON Schemas published in docs/schemas/ (documented in docs/json-output.md): status before and
 * after, a dry run, a whole init, verify, resume, the sandbox commands, and an error document.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCliInProcess as runCli, tmpWorkDir, type CliResult } from '../helpers/cli.js';
import { readRequestLog } from '../helpers/sandbox.js';
import { expectRunMatchesState, expectWritesMatchPlan } from '../helpers/plan-log.js';
import type { WizardState } from '../../src/engine/state.js';

const SCHEMAS = path.join(ROOT, 'docs/schemas');
const dir = tmpWorkDir('oas-json-');
const validators: Record<string, ValidateFunction> = {};

beforeAll(() => {
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, strictTypes: false, allowUnionTypes: true });
  const addFormats = (addFormatsModule as unknown as { default: (a: Ajv) => void }).default ?? (addFormatsModule as unknown as (a: Ajv) => void);
  addFormats(ajv);
  const files = fs.readdirSync(SCHEMAS).filter((f) => f.endsWith('.schema.json'));
  for (const f of files) ajv.addSchema(JSON.parse(fs.readFileSync(path.join(SCHEMAS, f), 'utf8')) as object);
  for (const f of files) validators[f.replace('.schema.json', '')] = ajv.getSchema(f)!;
});

afterAll(async () => {
  await runCli(['sandbox', 'stop'], { cwd: dir, env: {} });
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Parses stdout as exactly one document and validates it; returns it for further checks. */
function check(schema: string, r: CliResult): Record<string, unknown> {
  const doc = JSON.parse(r.stdout) as Record<string, unknown>;
  const validate = validators[schema]!;
  expect(validate(doc), `${schema}: ${JSON.stringify(validate.errors, null, 1)}\n${r.stdout.slice(0, 2000)}`).toBe(true);
  expect(validators['document']!(doc)).toBe(true);
  expect(doc['exitCode']).toBe(r.code);
  return doc;
}

describe('--json documents match docs/schemas', () => {
  it('has one schema per document kind (and the access file\'s, an input: test/access), each a valid JSON Schema', () => {
    expect(Object.keys(validators).sort()).toEqual(['access-file', 'destroy', 'document', 'dry-run', 'init', 'resume', 'rotate', 'sandbox', 'status', 'verify']);
  });

  it('status, dry run, init, status, verify, resume and the sandbox commands, from one real sandbox run', async () => {
    const env = { CI: 'true' };
    const none = check('status', await runCli(['status', '--json'], { cwd: dir, env }));
    expect(none['result']).toBe('status');

    const plan = await runCli(['init', '--sandbox', '--yes', '--dry-run', '--json'], { cwd: dir, env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(check('dry-run', plan)['result']).toBe('planned');

    const start = check('sandbox', await runCli(['sandbox', 'start', '--json'], { cwd: dir, env }));
    expect(start['data']).toMatchObject({ started: false });
    expect(JSON.stringify(start['data'])).not.toMatch(/token|secret/i);
    // The lines it printed are records too: they name the 0600 file that holds the API token, never the token.
    const startMsgs = start['messages'] as { code: string; data: Record<string, unknown> }[];
    const envFile = String(startMsgs.find((m) => m.code === 'SANDBOX_ENV_SOURCE')?.data['file']);
    const token = /OKTA_API_TOKEN="([^"]+)"/.exec(fs.readFileSync(envFile, 'utf8'))?.[1];
    expect(token).toMatch(/\S{8}/);
    expect(JSON.stringify(start)).not.toContain(token);
    expect(startMsgs.find((m) => m.code === 'SANDBOX_ENV_EXPORT' && m.data['name'] === 'OKTA_API_TOKEN')?.data['value']).toBe(`<in ${envFile}>`);
    check('sandbox', await runCli(['sandbox', 'status', '--json'], { cwd: dir, env }));

    const since = new Date().toISOString();
    const init = await runCli(['init', '--sandbox', '--yes', '--json'], { cwd: dir, env });
    expect(init.code, init.stderr).toBe(0);
    const initDoc = check('init', init);
    expect(initDoc['result']).toBe('done');
    // The messages are data: every step's start and what it did, by code, with the template's data.
    const msgs = initDoc['messages'] as { level: string; code: string; text: string; data: Record<string, unknown> }[];
    const codes = msgs.map((m) => m.code);
    expect(codes).toEqual(expect.arrayContaining(['STEP_START', 'PREFLIGHT_AWS_CALLER', 'PREFLIGHT_OKTA_ORG', 'GROUP_CREATED', 'PUSH_CREATED', 'PERMISSION_SET_CREATED', 'VERIFY_PASSED']));
    expect(msgs.filter((m) => m.code === 'STEP_START').map((m) => m.data['stepId'])).toContain('account-assignments');
    expect(msgs.find((m) => m.code === 'GROUP_CREATED')).toMatchObject({ level: 'info', data: { name: expect.any(String), id: expect.any(String) } });
    expect(msgs.every((m) => m.level !== 'debug')).toBe(true);
    // A spinner's start and outcome are records too (its redrawn updates are not), and so is every
    // line the run ended with: the closing summary.
    expect(msgs.filter((m) => m.level === 'progress').map((m) => m.code)).toEqual(expect.arrayContaining(['ACCOUNTS_PROGRESS', 'ACCOUNTS_DONE', 'PERMISSION_SET_PROGRESS']));
    expect(msgs.find((m) => m.code === 'ACCOUNTS_DONE')?.data).toMatchObject({ done: expect.any(Number), total: expect.any(Number) });
    const closing = msgs.slice(msgs.findIndex((m) => m.code === 'RUN_DONE'));
    expect(closing.map((m) => m.code)).toEqual(expect.arrayContaining(['RUN_DONE', 'SUMMARY_CREATED', 'SUMMARY_PORTAL', 'SUMMARY_DETAILS']));
    expect(closing.every((m) => m.level === 'result')).toBe(true);
    for (const m of closing) expect(init.stderr.replace(/\n +/g, ' ')).toContain(m.text);
    // Each record's text is what the terminal printed (on stderr with --json).
    for (const m of msgs.filter((x) => x.code === 'GROUP_CREATED')) expect(init.stderr).toContain(m.text);
    // The dry run printed the very changes init then applied, for every step it could plan (the rest
    // need the result of a console action first: a "pending:" note).
    type Doc = { steps: { id: string; changes?: Rec[]; notes?: string[]; applied?: Rec[] }[] };
    type Rec = { op: string; resource: { kind: string }; risk: string; writes?: unknown[] };
    const shape = (cs: Rec[] = []) => cs.map((c) => ({ op: c.op, kind: c.resource.kind, risk: c.risk, writes: c.writes }));
    const applied = new Map((JSON.parse(init.stdout) as Doc).steps.map((st) => [st.id, st.applied]));
    const plannedSteps = (JSON.parse(plan.stdout) as Doc).steps.filter((st) => !(st.notes ?? []).some((n) => n.startsWith('pending:')));
    expect(plannedSteps.map((st) => st.id)).toEqual(expect.arrayContaining(['preflight', 'sp-metadata', 'scim-endpoint', 'permission-set']));
    for (const st of plannedSteps) expect(shape(st.changes), st.id).toEqual(shape(applied.get(st.id)));

    const after = check('status', await runCli(['status', '--json'], { cwd: dir, env }));
    // Every step is done, but the optional MFA step (off by default: skipped).
    expect((after['steps'] as { id: string; status: string }[]).every((s) => s.status === (s.id === 'app-sign-on-policy' ? 'skipped' : 'done'))).toBe(true);

    const verify = await runCli(['verify', '--sandbox', '--json'], { cwd: dir, env });
    expect(verify.code, verify.stderr).toBe(0);
    const verifyDoc = check('verify', verify);
    expect(verifyDoc['result']).toBe('done');
    expect((verifyDoc['messages'] as { code: string }[]).map((m) => m.code)).toEqual(expect.arrayContaining(['STEP_STILL_HOLDS', 'VERIFY_PASSED']));

    const resume = await runCli(['resume', '--sandbox', '--json'], { cwd: dir, env });
    expect(resume.code, resume.stderr).toBe(0);
    check('resume', resume);
    // init, verify and resume sent only their steps' planned writes (test/helpers/plan-log.ts).
    const sbDir = path.join(dir, '.okta-aws-sso', 'sandbox');
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8')) as WizardState;
    expect(expectRunMatchesState(await readRequestLog(sbDir), state, { since }).length).toBeGreaterThan(8);
    const cursor = (await readRequestLog(sbDir)).length;

    const rotatePlan = await runCli(['rotate', 'saml-cert', '--dry-run', '--json'], { cwd: dir, env });
    expect(rotatePlan.code, rotatePlan.stderr).toBe(0);
    expect(check('rotate', rotatePlan)).toMatchObject({ result: 'planned', data: { rotation: { rotation: 'saml-cert', continuing: false } } });
    const rotated = await runCli(['rotate', 'saml-cert', '--json'], { cwd: dir, env });
    expect(rotated.code, rotated.stderr).toBe(0);
    const rot = check('rotate', rotated) as { result: string; data: { rotation: { phases: { doneAt?: string }[] } } };
    expect(rot.result).toBe('done');
    expect(rot.data.rotation.phases.every((p) => p.doneAt !== undefined)).toBe(true);
    // The rotation sent exactly the writes its --dry-run --json plan printed.
    const planned = JSON.parse(rotatePlan.stdout) as { data: { rotation: { phases: { writes: { service: 'okta' | 'aws'; operation: string; count: number }[] }[] } } };
    expectWritesMatchPlan(await readRequestLog(sbDir, { since: cursor }), planned.data.rotation.phases, 'rotate saml-cert');
    const destroyPlan = await runCli(['destroy', '--dry-run', '--json'], { cwd: dir, env });
    expect(destroyPlan.code, destroyPlan.stderr).toBe(0);
    expect((check('destroy', destroyPlan)['data'] as { changes: unknown[] }).changes.length).toBeGreaterThan(0);
    const destroyRefused = await runCli(['destroy', '--yes', '--json'], { cwd: dir, env });
    expect(check('destroy', destroyRefused)).toMatchObject({ result: 'error', exitCode: 2, error: { code: 'DESTROY_CONFIRM_NEEDED' } });

    const stop = check('sandbox', await runCli(['sandbox', 'stop', '--json'], { cwd: dir, env }));
    expect(typeof (stop['data'] as { stopped: unknown }).stopped).toBe('boolean');
  }, 300_000);

  it('an error document (resume without a state file) matches too', async () => {
    const empty = tmpWorkDir('oas-json-empty-');
    try {
      const r = await runCli(['resume', '--json'], { cwd: empty, env: { CI: 'true' } });
      expect(r.code).toBe(2);
      const doc = check('resume', r);
      expect(doc).toMatchObject({ result: 'error', error: { code: 'NO_STATE' } });
      const usage = await runCli(['status', '--json', '--bogus'], { cwd: empty, env: { CI: 'true' } });
      expect(check('status', usage)).toMatchObject({ result: 'error', exitCode: 2 });
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  }, 120_000);
});
