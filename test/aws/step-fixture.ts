/**
 * Shared setup for the AWS step tests: an in-process sandbox, process.env pointed at it (put back as
 * it was by close(): test files share worker processes, vitest.config.ts), and harnesses that run a
 * real step with the real I/O core.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { stepHarness, type Harness, type HarnessInit } from '../helpers/step-harness.js';
import { createSandboxConsolePerformer } from '../../src/sandbox/console-client.js';
import { setAwsTuning } from '../../src/aws/tuning.js';
import type { SandboxOptions } from '../../src/sandbox/types.js';
import type { StepOutputs } from '../../src/core/outputs.js';

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
  const envBefore = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries({ ...sb.env, ...env })) {
    envBefore.set(k, process.env[k]);
    process.env[k] = v;
  }
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
      for (const [k, v] of envBefore) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
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
