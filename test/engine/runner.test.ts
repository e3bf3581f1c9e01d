import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runSteps, type RunOptions } from '../../src/engine/runner.js';
import { buildPlan } from '../../src/engine/plan.js';
import { StateStore, readState } from '../../src/engine/state.js';
import { ExitCode, WizardError, AuthError } from '../../src/errors.js';
import { notBuiltStep } from '../../src/steps/not-built.js';
import type { AnyStep } from '../../src/steps/contract.js';
import type { OutputProgress } from '../../src/cli/io/base-io.js';
import type { IoMessage } from '../../src/messages.js';
import { MemoryOutput } from '../../src/cli/io/memory-output.js';
import type { Change, RiskClass } from '../../src/core/change.js';
import type { StepId } from '../../src/core/outputs.js';
import { engineHarness, newJournal, readStateFile, testStep, type EngineHarness, type Journal } from './fixtures.js';

function opts(h: EngineHarness, steps: AnyStep[], signal = new AbortController().signal): RunOptions {
  return { steps, store: h.store, io: h.io, services: h.services, secrets: h.secrets, signal, workDir: h.dir };
}

function threeSteps(j: Journal, override: Partial<Record<StepId, Parameters<typeof testStep>[1]['apply']>> = {}): AnyStep[] {
  return [
    testStep(j, { id: 'preflight', apply: override.preflight }),
    testStep(j, { id: 'sp-metadata', needs: ['preflight'], apply: override['sp-metadata'] }),
    testStep(j, { id: 'okta-app', needs: ['preflight', 'sp-metadata'], apply: override['okta-app'] }),
  ];
}

