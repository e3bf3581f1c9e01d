/**
 * `npm run bench`: the account assignment engine against the sandbox (run as its own process, so
 * this process's memory is the engine's), in two latency profiles, side by side with three other
 * ways of making the same assignments, all on the same sandbox in one run:
 *
 *   1. defaults: 20 requests/s, 10 outstanding, every creation 300 ms; N = 1,000.
 *      floor = max(N / 20 s, N x 0.3 s / 10)
 *   2. realistic: each creation takes a random 0.5-6 s (seeded by the sandbox; the engine is not
 *      told); N = 200. floor = N x mean latency / 10 (the mean of the delays the sandbox drew).
 *
 * Ways: the engine (src/aws/assignments.ts); the same calls as a plain loop (create, then describe
 * every 100 ms until done, one account after another); the AWS CLI in a shell loop
 * (create-account-assignment, then describe-account-assignment-creation-status until done; skipped
 * without an `aws` on PATH); Terraform's provider cadence simulated with the SDK (10 in parallel,
 * first status read after 10 s, then every 5 s). The last three run on samples and are projected.
 *
 *   node --expose-gc dist/bench/assignments.js [--accounts 1000] [--realistic-accounts 200]
 *     [--profile both|defaults|realistic] [--sample 20] [--cli-sample 20] [--tf-sample 20]
 *     [--no-baselines] [--scale] [--json]
 *
 * --scale: 10,000 accounts, defaults profile, engine only (no side-by-side ways, no access-file
 * case), every result saved through the state file's coalesced progress store, whose saves are
 * measured (count, bytes written, time spent writing); documented in docs/performance.md, not
 * part of CI.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateAccountAssignmentCommand, DescribeAccountAssignmentCreationStatusCommand, type SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { AnswerSource } from '../cli/io/answer-source.js';
import { BaseIo } from '../cli/io/base-io.js';
import { MemoryOutput } from '../cli/io/memory-output.js';
import { sandboxAdmin, sandboxEnv, startSandbox, stopSandbox } from '../sandbox/process.js';
import type { SandboxInfo } from '../sandbox/types.js';
import { connectAwsThroughIo } from '../steps/connect.js';
import { chooseInstance, probeInstances, listAllAccounts } from '../aws/organization.js';
import { ensurePermissionSet } from '../aws/permission-sets.js';
import { assignAccounts, type AssignmentTarget } from '../aws/assignments.js';
import { coalescedProgress } from '../engine/progress.js';
import { newState, StateStore } from '../engine/state.js';
import { parseAccessText } from '../access/file.js';
import { observeAccess, type Where } from '../access/observe.js';
import { planAccess, type TrackedAccess } from '../access/plan.js';
import { applyAccess } from '../access/apply.js';
import type { AwsClients } from '../aws/clients.js';

interface Args {
  accounts: number;
  realisticAccounts: number;
  profiles: ('defaults' | 'realistic')[];
  sample: number;
  cliSample: number;
  tfSample: number;
  baselines: boolean;
  scale: boolean;
  json: boolean;
  /** The access-file case: 3 permission sets x accessAccounts accounts, then accessDeletions removed with --prune. */
  access: boolean;
  onlyAccess: boolean;
  accessAccounts: number;
  accessDeletions: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { accounts: 1000, realisticAccounts: 200, profiles: ['defaults', 'realistic'], sample: 20, cliSample: 20, tfSample: 20, baselines: true, scale: false, json: false, access: true, onlyAccess: false, accessAccounts: 1000, accessDeletions: 200 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--accounts') a.accounts = Number(argv[++i]);
    else if (k === '--realistic-accounts') a.realisticAccounts = Number(argv[++i]);
    else if (k === '--profile') {
      const v = argv[++i];
      a.profiles = v === 'both' ? ['defaults', 'realistic'] : [v as 'defaults' | 'realistic'];
    } else if (k === '--sample' || k === '--sequential-sample') a.sample = Number(argv[++i]);
    else if (k === '--cli-sample') a.cliSample = Number(argv[++i]);
    else if (k === '--tf-sample') a.tfSample = Number(argv[++i]);
    else if (k === '--no-baselines') a.baselines = false;
    else if (k === '--scale') {
      a.scale = true;
      a.accounts = 10_000;
      a.profiles = ['defaults'];
      a.baselines = false;
      a.access = false;
    } else if (k === '--json') a.json = true;
    else if (k === '--no-access') a.access = false;
    else if (k === '--only-access') a.onlyAccess = true;
    else if (k === '--access-accounts') a.accessAccounts = Number(argv[++i]);
    else if (k === '--access-deletions') a.accessDeletions = Number(argv[++i]);
  }
  return a;
}

