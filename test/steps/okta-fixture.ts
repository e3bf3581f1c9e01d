/**
 * Runs the Okta half of the wizard (okta-app, idp-metadata, okta-provisioning, groups, group-push,
 * test-user) against an in-process sandbox, through the real I/O core, the real Okta client and the
 * sandbox console performer. Upstream AWS outputs come from the AWS emulator's own console actions.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runStep, stepHarness, type Harness, type HarnessInit } from '../helpers/step-harness.js';
import { afterAll, afterEach, beforeAll, vi } from 'vitest';
import { readRequestLog, withSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { expectWritesMatchPlan } from '../helpers/plan-log.js';
import type { SandboxOptions } from '../../src/sandbox/types.js';
import { createSandboxConsolePerformer } from '../../src/sandbox/console-client.js';
import type { StepOutputs } from '../../src/core/outputs.js';
import type { AnyStep } from '../../src/steps/contract.js';
import type { StepId } from '../../src/core/outputs.js';
import { oktaAppStep } from '../../src/steps/03-okta-app.js';
import { idpMetadataStep } from '../../src/steps/04-idp-metadata.js';
import { oktaProvisioningStep } from '../../src/steps/06-okta-provisioning.js';
import { groupsStep } from '../../src/steps/07-groups.js';
import { groupPushStep } from '../../src/steps/08-group-push.js';
import { testUserStep } from '../../src/steps/11-test-user.js';

export const OKTA_STEPS = [oktaAppStep, idpMetadataStep, oktaProvisioningStep, groupsStep, groupPushStep, testUserStep] as AnyStep[];

export interface AwsUpstream {
  outputs: Partial<StepOutputs>;
  scimToken: string;
}

/** What the AWS steps would hand over: SP values from the emulator's metadata, a SCIM endpoint and token. */
export function awsUpstream(sb: TestSandbox): AwsUpstream {
  const sp = sb.aws.console.downloadSpMetadata();
  const xml = Object.values(sp.files ?? {})[0] ?? '';
  const issuerUrl = /entityID="([^"]+)"/.exec(xml)?.[1] ?? '';
  const acsUrl = /AssertionConsumerService[^>]*Location="([^"]+)"/.exec(xml)?.[1] ?? '';
  const scim = sb.aws.console.enableAutomaticProvisioning();
  const now = new Date().toISOString();
  return {
    outputs: {
      'sp-metadata': { acsUrl, issuerUrl, source: 'metadata-file', acsUrls: [acsUrl] },
      'scim-endpoint': { endpoint: `${scim.answers?.['scim-endpoint'] ?? ''}/`, tokenEnteredAt: now, probedAt: now },
    },
    scimToken: scim.secrets?.['scim-token'] ?? '',
  };
}

export interface RunResult {
  h: Harness;
  outputs: Partial<StepOutputs>;
  /** With `checkWrites`: the steps whose writes were compared with their plan. */
  checked: StepId[];
}

/** Runs the six Okta steps in order with one harness (one Okta connection), as the engine would. */
/**
 * `checkWrites`: after each step whose changes declare their writes (the plan/apply contract), the
 * Okta and AWS writes the sandbox logged during it equal the plan's (expectWritesMatchPlan).
 */
export async function runOktaHalf(sb: TestSandbox, up: AwsUpstream, init: HarnessInit = {}, opts: { scimTokenInMemory?: boolean; steps?: AnyStep[]; checkWrites?: boolean } = {}): Promise<RunResult> {
  const workDir = init.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'oas-okta-'));
  const outputs: Partial<StepOutputs> = { ...up.outputs, ...(init.outputs ?? {}) };
  const h = stepHarness({
    env: { OKTA_ORG_URL: sb.info.oktaUrl, OKTA_API_TOKEN: sb.info.oktaApiToken },
    consolePerformer: createSandboxConsolePerformer(sb.info, workDir),
    sandboxAdminUrl: sb.info.adminUrl,
    ...init,
    workDir,
    outputs,
  });
  if (opts.scimTokenInMemory !== false) h.secrets.set('scim-token', up.scimToken);
  const checked: StepId[] = [];
  for (const step of opts.steps ?? OKTA_STEPS) {
    const reason = step.skip ? await step.skip(h.ctx) : undefined;
    if (reason) continue;
    const cursor = opts.checkWrites ? (await readRequestLog(sb)).length : 0;
    const run = await runStep(step, h.ctx);
    if (opts.checkWrites && run.changes.every((c) => c.writes !== undefined)) {
      expectWritesMatchPlan(await readRequestLog(sb, { since: cursor }), run.changes, `writes of the step "${step.id}"`);
      checked.push(step.id);
    }
    (outputs as Record<string, unknown>)[step.id] = run.outputs;
  }
  return { h, outputs, checked };
}

/** Okta API GET with the sandbox token (for assertions on the emulator's state). */
export async function oktaGet<T>(sb: TestSandbox, p: string): Promise<T> {
  const res = await fetch(`${sb.info.oktaUrl}${p}`, { headers: { Authorization: `SSWS ${sb.info.oktaApiToken}`, Accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET ${p}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export const TEST_USER_FLAGS = {
  'test-user-first-name': 'Ada',
  'test-user-last-name': 'Lovelace',
  'test-user-email': 'ada.lovelace@example.com',
} as const;

/**
 * Per-test sandbox for the Okta step tests: each test starts its own (`const sb = await sandboxes.start()`),
 * which is closed after the test; and no developer's ~/.okta/okta.yaml leaks into the runs.
 */
export function oktaSandboxPerTest(): { start(options?: SandboxOptions): Promise<TestSandbox> } {
  let current: TestSandbox | undefined;
  beforeAll(() => {
    vi.stubEnv('OKTA_AWS_SSO_OKTA_YAML', '/nonexistent/okta.yaml');
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return {
    async start(options?: SandboxOptions): Promise<TestSandbox> {
      const sb = await withSandbox(options);
      current = sb;
      return sb;
    },
  };
}