describe('runner', () => {
  it('runs the steps in order, passes outputs on, and saves state after each step', async () => {
    const j = newJournal();
    const h = engineHarness();
    const seen: string[] = [];
    const steps = threeSteps(j, {
      'sp-metadata': async (ctx) => {
        // the state file already records preflight as done when the next step starts
        const onDisk = readStateFile(h.file);
        seen.push(`preflight on disk: ${onDisk.steps['preflight']?.status}`);
        seen.push(`sp-metadata on disk: ${onDisk.steps['sp-metadata']?.status}`);
        return { value: 'v1', from: (ctx.need('preflight') as unknown as { value: string }).value };
      },
    });
    j.world.set('sp-metadata', 'v1');
    const r = await runSteps(opts(h, steps));
    expect(r.outcome).toBe('done');
    expect(r.exitCode).toBe(ExitCode.Ok);
    expect(j.events).toEqual(['observe:preflight', 'apply:preflight', 'observe:sp-metadata', 'apply:sp-metadata', 'observe:okta-app', 'apply:okta-app']);
    expect(seen).toEqual(['preflight on disk: done', 'sp-metadata on disk: running']);
    const state = readStateFile(h.file);
    expect(Object.keys(state.steps)).toEqual(['preflight', 'sp-metadata', 'okta-app']);
    expect(state.steps['sp-metadata']?.outputs).toEqual({ value: 'v1', from: 'v1' });
    for (const id of ['preflight', 'sp-metadata', 'okta-app']) {
      expect(state.steps[id]?.status).toBe('done');
      expect(state.steps[id]?.startedAt).toBeTruthy();
      expect(state.steps[id]?.finishedAt).toBeTruthy();
    }
    expect((fs.statSync(h.file).mode & 0o777).toString(8)).toBe('600');
  });

  it('records a failure, stops there, and the next run retries from the failed step', async () => {
    const j = newJournal();
    const h = engineHarness();
    let failOnce = true;
    const steps = threeSteps(j, {
      'sp-metadata': async () => {
        if (failOnce) throw new WizardError('The metadata could not be read.', { code: 'SP_METADATA_INVALID', hint: 'Download it again.' });
        j.world.set('sp-metadata', 'v1');
        return { value: 'v1' };
      },
    });
    const r1 = await runSteps(opts(h, steps));
    expect(r1.outcome).toBe('failed');
    expect(r1.exitCode).toBe(ExitCode.StepFailed);
    expect(r1.stoppedAt).toBe('sp-metadata');
    expect(j.events).toEqual(['observe:preflight', 'apply:preflight', 'observe:sp-metadata', 'apply:sp-metadata']);
    let state = readStateFile(h.file);
    expect(state.steps['sp-metadata']?.status).toBe('failed');
    expect(state.steps['sp-metadata']?.error).toMatchObject({ message: 'The metadata could not be read.', code: 'SP_METADATA_INVALID', hint: 'Download it again.' });
    expect(state.steps['okta-app']).toBeUndefined();

    // next run: a new process would load the file
    failOnce = false;
    j.events.length = 0;
    const loaded = await readState(h.file);
    const h2 = engineHarness({ dir: h.dir, state: loaded });
    const r2 = await runSteps(opts(h2, steps));
    expect(r2.outcome).toBe('done');
    // preflight is only re-planned against the live state (no change = no drift), not re-applied
    expect(j.events).toEqual(['observe:preflight', 'observe:sp-metadata', 'apply:sp-metadata', 'observe:okta-app', 'apply:okta-app']);
    state = readStateFile(h.file);
    expect(state.steps['sp-metadata']?.status).toBe('done');
    expect(state.steps['sp-metadata']?.error).toBeUndefined();
  });

  it('keeps the exit code of the error class (auth failure -> 4) and wraps unexpected errors without a stack', async () => {
    const j = newJournal();
    const h = engineHarness();
    const r = await runSteps(opts(h, threeSteps(j, { preflight: async () => { throw new AuthError('Okta said 401.', { hint: 'Check the token.' }); } })));
    expect(r.exitCode).toBe(ExitCode.Auth);

    const h2 = engineHarness();
    const r2 = await runSteps(opts(h2, threeSteps(newJournal(), { preflight: async () => { throw new TypeError('x is undefined'); } })));
    expect(r2.exitCode).toBe(ExitCode.StepFailed);
    expect(r2.error?.message).toContain('The step "preflight" failed unexpectedly: x is undefined');
    const rec = readStateFile(h2.file).steps['preflight'];
    expect(rec?.error?.code).toBe('UNEXPECTED');
    expect(rec?.error?.message).not.toContain('    at ');
  });

  it('finds drift on resume (the plan against the live state is not empty) and re-applies only the drifted step, with that plan', async () => {
    const j = newJournal();
    const h = engineHarness();
    const steps = threeSteps(j);
    expect((await runSteps(opts(h, steps))).outcome).toBe('done');
    // someone deletes the thing behind sp-metadata
    j.world.delete('sp-metadata');
    j.events.length = 0;
    const h2 = engineHarness({ dir: h.dir, state: await readState(h.file) });
    const r = await runSteps(opts(h2, steps));
    expect(r.outcome).toBe('done');
    expect(r.drift).toEqual([{ stepId: 'sp-metadata', messages: ['thing sp-metadata is missing but the state says v1'] }]);
    expect(j.events).toEqual(['observe:preflight', 'observe:sp-metadata', 'apply:sp-metadata', 'observe:okta-app']);
    expect(j.world.get('sp-metadata')).toBe('v1');
    expect(h2.output.messages).toContainEqual(expect.objectContaining({ code: 'DRIFT_FOUND', data: expect.objectContaining({ stepId: 'sp-metadata', message: 'thing sp-metadata is missing but the state says v1' }) }));
    expect(readStateFile(h.file).steps['sp-metadata']?.note).toContain('drift found');
  });

  it('verify mode reports drift as a failure without re-applying', async () => {
    const j = newJournal();
    const h = engineHarness();
    const steps = [...threeSteps(j), testStep(j, { id: 'verify' })];
    await runSteps(opts(h, steps));
    j.world.set('okta-app', 'changed');
    j.events.length = 0;
    const h2 = engineHarness({ dir: h.dir, state: await readState(h.file) });
    const r = await runSteps({ ...opts(h2, steps), mode: 'verify' });
    expect(r.outcome).toBe('failed');
    expect(r.error?.code).toBe('DRIFT');
    expect(j.events).toEqual(['observe:preflight', 'observe:sp-metadata', 'observe:okta-app']);
    j.world.set('okta-app', 'v1');
    j.events.length = 0;
    const r2 = await runSteps({ ...opts(engineHarness({ dir: h.dir, state: await readState(h.file) }), steps), mode: 'verify' });
    expect(r2.outcome).toBe('done');
    expect(j.events).toEqual(['observe:preflight', 'observe:sp-metadata', 'observe:okta-app', 'observe:verify', 'apply:verify']);
  });

  it('an abort (Ctrl-C) during a step saves state, keeps the step\'s progress and resumes there', async () => {
    const j = newJournal();
    const h = engineHarness();
    const ac = new AbortController();
    const steps = threeSteps(j, {
      'sp-metadata': async (ctx) => {
        const done = (ctx.progress.load() as { items?: string[] } | undefined)?.items ?? [];
        const items = [...done];
        for (const item of ['a', 'b', 'c']) {
          if (items.includes(item)) continue;
          items.push(item);
          j.events.push(`item:${item}`);
          await ctx.progress.save({ items });
          if (item === 'b' && j.world.get('interrupt') === 'yes') {
            ac.abort();
            await new Promise(() => undefined); // hangs until the runner gives up on it
          }
        }
        return { value: 'v1', items };
      },
    });
    j.world.set('sp-metadata', 'v1');
    j.world.set('interrupt', 'yes');
    const r = await runSteps(opts(h, steps, ac.signal));
    expect(r.outcome).toBe('interrupted');
    expect(r.exitCode).toBe(ExitCode.Interrupted);
    expect(r.error?.message).toContain('okta-aws-sso resume');
    let state = readStateFile(h.file);
    expect(state.steps['preflight']?.status).toBe('done');
    expect(state.steps['sp-metadata']?.status).toBe('pending');
    expect(state.steps['sp-metadata']?.error?.code).toBe('INTERRUPTED');
    expect(state.steps['sp-metadata']?.progress).toEqual({ items: ['a', 'b'] });

    j.world.delete('interrupt');
    j.events.length = 0;
    const h2 = engineHarness({ dir: h.dir, state: await readState(h.file) });
    const r2 = await runSteps(opts(h2, steps));
    expect(r2.outcome).toBe('done');
    expect(j.events).toEqual(['observe:preflight', 'observe:sp-metadata', 'apply:sp-metadata', 'item:c', 'observe:okta-app', 'apply:okta-app']);
    state = readStateFile(h.file);
    expect(state.steps['sp-metadata']?.outputs).toEqual({ value: 'v1', items: ['a', 'b', 'c'] });
  });

  it('a console action owed in a non-interactive run stops with exit 3 and records the action', async () => {
    const j = newJournal();
    const h = engineHarness();
    const steps: AnyStep[] = [
      testStep(j, { id: 'preflight' }),
      testStep(j, {
        id: 'idp-metadata',
        kind: 'console',
        apply: async (ctx) => {
          await ctx.io.consoleAction({
            id: 'upload-idp-metadata',
            title: 'Upload the IdP metadata',
            where: 'AWS console > IAM Identity Center > Settings',
            instructions: ['Choose Actions > Change identity source', 'Upload idp-saml.xml'],
            values: [{ label: 'File', value: 'idp-saml.xml' }],
            sandboxPayload: { secret: 'never-in-state' },
          });
          return { value: 'uploaded' };
        },
      }),
    ];
    const r = await runSteps(opts(h, steps));
    expect(r.outcome).toBe('waiting-for-console');
    expect(r.exitCode).toBe(ExitCode.WaitingForConsole);
    const rec = readStateFile(h.file).steps['idp-metadata'];
    expect(rec?.status).toBe('waiting-for-console');
    expect(rec?.pendingConsoleAction).toEqual({
      id: 'upload-idp-metadata',
      title: 'Upload the IdP metadata',
      where: 'AWS console > IAM Identity Center > Settings',
      instructions: ['Choose Actions > Change identity source', 'Upload idp-saml.xml'],
      values: [{ label: 'File', value: 'idp-saml.xml' }],
    });
    expect(fs.readFileSync(h.file, 'utf8')).not.toContain('never-in-state');

    const h2 = engineHarness({ dir: h.dir, state: await readState(h.file), flags: { 'console-done': ['upload-idp-metadata'] } });
    const r2 = await runSteps(opts(h2, steps));
    expect(r2.outcome).toBe('done');
    expect(readStateFile(h.file).steps['idp-metadata']?.pendingConsoleAction).toBeUndefined();
  });

  it('a skipped step is recorded with its reason and later runs leave it alone', async () => {
    const j = newJournal();
    const h = engineHarness();
    const steps = [testStep(j, { id: 'preflight' }), testStep(j, { id: 'test-user', skip: async () => '--skip-test-user was given' })];
    const r = await runSteps(opts(h, steps));
    expect(r.outcome).toBe('done');
    const rec = readStateFile(h.file).steps['test-user'];
    expect(rec).toMatchObject({ status: 'skipped', note: '--skip-test-user was given' });
    expect(j.events).not.toContain('apply:test-user');
  });

  it('a step that is not built says so and never reports success', async () => {
    const j = newJournal();
    const h = engineHarness();
    const r = await runSteps(opts(h, [testStep(j, { id: 'preflight' }), notBuiltStep('sp-metadata', 'SP metadata', 'console', ['preflight'])]));
    expect(r.outcome).toBe('failed');
    expect(r.error?.code).toBe('NOT_BUILT');
    expect(r.error?.message).toContain('not built yet');
    expect(readStateFile(h.file).steps['sp-metadata']?.status).toBe('failed');
  });

  it('never writes a secret into the state file, the outputs or the errors', async () => {
    const j = newJournal();
    const secret = 'ssws-00SECRETtokenVALUE123';
    const h = engineHarness({ env: { OKTA_API_TOKEN: secret } });
    const steps: AnyStep[] = [
      testStep(j, {
        id: 'preflight',
        apply: async (ctx) => {
          const token = await ctx.io.secret({ key: 'okta-api-token', message: 'Okta API token' });
          await ctx.io.ask({ key: 'okta-org-url', message: 'Okta org URL', default: 'https://example.okta.com' });
          return { tokenSource: 'OKTA_API_TOKEN', len: token?.length ?? 0 };
        },
      }),
      testStep(j, {
        id: 'sp-metadata',
        apply: async () => {
          throw new Error(`request failed with Authorization: SSWS ${secret}`);
        },
      }),
    ];
    const r = await runSteps(opts(h, steps));
    expect(r.outcome).toBe('failed');
    const text = fs.readFileSync(h.file, 'utf8');
    expect(text).not.toContain(secret);
    expect(text).toContain('SSWS ****');
    expect(readStateFile(h.file).inputs).toEqual({ 'okta-org-url': 'https://example.okta.com' });
    expect(r.error?.message).not.toContain(secret);

    // A step that tries to put a secret into its outputs: the write is refused, the file stays clean.
    const h2 = engineHarness({ env: { OKTA_API_TOKEN: secret } });
    const leaky: AnyStep[] = [
      testStep(newJournal(), {
        id: 'preflight',
        apply: async (ctx) => ({ token: await ctx.io.secret({ key: 'okta-api-token', message: 'token' }) }),
      }),
    ];
    const r2 = await runSteps(opts(h2, leaky));
    expect(r2.outcome).toBe('failed');
    expect(r2.error?.code).toBe('STATE_SECRET');
    const text2 = fs.readFileSync(h2.file, 'utf8');
    expect(text2).not.toContain(secret);
    expect(readStateFile(h2.file).steps['preflight']?.status).toBe('failed');
  });
});

