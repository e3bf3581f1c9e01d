/**
 * `npm run bench`: the account assignment engine on 1,000 accounts against the sandbox (run as its
 * own process, so this process's memory is the engine's) at the sandbox's default limits: 20
 * requests/s, 10 outstanding creations, 300 ms creation delay. Prints the wall time as a ratio to
 * the floor those limits impose, a plain sequential loop of the same calls (on a sample,
 * extrapolated), and the peak RSS of this process.
 *
 *   node --expose-gc dist/bench/assignments.js [--accounts 1000] [--sequential-sample 50] [--json]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateAccountAssignmentCommand, DescribeAccountAssignmentCreationStatusCommand } from '@aws-sdk/client-sso-admin';
import { AnswerSource } from '../cli/io/answer-source.js';
import { BaseIo } from '../cli/io/base-io.js';
import { MemoryOutput } from '../cli/io/memory-output.js';
import { sandboxAdmin, sandboxEnv, startSandbox, stopSandbox } from '../sandbox/process.js';
import { connectAws } from '../aws/connect.js';
import { findInstance, listAllAccounts } from '../aws/organization.js';
import { ensurePermissionSet } from '../aws/permission-sets.js';
import { assignAccounts } from '../aws/assignments.js';

interface Args {
  accounts: number;
  sample: number;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { accounts: 1000, sample: 50, json: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--accounts') a.accounts = Number(argv[++i]);
    else if (k === '--sequential-sample') a.sample = Number(argv[++i]);
    else if (k === '--json') a.json = true;
  }
  return a;
}

const out = (s: string): void => void process.stdout.write(`${s}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function scim(endpoint: string, token: string, method: string, p: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${endpoint}${p}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`SCIM ${method} ${p} answered ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const limits = { requestsPerSecond: 20, maxOutstanding: 10, assignmentDelayMs: 300 };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-bench-'));
  // One suspended member account is part of the sandbox's default organization: add it on top.
  const info = await startSandbox({ dir, options: { aws: { memberAccounts: args.accounts + 1, assignmentDelayMs: limits.assignmentDelayMs, requestsPerSecond: limits.requestsPerSecond, maxOutstandingAssignments: limits.maxOutstanding } } });
  try {
    Object.assign(process.env, sandboxEnv(info));
    const io = new BaseIo({ answers: new AnswerSource({ env: {} }), output: new MemoryOutput(), yes: true });
    const aws = await connectAws(io);
    const inst = await findInstance(aws, io, info.region);
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
    const group = await scim(endpoint, token, 'POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'bench-engine' });
    const seqGroup = await scim(endpoint, token, 'POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'bench-sequential' });
    const all = await listAllAccounts(aws);
    const mgmtCaller = aws.caller.accountId;
    const targets = all.filter((a) => a.state === 'ACTIVE' && a.id !== mgmtCaller).slice(0, args.accounts).map((a) => ({ accountId: a.id, accountName: a.name }));

    // ---------------------------------------------------------------- the engine
    (globalThis as { gc?: () => void }).gc?.();
    const rssStart = process.memoryUsage().rss;
    let peak = rssStart;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    let lastPrint = 0;
    const t0 = performance.now();
    const res = await assignAccounts({
      client: aws.ssoAdminEngine(),
      instanceArn: inst.instanceArn,
      permissionSetArn: ps.arn,
      principalId: String(group.id),
      principalType: 'GROUP',
      targets,
      bulkExisting: true,
      tuning: {
        requestsPerSecond: limits.requestsPerSecond,
        maxOutstanding: limits.maxOutstanding,
      },
      onProgress: (done, total) => {
        if (!args.json && (done === total || performance.now() - lastPrint > 5000)) {
          lastPrint = performance.now();
          out(`  engine: ${done}/${total} accounts`);
        }
      },
    });
    const wallMs = performance.now() - t0;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const failed = res.results.filter((r) => r.status === 'FAILED');
    const n = targets.length;
    // Floor: every account needs a create and at least one status read, all within the request rate;
    // and each creation occupies one of the outstanding slots for the creation delay.
    const minRequests = 2 * n + 1;
    const rateFloorMs = (minRequests / limits.requestsPerSecond) * 1000;
    const slotFloorMs = (n * limits.assignmentDelayMs) / limits.maxOutstanding;
    const floorMs = Math.max(rateFloorMs, slotFloorMs);

    // ---------------------------------------------------------------- the plain sequential loop (sample)
    const seqClient = aws.ssoAdmin();
    const sample = targets.slice(0, Math.min(args.sample, n));
    const s0 = performance.now();
    let seqRequests = 0;
    for (const t of sample) {
      const c = await seqClient.send(
        new CreateAccountAssignmentCommand({ InstanceArn: inst.instanceArn, TargetId: t.accountId, TargetType: 'AWS_ACCOUNT', PermissionSetArn: ps.arn, PrincipalType: 'GROUP', PrincipalId: String(seqGroup.id) }),
      );
      seqRequests++;
      let st = c.AccountAssignmentCreationStatus;
      while (st?.Status === 'IN_PROGRESS') {
        await sleep(100);
        st = (await seqClient.send(new DescribeAccountAssignmentCreationStatusCommand({ InstanceArn: inst.instanceArn, AccountAssignmentCreationRequestId: st.RequestId }))).AccountAssignmentCreationStatus;
        seqRequests++;
      }
    }
    const seqSampleMs = performance.now() - s0;
    const seqProjectedMs = sample.length > 0 ? (seqSampleMs / sample.length) * n : 0;

    const result = {
      accounts: n,
      limits,
      engine: {
        wallSeconds: +(wallMs / 1000).toFixed(1),
        floorSeconds: +(floorMs / 1000).toFixed(1),
        ratioToFloor: +(wallMs / floorMs).toFixed(3),
        requests: res.stats.requests,
        retries: res.stats.retries,
        failed: failed.length,
        succeeded: res.results.filter((r) => r.status === 'SUCCEEDED').length,
        peakRssMb: +(peak / 1048576).toFixed(1),
        rssAtStartMb: +(rssStart / 1048576).toFixed(1),
      },
      sequential: {
        sampleAccounts: sample.length,
        sampleSeconds: +(seqSampleMs / 1000).toFixed(1),
        requests: seqRequests,
        projectedSecondsFor: n,
        projectedSeconds: +(seqProjectedMs / 1000).toFixed(1),
        ratioToFloor: +(seqProjectedMs / floorMs).toFixed(2),
      },
      node: process.version,
      cpus: os.cpus().length,
    };
    aws.destroy();
    if (args.json) {
      out(JSON.stringify(result, null, 2));
    } else {
      out('');
      out(`Account assignments, ${n} accounts, sandbox limits: ${limits.requestsPerSecond} requests/s, ${limits.maxOutstanding} outstanding, ${limits.assignmentDelayMs} ms creation delay`);
      out(`  floor (max of ${minRequests} requests at ${limits.requestsPerSecond}/s, ${n} x ${limits.assignmentDelayMs} ms / ${limits.maxOutstanding} slots): ${result.engine.floorSeconds} s`);
      out(`  engine:     ${result.engine.wallSeconds} s = ${result.engine.ratioToFloor}x the floor; ${result.engine.requests} requests, ${result.engine.retries} retries, ${failed.length} failed; peak RSS ${result.engine.peakRssMb} MB`);
      out(`  sequential: ${result.sequential.sampleSeconds} s for ${sample.length} accounts -> ~${result.sequential.projectedSeconds} s for ${n} = ${result.sequential.ratioToFloor}x the floor`);
      const ok = result.engine.ratioToFloor <= 1.25 && failed.length === 0 && result.engine.peakRssMb < 150;
      out(`  target (<= 1.25x floor, no failure, peak RSS < 150 MB): ${ok ? 'met' : 'NOT met'}`);
      out('');
      out(JSON.stringify(result));
    }
    if (failed.length > 0) process.exitCode = 1;
  } finally {
    await stopSandbox(dir).catch(() => false);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`benchmark failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
