/**
 * Shared setup for the AWS step tests: an in-process sandbox, process.env pointed at it (each test
 * file runs in its own process), and harnesses that run a real step with the real I/O core.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { stepHarness, type Harness, type HarnessInit } from '../helpers/step-harness.js';
import { createSandboxConsolePerformer } from '../../src/sandbox/console-client.js';
import { setAwsTuning } from '../../src/aws/tuning.js';
import type { SandboxOptions } from '../../src/sandbox/types.js';
import type { StepOutputs } from '../../src/steps/outputs.js';

export interface AwsStepFixture {
  sb: TestSandbox;
  workDir: string;
  harness(init?: HarnessInit): Harness;
  close(): Promise<void>;
}

/** Short SCIM and retry waits (the assignment engine learns the creation latency itself). */
export function fastTuning(): void {
  setAwsTuning({
    scimPollMs: 100,
    retryBaseMs: 50,
    retryCapMs: 800,
  });
}

export async function startAwsStepFixture(options?: SandboxOptions, env: Record<string, string> = {}): Promise<AwsStepFixture> {
  const sb = await withSandbox(options);
  for (const [k, v] of Object.entries({ ...sb.env, ...env })) process.env[k] = v;
  fastTuning();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-aws-step-'));
  const harnesses: Harness[] = [];
  return {
    sb,
    workDir,
    harness(init: HarnessInit = {}) {
      const h = stepHarness({
        env: { ...sb.env },
        workDir,
        sandboxAdminUrl: sb.info.adminUrl,
        consolePerformer: createSandboxConsolePerformer(sb.info, workDir),
        ...init,
      });
      harnesses.push(h);
      return h;
    },
    async close() {
      for (const h of harnesses) {
        try {
          (await h.ctx.services.aws()).destroy();
        } catch {
          // never connected
        }
      }
      await sb.close();
    },
  };
}

/** Minimal outputs of the Okta steps the AWS steps read (the Okta side is tested elsewhere). */
export function oktaSideOutputs(groupName = 'awsssoPowerUsers'): Pick<StepOutputs, 'groups' | 'group-push'> {
  return {
    groups: { assignmentGroup: { id: '00g-assign', name: 'AWS Users' }, pushGroups: [{ id: '00g-push', name: groupName }], assignedAppIds: ['0oa-app'] },
    'group-push': { appId: '0oa-app', prefix: 'awssso', mappings: [{ mappingId: 'gpm1', sourceGroupId: '00g-push', groupName, status: 'ACTIVE' }], ruleConfirmed: false },
  };
}

/** A SCIM call to the sandbox's Identity Center SCIM endpoint (what Okta would send). */
export async function scimCall(endpoint: string, token: string, method: string, p: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${endpoint}${p}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