describe('dry-run plan', () => {
  it('lists the Change records each step would apply, makes no mutating call and writes no file', async () => {
    const j = newJournal();
    const h = engineHarness();
    j.world.set('preflight', 'v1');
    const steps: AnyStep[] = [
      ...threeSteps(j),
      testStep(j, { id: 'idp-metadata', kind: 'console', needs: [] }),
    ];
    const plan = await buildPlan({ ...opts(h, steps) });
    expect(plan.exitCode).toBe(ExitCode.Ok);
    expect(plan.steps.map((s) => [s.stepId, s.changes.map((c) => c.op)])).toEqual([
      ['preflight', ['adopt']],
      ['sp-metadata', []],
      ['okta-app', []],
      ['idp-metadata', ['console']],
    ]);
    expect(plan.steps[0]?.changes[0]).toMatchObject({ op: 'adopt', resource: { kind: 'thing', name: 'preflight', id: 'v1' }, risk: 'read-only', writes: [] });
    expect(plan.steps[1]?.notes[0]).toMatch(/^pending: needs the result of "preflight"/);
    expect(j.events.filter((e) => e.startsWith('apply:'))).toEqual([]);
    expect([...j.world.keys()]).toEqual(['preflight']);
    expect(fs.existsSync(h.file)).toBe(false);
  });

  it('plans from the state: done steps are planned again (no change = still holds), later steps get their outputs', async () => {
    const j = newJournal();
    const h = engineHarness();
    const steps = threeSteps(j);
    await runSteps(opts(h, steps.slice(0, 1)));
    const before = fs.readFileSync(h.file, 'utf8');
    j.events.length = 0;
    const h2 = engineHarness({ dir: h.dir, state: await readState(h.file) });
    const plan = await buildPlan(opts(h2, steps));
    expect(plan.steps.map((s) => s.changes.map((c) => c.op))).toEqual([[], ['create'], []]);
    expect(plan.steps[0]?.notes[0]).toMatch(/still holds/);
    expect(plan.steps[1]?.changes[0]).toMatchObject({ op: 'create', risk: 'additive', writes: [{ service: 'okta', operation: 'create-sp-metadata', count: 1 }] });
    expect(j.events).toEqual(['observe:preflight', 'observe:sp-metadata']);
    expect(fs.readFileSync(h.file, 'utf8')).toBe(before);
  });

  it('a drifted done step shows the changes that repair it', async () => {
    const j = newJournal();
    const h = engineHarness();
    await runSteps(opts(h, threeSteps(j)));
    j.world.delete('sp-metadata');
    const plan = await buildPlan(opts(engineHarness({ dir: h.dir, state: await readState(h.file) }), threeSteps(j)));
    expect(plan.steps.map((s) => s.changes.map((c) => c.op))).toEqual([[], ['create'], []]);
    expect(plan.steps[1]?.changes[0]?.drift).toBe('thing sp-metadata is missing but the state says v1');
  });
});