const out = (s: string): void => void process.stdout.write(`${s}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const mb = (n: number): number => +(n / 1048576).toFixed(1);
const r3 = (n: number): number => +n.toFixed(3);
const load = (): string => os.loadavg().map((x) => x.toFixed(1)).join(' ');

async function scim(endpoint: string, token: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${endpoint}/Groups`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`SCIM POST /Groups answered ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

interface Observed {
  maxOutstanding: { create: number };
  outstandingThrottles: { create: number };
  delays: { create: { count: number; totalMs: number } };
}
const observed = async (info: SandboxInfo): Promise<Observed> => (await sandboxAdmin<{ awsObserved: Observed }>(info, 'GET', 'status')).awsObserved;

interface Ctx {
  info: SandboxInfo;
  instanceArn: string;
  permissionSetArn: string;
  region: string;
  engineClient: SSOAdminClient;
  sdkClient: SSOAdminClient;
  newGroup(name: string): Promise<string>;
}

const createCmd = (c: Ctx, accountId: string, groupId: string) =>
  new CreateAccountAssignmentCommand({ InstanceArn: c.instanceArn, TargetId: accountId, TargetType: 'AWS_ACCOUNT', PermissionSetArn: c.permissionSetArn, PrincipalType: 'GROUP', PrincipalId: groupId });
const describeCmd = (c: Ctx, requestId: string | undefined) =>
  new DescribeAccountAssignmentCreationStatusCommand({ InstanceArn: c.instanceArn, AccountAssignmentCreationRequestId: requestId });

/** The plain loop: create, then describe every 100 ms until done, one account after another. */
async function plainLoop(c: Ctx, sample: AssignmentTarget[]): Promise<{ seconds: number; requests: number; failed: number }> {
  const group = await c.newGroup(`bench-loop-${Date.now()}`);
  let requests = 0;
  let failed = 0;
  const t0 = performance.now();
  for (const x of sample) {
    let st = (await c.sdkClient.send(createCmd(c, x.accountId, group))).AccountAssignmentCreationStatus;
    requests++;
    while (st?.Status === 'IN_PROGRESS') {
      await sleep(100);
      st = (await c.sdkClient.send(describeCmd(c, st.RequestId))).AccountAssignmentCreationStatus;
      requests++;
    }
    if (st?.Status !== 'SUCCEEDED') failed++;
  }
  return { seconds: (performance.now() - t0) / 1000, requests, failed };
}

/** Terraform's provider cadence, simulated with the SDK: 10 in parallel, first read after 10 s, then every 5 s. */
async function terraformCadence(c: Ctx, sample: AssignmentTarget[]): Promise<{ seconds: number; requests: number; failed: number }> {
  const group = await c.newGroup(`bench-tf-${Date.now()}`);
  let requests = 0;
  let failed = 0;
  let cursor = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(10, sample.length) }, async () => {
      while (cursor < sample.length) {
        const x = sample[cursor++]!;
        let st = (await c.sdkClient.send(createCmd(c, x.accountId, group))).AccountAssignmentCreationStatus;
        requests++;
        let wait = 10_000;
        while (st?.Status === 'IN_PROGRESS') {
          await sleep(wait);
          wait = 5_000;
          st = (await c.sdkClient.send(describeCmd(c, st.RequestId))).AccountAssignmentCreationStatus;
          requests++;
        }
        if (st?.Status !== 'SUCCEEDED') failed++;
      }
    }),
  );
  return { seconds: (performance.now() - t0) / 1000, requests, failed };
}

function hasAwsCli(): Promise<boolean> {
  return new Promise((resolve) => {
    const p = spawn('aws', ['--version'], { stdio: 'ignore' });
    p.on('error', () => resolve(false));
    p.on('exit', (code) => resolve(code === 0));
  });
}

/** The AWS CLI in a shell loop, one account after another. */
async function cliLoop(c: Ctx, sample: AssignmentTarget[]): Promise<{ seconds: number; requests: number; failed: number }> {
  const group = await c.newGroup(`bench-cli-${Date.now()}`);
  const script = [
    'set -u',
    'req=0; failed=0',
    'for acct in $ACCOUNTS; do',
    '  id=$(aws sso-admin create-account-assignment --endpoint-url "$EP" --instance-arn "$INSTANCE" --target-id "$acct" --target-type AWS_ACCOUNT \\',
    '        --permission-set-arn "$PS" --principal-type GROUP --principal-id "$GROUP" --query AccountAssignmentCreationStatus.RequestId --output text)',
    '  req=$((req+1)); status=IN_PROGRESS',
    '  while [ "$status" = IN_PROGRESS ]; do',
    '    status=$(aws sso-admin describe-account-assignment-creation-status --endpoint-url "$EP" --instance-arn "$INSTANCE" \\',
    '        --account-assignment-creation-request-id "$id" --query AccountAssignmentCreationStatus.Status --output text)',
    '    req=$((req+1))',
    '  done',
    '  [ "$status" = SUCCEEDED ] || failed=$((failed+1))',
    'done',
    'echo "$req $failed"',
  ].join('\n');
  const env = {
    ...process.env,
    ...sandboxEnv(c.info),
    AWS_DEFAULT_REGION: c.region,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    EP: c.info.awsUrl,
    INSTANCE: c.instanceArn,
    PS: c.permissionSetArn,
    GROUP: group,
    ACCOUNTS: sample.map((x) => x.accountId).join(' '),
  };
  const t0 = performance.now();
  const text = await new Promise<string>((resolve, reject) => {
    const p = spawn('bash', ['-c', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let so = '';
    let se = '';
    p.stdout.on('data', (d: Buffer) => (so += d.toString()));
    p.stderr.on('data', (d: Buffer) => (se += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(so) : reject(new Error(`the AWS CLI loop exited ${code}: ${se.slice(0, 300)}`))));
  });
  const seconds = (performance.now() - t0) / 1000;
  const [requests, failed] = text.trim().split(/\s+/).map(Number);
  return { seconds, requests: requests ?? 0, failed: failed ?? 0 };
}

interface Way {
  name: string;
  sampleAccounts?: number;
  seconds?: number;
  projectedSeconds?: number;
  ratioToFloor?: number;
  requestsPerAccount?: number;
  failed?: number;
  skipped?: string;
}

async function profile(c: Ctx, args: Args, name: 'defaults' | 'realistic', all: AssignmentTarget[]) {
  const realistic = name === 'realistic';
  const delay = realistic ? { assignmentDelayMs: 500, assignmentDelayMaxMs: 6000 } : { assignmentDelayMs: 300, assignmentDelayMaxMs: 0 };
  await sandboxAdmin(c.info, 'POST', 'options', { aws: delay });
  const n = Math.min(realistic ? args.realisticAccounts : args.accounts, all.length);
  const targets = all.slice(0, n);
  const group = await c.newGroup(`bench-engine-${name}`);
  const loadBefore = load();

  // Every result through the state file's progress store (as the step saves it), coalesced.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-bench-state-'));
  const store = new StateStore(path.join(dir, 'state.json'), newState('bench'));
  // As the runner's store does (src/engine/runner.ts): a copy of the value, then an atomic save.
  // Each write is measured: its duration and the bytes it put on disk.
  const saves = { count: 0, bytes: 0, ms: 0, maxMs: 0, maxBytes: 0 };
  const progress = coalescedProgress(
    () => store.step('account-assignments').progress,
    async (v: unknown) => {
      const w0 = performance.now();
      store.step('account-assignments').progress = structuredClone(v);
      await store.save();
      const ms = performance.now() - w0;
      const bytes = fs.statSync(store.file).size;
      saves.count++;
      saves.bytes += bytes;
      saves.ms += ms;
      saves.maxMs = Math.max(saves.maxMs, ms);
      saves.maxBytes = Math.max(saves.maxBytes, bytes);
    },
  );
  const record: Record<string, unknown> = {};

  const obs0 = await observed(c.info);
  (globalThis as { gc?: () => void }).gc?.();
  const rssStart = process.memoryUsage().rss;
  let peak = rssStart;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  let lastPrint = 0;
  const t0 = performance.now();
  const res = await assignAccounts({
    client: c.engineClient,
    instanceArn: c.instanceArn,
    permissionSetArn: c.permissionSetArn,
    principalId: group,
    principalType: 'GROUP',
    targets,
    bulkExisting: true,
    onResult: (r) => {
      record[r.accountId] = r;
      void progress.save({ results: record }).catch(() => undefined);
    },
    onProgress: (done, total) => {
      if (!args.json && (done === total || performance.now() - lastPrint > 10_000)) {
        lastPrint = performance.now();
        out(`  ${name}: engine ${done}/${total} accounts`);
      }
    },
  });
  await progress.save({ results: record }, { flush: true });
  const wallMs = performance.now() - t0;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const stateBytes = fs.statSync(store.file).size;
  fs.rmSync(dir, { recursive: true, force: true });
  const obs1 = await observed(c.info);
  const delays = { count: obs1.delays.create.count - obs0.delays.create.count, totalMs: obs1.delays.create.totalMs - obs0.delays.create.totalMs };
  const meanLatencyS = delays.count > 0 ? delays.totalMs / delays.count / 1000 : 0.3;
  const floorS = realistic ? (n * meanLatencyS) / 10 : Math.max(n / 20, (n * 0.3) / 10);
  const failed = res.results.filter((r) => r.status === 'FAILED').length;
  const engine = {
    accounts: n,
    wallSeconds: +(wallMs / 1000).toFixed(1),
    floorSeconds: +floorS.toFixed(1),
    ratioToFloor: r3(wallMs / 1000 / floorS),
    requests: res.stats.requests,
    requestsPerAccount: r3(res.stats.requests / n),
    writes: res.stats.writes,
    statusPages: res.stats.statusPages,
    describes: res.stats.describes,
    listPages: res.stats.listPages,
    retries: res.stats.retries,
    failed,
    succeeded: res.results.filter((r) => r.status === 'SUCCEEDED').length,
    learnedMeanMs: res.stats.learnedMeanMs,
    learnedBoundMs: res.stats.learnedBoundMs,
    boundMisses: res.stats.boundMisses,
    sandboxMaxOutstanding: obs1.maxOutstanding.create,
    sandboxOutstandingThrottles: obs1.outstandingThrottles.create - obs0.outstandingThrottles.create,
    sandboxMeanLatencyMs: Math.round(meanLatencyS * 1000),
    stateWrites: progress.writes(),
    stateFileKb: Math.round(stateBytes / 1024),
    stateBytesWrittenMb: mb(saves.bytes),
    stateWriteSeconds: +(saves.ms / 1000).toFixed(2),
    stateWriteMaxMs: Math.round(saves.maxMs),
    peakRssMb: mb(peak),
    rssAtStartMb: mb(rssStart),
    loadAverage: `${loadBefore} -> ${load()}`,
  };
  if (!args.json) {
    out(
      `  ${name}: engine ${engine.wallSeconds} s = ${engine.ratioToFloor}x the floor (${engine.floorSeconds} s); ${engine.requests} requests = ${engine.requestsPerAccount} per account; ` +
        `${failed} failed; peak RSS ${engine.peakRssMb} MB; load ${engine.loadAverage}`,
    );
    out(
      `  ${name}: state file ${engine.stateWrites} coalesced saves, ${engine.stateBytesWrittenMb} MB written in ${engine.stateWriteSeconds} s (longest ${engine.stateWriteMaxMs} ms), final file ${engine.stateFileKb} KB`,
    );
  }

  const ways: Way[] = [];
  if (args.baselines) {
    const project = (w: string, sampleN: number, r: { seconds: number; requests: number; failed: number }): Way => {
      const projected = (r.seconds / sampleN) * n;
      return { name: w, sampleAccounts: sampleN, seconds: +r.seconds.toFixed(1), projectedSeconds: +projected.toFixed(1), ratioToFloor: +(projected / floorS).toFixed(2), requestsPerAccount: r3(r.requests / sampleN), failed: r.failed };
    };
    // Each way on accounts of its own group; the samples are the first accounts of the profile.
    const sampleN = Math.min(realistic ? Math.max(1, Math.round(args.sample / 2)) : args.sample, n);
    ways.push(project('plain loop (create, describe every 100 ms)', sampleN, await plainLoop(c, targets.slice(0, sampleN))));
    if (await hasAwsCli()) {
      const cliN = Math.min(realistic ? Math.max(1, Math.round(args.cliSample / 4)) : args.cliSample, n);
      ways.push(project('AWS CLI shell loop', cliN, await cliLoop(c, targets.slice(0, cliN))));
    } else {
      ways.push({ name: 'AWS CLI shell loop', skipped: 'skipped: no AWS CLI' });
    }
    const tfN = Math.min(args.tfSample, n);
    ways.push(project('Terraform cadence (10 parallel, 10 s then 5 s)', tfN, await terraformCadence(c, targets.slice(0, tfN))));
    if (!args.json) {
      for (const w of ways) {
        out(
          w.skipped
            ? `  ${name}: ${w.name}: ${w.skipped}`
            : `  ${name}: ${w.name}: ${w.seconds} s for ${w.sampleAccounts} accounts -> ~${w.projectedSeconds} s for ${n} = ${w.ratioToFloor}x the floor; ${w.requestsPerAccount} requests per account`,
        );
      }
    }
  }
  return { profile: name, delay, engine, ways };
}

/**
 * The access-file case (issue 14): an access file with 3 permission sets on N accounts (all: true
 * minus the rest), planned and applied through src/access (observe, plan, apply with the engine),
 * then the file drops D accounts of one set and `--prune` deletes them. Floor: every write at the
 * rate limit (20/s), or the outstanding limit, whichever is slower.
 */
async function accessCase(c: Ctx, args: Args, aws: AwsClients, identityStoreId: string, all: AssignmentTarget[]) {
  await sandboxAdmin(c.info, 'POST', 'options', { aws: { assignmentDelayMs: 300, assignmentDelayMaxMs: 0 } });
  const n = Math.min(args.accessAccounts, all.length);
  const d = Math.min(args.accessDeletions, n);
  const chosen = all.slice(0, n).map((a) => a.accountId);
  const groups = ['bench-access-admins', 'bench-access-readers', 'bench-access-devs'];
  for (const g of groups) await c.newGroup(g);
  const text = (drop: string[]) =>
    [
      'version: 1',
      'permissionSets:',
      '  - { name: BenchAdmin, managedPolicies: [arn:aws:iam::aws:policy/AdministratorAccess] }',
      '  - { name: BenchRead, managedPolicies: [arn:aws:iam::aws:policy/ReadOnlyAccess], sessionDuration: PT8H }',
      '  - { name: BenchDev, inlinePolicy: { Statement: [{ Effect: Allow, Action: "s3:List*", Resource: "*" }] } }',
      'assignments:',
      `  - { group: ${groups[0]}, permissionSets: [BenchAdmin], targets: { accounts: ${JSON.stringify(chosen.filter((x) => !drop.includes(x)))} } }`,
      `  - { group: ${groups[1]}, permissionSets: [BenchRead], targets: { accounts: ${JSON.stringify(chosen)} } }`,
      `  - { group: ${groups[2]}, permissionSets: [BenchDev], targets: { accounts: ${JSON.stringify(chosen)} } }`,
    ].join('\n');
  const where: Where = { instanceArn: c.instanceArn, identityStoreId, bulk: true };
  const io = new BaseIo({ answers: new AnswerSource({ env: {} }), output: new MemoryOutput(), yes: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-bench-access-'));
  const store = new StateStore(path.join(dir, 'state.json'), newState('bench'));
  const tracked: TrackedAccess = { permissionSets: [], assignments: [] };
  const save = async (): Promise<void> => {
    store.state.access = { permissionSets: tracked.permissionSets, assignments: tracked.assignments };
    await store.save();
  };
  (globalThis as { gc?: () => void }).gc?.();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const run = async (yaml: string, prune: boolean) => {
    const file = parseAccessText(yaml, 'bench-access.yaml', dir);
    const t0 = performance.now();
    const live = await observeAccess(aws, where, { setNames: file.permissionSets.map((p) => p.name), setArns: tracked.permissionSets.map((p) => p.arn), groups, ous: [] });
    const plan = planAccess(file, live, tracked, { prune, pruneUnmanaged: false });
    const res = await applyAccess({ aws, where, plan, io, tracked, save });
    return { seconds: (performance.now() - t0) / 1000, plan, res };
  };
  const loadBefore = load();
  const first = await run(text([]), false);
  const second = await run(text(chosen.slice(0, d)), true);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  fs.rmSync(dir, { recursive: true, force: true });
  const writes = 3 * n + d;
  const floorS = Math.max(writes / 20, (writes * 0.3) / 10);
  const wall = first.seconds + second.seconds;
  const failed = first.res.failed.length + second.res.failed.length;
  const stats = [...first.res.engine, ...second.res.engine];
  const requests = stats.reduce((s, x) => s + x.requests, 0);
  const result = {
    accounts: n,
    permissionSets: 3,
    deletions: d,
    plannedFirst: first.plan.summary,
    plannedSecond: second.plan.summary,
    created: first.res.assignmentsCreated,
    deleted: second.res.assignmentsDeleted,
    wallSeconds: +wall.toFixed(1),
    floorSeconds: +floorS.toFixed(1),
    ratioToFloor: r3(wall / floorS),
    engineRequests: requests,
    failed,
    peakRssMb: mb(peak),
    loadAverage: `${loadBefore} -> ${load()}`,
  };
  if (!args.json) {
    out(`  access file: ${first.plan.summary}; then ${second.plan.summary}: ${result.wallSeconds} s = ${result.ratioToFloor}x the floor (${result.floorSeconds} s); ${failed} failed; peak RSS ${result.peakRssMb} MB; load ${result.loadAverage}`);
  }
  return result;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const need = Math.max(...(args.onlyAccess ? [] : args.profiles.map((p) => (p === 'realistic' ? args.realisticAccounts : args.accounts))), args.access || args.onlyAccess ? args.accessAccounts : 0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-bench-'));
  // One suspended member account is part of the sandbox's default organization: add it on top.
  const info = await startSandbox({ dir, options: { aws: { memberAccounts: need + 1, requestsPerSecond: 20, maxOutstandingAssignments: 10 } } });
  try {
    Object.assign(process.env, sandboxEnv(info));
    const io = new BaseIo({ answers: new AnswerSource({ env: {} }), output: new MemoryOutput(), yes: true });
    const aws = await connectAwsThroughIo(io, process.env);
    const inst = chooseInstance(await probeInstances(aws, info.region), undefined)!;
    aws.setHomeRegion(inst.region);
    const ps = await ensurePermissionSet(aws.ssoAdmin(), inst.instanceArn, {
      name: 'BenchPowerUser',
      managedPolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess',
      sessionDuration: 'PT1H',
      description: 'benchmark',
    });
    const prov = await sandboxAdmin<{ answers?: Record<string, string>; secrets?: Record<string, string> }>(info, 'POST', 'console/enable-automatic-provisioning', {});
    const endpoint = prov.answers?.['scim-endpoint'] ?? '';
    const token = prov.secrets?.['scim-token'] ?? '';
    const all = (await listAllAccounts(aws)).filter((a) => a.state === 'ACTIVE' && a.id !== aws.caller.accountId).map((a) => ({ accountId: a.id, accountName: a.name }));
    const c: Ctx = {
      info,
      instanceArn: inst.instanceArn,
      permissionSetArn: ps.arn!,
      region: inst.region,
      engineClient: aws.ssoAdminEngine(),
      sdkClient: aws.ssoAdmin(),
      newGroup: async (name) => String((await scim(endpoint, token, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: name })).id),
    };
    if (!args.json) out(`Account assignments against the sandbox (20 requests/s, 10 outstanding); Node ${process.version}, ${os.cpus().length} CPUs, load average ${load()}`);
    const results = [];
    if (!args.onlyAccess) for (const p of args.profiles) results.push(await profile(c, args, p, all));
    const access = args.access || args.onlyAccess ? await accessCase(c, args, aws, inst.identityStoreId, all) : undefined;
    aws.destroy();
    const report = { node: process.version, cpus: os.cpus().length, profiles: results, ...(access ? { access } : {}) };
    if (args.json) out(JSON.stringify(report, null, 2));
    else {
      out('');
      for (const r of results) {
        const e = r.engine;
        const ok = e.ratioToFloor <= 1.15 && e.failed === 0 && e.peakRssMb < 150;
        out(`${r.profile}: ${e.accounts} accounts, floor ${e.floorSeconds} s, engine ${e.ratioToFloor}x, ${e.requestsPerAccount} requests/account, ${e.failed} failed, peak RSS ${e.peakRssMb} MB: target (<= 1.15x, 0 failed, < 150 MB) ${ok ? 'met' : 'NOT met'}`);
      }
      if (access) {
        const ok = access.ratioToFloor <= 1.2 && access.failed === 0 && access.peakRssMb < 200;
        out(`access file: 3 sets x ${access.accounts} accounts + ${access.deletions} deletions, floor ${access.floorSeconds} s, ${access.ratioToFloor}x, ${access.failed} failed, peak RSS ${access.peakRssMb} MB: target (<= 1.2x, 0 failed, < 200 MB) ${ok ? 'met' : 'NOT met'}`);
      }
      out('');
      out(JSON.stringify(report));
    }
    if (results.some((r) => r.engine.failed > 0) || (access && access.failed > 0)) process.exitCode = 1;
  } finally {
    await stopSandbox(dir).catch(() => false);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`benchmark failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