describe('dry-run plan from planned outputs', () => {
  it('plans each step from what the earlier planned changes will produce; console steps are announced once', async () => {
    const j = newJournal();
    const h = engineHarness();
    const steps: AnyStep[] = [
      testStep(j, { id: 'preflight', project: true }),
      testStep(j, { id: 'sp-metadata', needs: ['preflight'], project: true }),
      testStep(j, { id: 'okta-app', needs: ['sp-metadata'] }),
      testStep(j, { id: 'idp-metadata', kind: 'console', needs: ['okta-app'] }),
    ];
    const plan = await buildPlan(opts(h, steps));
    expect(plan.steps.map((s) => s.changes.map((c) => c.op))).toEqual([['create'], ['create'], ['create'], ['console']]);
    expect(plan.steps[3]?.notes[0]).toMatch(/^pending: needs the result of "okta-app"/);
    expect(j.events).toEqual(['observe:preflight', 'observe:sp-metadata', 'observe:okta-app']);
    expect(j.world.size).toBe(0);
    expect(fs.existsSync(h.file)).toBe(false);
  });
});

describe('approval gate', () => {
  it('a non-interactive run without --yes stops before the first change with exit 2 and names the change', async () => {
    const j = newJournal();
    j.world.set('preflight', 'v1');
    const h = engineHarness({ yes: false });
    const r = await runSteps(opts(h, threeSteps(j)));
    expect(r.exitCode).toBe(ExitCode.Usage);
    expect(r.error?.code).toBe('APPROVAL_NEEDED');
    expect(r.stoppedAt).toBe('sp-metadata');
    expect(r.error?.message).toContain('thing sp-metadata');
    // preflight only adopted (no approval needed); nothing was applied for sp-metadata
    expect(j.events).toEqual(['observe:preflight', 'apply:preflight', 'observe:sp-metadata']);
    expect([...j.world.keys()]).toEqual(['preflight']);
  });

  it('asks once per step and risk class; org-wide changes name their scale; a "no" changes nothing', async () => {
    const j = newJournal();
    const asked: string[] = [];
    const answers = [true, false];
    const prompter = {
      input: async () => '',
      select: async () => '',
      password: async () => '',
      confirm: async (o: { message: string }) => {
        asked.push(o.message);
        return answers.shift() ?? false;
      },
    } as unknown as NonNullable<Parameters<typeof engineHarness>[0]>['prompter'];
    const h = engineHarness({ yes: false, prompter });
    const wide = testStep(j, { id: 'account-assignments', risk: 'org-wide' });
    const step: AnyStep = {
      ...wide,
      plan: (obs, a, rec) => [
        ...wide.plan(obs, a, rec).map((c) => ({ ...c, summary: 'assign AWSPowerUserAccess', scale: { count: 412, unit: 'accounts' } })),
        { op: 'update', resource: { kind: 'thing', name: 'x' }, summary: 'update x', risk: 'additive', writes: [] },
        { op: 'update', resource: { kind: 'thing', name: 'y' }, summary: 'update y', risk: 'additive', writes: [] },
      ],
    };
    const r = await runSteps(opts(h, [step]));
    expect(asked).toHaveLength(2);
    expect(asked[0]).toContain('2 changes');
    expect(asked[1]).toContain('assign AWSPowerUserAccess (412 accounts)');
    expect(r.error?.code).toBe('DECLINED');
    expect(r.exitCode).toBe(ExitCode.Usage);
    expect(j.events).not.toContain('apply:account-assignments');
  });

  it('records the applied changes (no payload) in the state file', async () => {
    const j = newJournal();
    const h = engineHarness();
    await runSteps(opts(h, threeSteps(j)));
    expect(readStateFile(h.file).steps['sp-metadata']?.applied).toEqual([
      { op: 'create', resource: { kind: 'thing', name: 'sp-metadata' }, summary: 'thing sp-metadata', risk: 'additive', writes: [{ service: 'okta', operation: 'create-sp-metadata', count: 1 }] },
    ]);
  });
});

describe('attempts', () => {
  it('a step that writes and then stops at a console action keeps that attempt\'s changes; the finishing attempt is kept beside it', async () => {
    const j = newJournal();
    const h = engineHarness();
    // Like group push: creates its thing, then owes a console action; the next run adopts and finishes.
    const step = testStep(j, {
      id: 'group-push',
      apply: async (ctx, jj, changes) => {
        for (const c of changes) if (c.op === 'create') jj.world.set('group-push', 'v1');
        await ctx.io.consoleAction({ id: 'push-groups-by-rule', title: 'Push rule', where: 'Okta admin', instructions: ['add the rule'] });
        return { value: jj.world.get('group-push') };
      },
    });
    const r = await runSteps(opts(h, [step]));
    expect(r.outcome).toBe('waiting-for-console');
    let rec = readStateFile(h.file).steps['group-push']!;
    expect(rec.applied).toBeUndefined();
    expect(rec.attempts).toHaveLength(1);
    expect(rec.attempts![0]).toMatchObject({ outcome: 'waiting-for-console', startedAt: rec.startedAt, finishedAt: rec.finishedAt });
    expect(rec.attempts![0]!.applied).toEqual([expect.objectContaining({ op: 'create', writes: [{ service: 'okta', operation: 'create-group-push', count: 1 }] })]);

    const h2 = engineHarness({ dir: h.dir, state: await readState(h.file), flags: { 'console-done': ['push-groups-by-rule'] } });
    expect((await runSteps(opts(h2, [step]))).outcome).toBe('done');
    rec = readStateFile(h.file).steps['group-push']!;
    expect(rec.attempts!.map((a) => [a.outcome, a.applied?.map((c) => c.op)])).toEqual([
      ['waiting-for-console', ['create']],
      ['done', ['adopt']],
    ]);
    expect(rec.applied).toEqual(rec.attempts![1]!.applied);
    expect(rec.attempts![1]!.startedAt).toBe(rec.startedAt);
  });

  it('an attempt stopped before its approval records no changes (it may send nothing)', async () => {
    const j = newJournal();
    const h = engineHarness({ yes: false });
    const r = await runSteps(opts(h, [testStep(j, { id: 'sp-metadata' })]));
    expect(r.error?.code).toBe('APPROVAL_NEEDED');
    const a = readStateFile(h.file).steps['sp-metadata']!.attempts!;
    expect(a).toEqual([{ startedAt: expect.any(String), finishedAt: expect.any(String), outcome: 'failed' }]);
  });
});

describe('StateStore.save', () => {
  it('keeps outputs of done steps reachable and serialises concurrent saves', async () => {
    const h = engineHarness();
    const store: StateStore = h.store;
    store.step('preflight').status = 'done';
    store.step('preflight').outputs = { a: 1 };
    await Promise.all([store.save(), store.save(), store.save()]);
    expect(store.outputsOf('preflight')).toEqual({ a: 1 });
    expect(readStateFile(h.file).steps['preflight']?.outputs).toEqual({ a: 1 });
  });
});

describe('repairs (a change found needed while applying, beyond the plan)', () => {
  /** A prompter that records each approval question and answers from the list (then no). */
  function asking(answers: boolean[]): { asked: string[]; prompter: NonNullable<Parameters<typeof engineHarness>[0]>['prompter'] } {
    const asked: string[] = [];
    const prompter = {
      input: async () => '',
      select: async () => '',
      password: async () => '',
      confirm: async (o: { message: string }) => {
        asked.push(o.message);
        return answers.shift() ?? false;
      },
    } as unknown as NonNullable<Parameters<typeof engineHarness>[0]>['prompter'];
    return { asked, prompter };
  }
  /** The repair of the thing an earlier step created: same resource, at `risk`. */
  const repairOf = (id: StepId, risk: RiskClass): Change => ({ op: 'update', resource: { kind: 'thing', name: id }, summary: `repair thing ${id}`, risk, writes: [{ service: 'okta', operation: `repair-${id}`, count: 1 }] });
  /** preflight creates its thing (additive, approved once); sp-metadata repairs it twice while it applies. */
  function steps(j: Journal, risk: RiskClass, target: StepId = 'preflight'): AnyStep[] {
    return [
      testStep(j, { id: 'preflight' }),
      testStep(j, {
        id: 'sp-metadata',
        needs: ['preflight'],
        apply: async (ctx, jj) => {
          for (const n of [1, 2]) {
            await ctx.repair(repairOf(target, risk), `it broke (${n})`);
            jj.world.set(`repaired-${n}`, 'yes');
          }
          jj.world.set('sp-metadata', 'v1');
          return { value: 'v1' };
        },
      }),
    ];
  }

  it('falls under the approval this run gave for the same resource and risk class: no question, recorded with the approval that covers it', async () => {
    const j = newJournal();
    const { asked, prompter } = asking([true, true]);
    const h = engineHarness({ yes: false, prompter });
    const r = await runSteps(opts(h, steps(j, 'additive')));
    expect(r.outcome).toBe('done');
    // Two plan approvals (preflight's create, sp-metadata's create), none for the repairs.
    expect(asked).toHaveLength(2);
    expect(asked.some((q) => q.includes('repair'))).toBe(false);
    const rec = readStateFile(h.file).steps['sp-metadata']!;
    const repairs = rec.attempts!.at(-1)!.applied!.filter((c) => c.repair);
    expect(repairs).toEqual([1, 2].map((n) => ({ op: 'update', resource: { kind: 'thing', name: 'preflight' }, summary: 'repair thing preflight', risk: 'additive', writes: [{ service: 'okta', operation: 'repair-preflight', count: 1 }], repair: { reason: `it broke (${n})`, approval: 'covered', coveredBy: 'thing preflight (preflight)' } })));
    // The step's last apply (steps[].applied in --json) shows them beside the planned change.
    expect(rec.applied!.map((c) => c.summary)).toEqual(['thing sp-metadata', 'repair thing preflight', 'repair thing preflight']);
    expect(h.output.messages.filter((m) => m.code === 'REPAIR').map((m) => m.text)).toEqual([1, 2].map((n) => `Repair in "Test step sp-metadata", beyond its plan: update: repair thing preflight; it broke (${n}) (covered by the approval of "thing preflight (preflight)" given in this run).`));
  });

  it('a higher risk class than the approval given (or another resource) is asked once; the answer then covers the same repair', async () => {
    const j = newJournal();
    const { asked, prompter } = asking([true, true, true]);
    const h = engineHarness({ yes: false, prompter });
    expect((await runSteps(opts(h, steps(j, 'modifies-existing')))).outcome).toBe('done');
    expect(asked).toHaveLength(3);
    expect(asked[2]).toMatch(/^Test step sp-metadata \(repair, changes existing resources\): update: repair thing preflight\nWhy: it broke \(1\)\nApply\?/);
    const repairs = readStateFile(h.file).steps['sp-metadata']!.applied!.filter((c) => c.repair).map((c) => c.repair);
    expect(repairs).toEqual([
      { reason: 'it broke (1)', approval: 'asked' },
      { reason: 'it broke (2)', approval: 'covered', coveredBy: 'repair thing preflight (sp-metadata)' },
    ]);
  });

  it('a "no" stops the step before the repair (DECLINED, exit 2); a non-interactive run without --yes stops with APPROVAL_NEEDED', async () => {
    const j = newJournal();
    const { prompter } = asking([true, true, false]);
    const h = engineHarness({ yes: false, prompter });
    const r = await runSteps(opts(h, steps(j, 'additive', 'okta-app')));
    expect(r.error?.code).toBe('DECLINED');
    expect(r.exitCode).toBe(ExitCode.Usage);
    expect(j.world.has('repaired-1')).toBe(false);
    const a = readStateFile(h.file).steps['sp-metadata']!.attempts!.at(-1)!;
    expect(a.outcome).toBe('failed');
    expect(a.applied!.some((c) => c.repair)).toBe(false);

    const j2 = newJournal();
    j2.world.set('preflight', 'v1');
    j2.world.set('sp-metadata', 'v1');
    const h2 = engineHarness({ yes: false });
    // Nothing planned to approve (both adopt), so the repair is the first thing to approve.
    const only = steps(j2, 'additive')[1]!;
    const r2 = await runSteps(opts(h2, [steps(j2, 'additive')[0]!, { ...only, plan: (o, a, rec) => only.plan({ value: 'v1' }, a, rec) }]));
    expect(r2.error?.code).toBe('APPROVAL_NEEDED');
    expect(r2.error?.message).toContain('repair thing preflight');
    expect(j2.world.has('repaired-1')).toBe(false);
  });

  it('asked while a wait draws its progress line: the line is paused for the question and drawn again after it', async () => {
    /** Counts the progress lines being drawn. */
    class DrawnOutput extends MemoryOutput {
      drawn = 0;
      override progress(start: IoMessage): OutputProgress {
        this.drawn++;
        const p = super.progress(start);
        let on = true;
        const off = (): void => {
          if (on) this.drawn--;
          on = false;
        };
        return { update: (t) => p.update(t), succeed: (t) => (off(), p.succeed(t)), fail: (t) => (off(), p.fail(t)), stop: () => (off(), p.stop()) };
      }
    }
    const output = new DrawnOutput();
    const drawnWhenAsked: number[] = [];
    const { asked, prompter } = asking([true, true, true]);
    const h = engineHarness({ yes: false, output, prompter: { ...prompter!, confirm: async (o: { message: string; default: boolean }) => (drawnWhenAsked.push(output.drawn), prompter!.confirm(o)) } });
    const j = newJournal();
    const waiting = testStep(j, {
      id: 'sp-metadata',
      needs: ['preflight'],
      apply: async (ctx) => {
        const p = ctx.io.progress('GROUP_WAIT', { name: 'thing' });
        p.update('GROUP_WAIT_SECONDS', { name: 'thing', seconds: 5, timeout: 600 });
        await ctx.repair(repairOf('preflight', 'modifies-existing'), 'it broke');
        p.succeed('GROUP_ARRIVED', { name: 'thing', id: 'g-1' });
        return { value: 'v1' };
      },
    });
    expect((await runSteps(opts(h, [testStep(j, { id: 'preflight' }), waiting]))).outcome).toBe('done');
    expect(asked).toHaveLength(3);
    expect(drawnWhenAsked).toEqual([0, 0, 0]);
    expect(output.drawn).toBe(0);
    // Drawn again after the answer, with its latest text, then finished.
    expect(output.lines.filter((l) => l.level === 'progress').map((l) => [l.code, l.data?.['seconds'] ?? null])).toEqual([
      ['GROUP_WAIT', null],
      ['GROUP_WAIT_SECONDS', 5],
      ['GROUP_WAIT_SECONDS', 5],
      ['GROUP_ARRIVED', null],
    ]);
  });

  it('is refused outside apply: a step that proposes one while observing sends nothing (REPAIR_OUTSIDE_APPLY)', async () => {
    const j = newJournal();
    const h = engineHarness();
    const base = testStep(j, { id: 'preflight' });
    const bad: AnyStep = {
      ...base,
      async observe(ctx) {
        await ctx.repair(repairOf('preflight', 'additive'), 'too early');
        return { value: undefined };
      },
    };
    const r = await runSteps(opts(h, [bad]));
    expect(r.error?.code).toBe('REPAIR_OUTSIDE_APPLY');
    expect(j.world.size).toBe(0);
  });
});
