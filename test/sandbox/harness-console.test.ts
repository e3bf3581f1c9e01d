/**
 * Console actions performed by the sandbox through its admin endpoint, with the real emulators, and
 * the console performer the I/O core uses in --sandbox runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerSource } from '../../src/cli/io/answer-source.js';
import { BaseIo } from '../../src/cli/io/base-io.js';
import { MemoryOutput } from '../../src/cli/io/memory-output.js';
import { WizardError } from '../../src/errors.js';
import { createSandboxConsolePerformer } from '../../src/sandbox/console-client.js';
import { performConsoleAction, sandboxAdmin } from '../../src/sandbox/process.js';
import type { ConsoleAction } from '../../src/steps/contract.js';
import { readRequestLog, withSandbox, type TestSandbox } from '../helpers/sandbox.js';

let sb: TestSandbox;
let workDir: string;
beforeAll(async () => {
  sb = await withSandbox();
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-console-'));
});
afterAll(async () => {
  await sb?.close();
  fs.rmSync(workDir, { recursive: true, force: true });
});

async function okta<T = Record<string, unknown>>(p: string, init: { method?: string; body?: unknown; accept?: string } = {}): Promise<{ status: number; json: T; text: string }> {
  const res = await fetch(`${sb.info.oktaUrl}${p}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `SSWS ${sb.info.oktaApiToken}`, accept: init.accept ?? 'application/json', 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json: json as T, text };
}

async function rejection(p: Promise<unknown>): Promise<WizardError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(WizardError);
  return e as WizardError;
}

function action(id: ConsoleAction['id'], sandboxPayload?: Record<string, unknown>): ConsoleAction {
  return { id, title: `Test ${id}`, where: 'sandbox', instructions: ['do it'], ...(sandboxPayload ? { sandboxPayload } : {}) };
}

describe('console actions through the admin endpoint', () => {
  it('runs the whole console sequence: SP metadata, IdP metadata, SCIM, Okta provisioning, push rule, sign-in', async () => {
    // download-sp-metadata: a file and the answer naming it.
    const sp = await performConsoleAction(sb.info, 'download-sp-metadata');
    const [fileName, xml] = Object.entries(sp.files ?? {})[0] ?? [];
    expect(fileName).toBeDefined();
    expect(xml).toContain('EntityDescriptor');
    expect(Object.values(sp.answers ?? {})).toContain(fileName);
    const acs = /Location="([^"]+)"/.exec(xml!)![1]!;
    const entityId = /entityID="([^"]+)"/.exec(xml!)![1]!;

    // The Okta app the wizard would create, and its IdP metadata.
    const app = await okta<{ id: string; credentials: { signing: { kid: string } } }>('/api/v1/apps', {
      method: 'POST',
      body: { name: 'amazon_aws_sso', label: 'AWS IAM Identity Center', signOnMode: 'SAML_2_0', settings: { app: { acsURL: acs, entityID: entityId } } },
    });
    expect(app.status).toBe(200);
    const idp = await okta(`/api/v1/apps/${app.json.id}/sso/saml/metadata?kid=${app.json.credentials.signing.kid}`, { accept: 'application/xml' });
    expect(idp.status).toBe(200);

    // upload-idp-metadata: checked as the console does; bad XML is refused with the emulator's hint.
    const uploaded = await performConsoleAction(sb.info, 'upload-idp-metadata', { xml: idp.text });
    expect(uploaded.message).toBeTruthy();
    const badXml = await rejection(performConsoleAction(sb.info, 'upload-idp-metadata', { xml: '<EntityDescriptor entityID="x"/>' }));
    expect(badXml.message).toContain("upload-idp-metadata");
    expect(badXml.code).toBe("SANDBOX_CONSOLE_ACTION");
    expect(badXml.hint).toMatch(/metadata/i);

    // enable-automatic-provisioning: endpoint as an answer, token as a secret.
    const scim = await performConsoleAction(sb.info, 'enable-automatic-provisioning');
    const endpoint = scim.answers?.['scim-endpoint'];
    const token = scim.secrets?.['scim-token'];
    expect(endpoint?.startsWith(sb.info.awsUrl)).toBe(true);
    expect(token).toBeTruthy();

    // configure-okta-provisioning: a wrong token is refused without being echoed; the right one works.
    const wrong = await rejection(performConsoleAction(sb.info, 'configure-okta-provisioning', { appId: app.json.id, baseUrl: endpoint, token: 'not-the-scim-token' }));
    expect(wrong.message).not.toContain('not-the-scim-token');
    const configured = await performConsoleAction(sb.info, 'configure-okta-provisioning', { appId: app.json.id, baseUrl: endpoint, token });
    expect(configured.message).toBeTruthy();

    // push-groups-by-rule: a matching group reaches Identity Center through SCIM.
    const group = await okta<{ id: string }>('/api/v1/groups', { method: 'POST', body: { profile: { name: 'awsssoHarnessUsers' } } });
    expect(group.status).toBe(200);
    const rule = await performConsoleAction(sb.info, 'push-groups-by-rule', { appId: app.json.id, name: 'awssso groups', prefix: 'awssso' });
    expect(rule.message).toContain('awssso');
    await sandboxAdmin(sb.info, 'GET', 'idle');
    const pushed = await fetch(`${endpoint}/Groups?filter=${encodeURIComponent('displayName eq "awsssoHarnessUsers"')}`, { headers: { authorization: `Bearer ${token}` } });
    expect(pushed.status).toBe(200);
    expect(((await pushed.json()) as { totalResults: number }).totalResults).toBe(1);

    // sign-in-check: nothing to do, a message.
    const signIn = await performConsoleAction(sb.info, 'sign-in-check');
    expect(signIn.message).toContain('awsapps.com');

    // The SCIM token never reaches the request log.
    const log = await readRequestLog(sb);
    expect(JSON.stringify(log)).not.toContain(token!);
    expect(log.some((e) => e.service === 'scim' && e.mutating)).toBe(true);
  });

  it('refuses a bad payload or an unknown action with a clear message', async () => {
    const missing = await rejection(performConsoleAction(sb.info, 'push-groups-by-rule', { name: 'x', prefix: 'awssso' }));
    expect(missing.message).toContain('"appId"');
    const noXml = await rejection(performConsoleAction(sb.info, 'upload-idp-metadata', {}));
    expect(noXml.message).toContain('"xml"');
    const unknown = await rejection(performConsoleAction(sb.info, 'open-the-pod-bay-doors'));
    expect(unknown.message).toContain('download-sp-metadata');
    const noApp = await rejection(performConsoleAction(sb.info, 'configure-okta-provisioning', { appId: '0oaMissing', baseUrl: 'http://127.0.0.1:1/x/scim/v2', token: 'secret-token-value' }));
    expect(noApp.message).toContain('0oaMissing');
    expect(noApp.message).not.toContain('secret-token-value');
    const array = await fetch(`${sb.info.adminUrl}/console/sign-in-check`, { method: 'POST', body: '[]' });
    expect(array.status).toBe(400);
  });

  it('says so when the sandbox does not answer', async () => {
    const gone = await withSandbox();
    const info = gone.info;
    await gone.close();
    const e = await rejection(performConsoleAction(info, 'sign-in-check'));
    expect(e.code).toBe('SANDBOX_UNREACHABLE');
    expect(e.hint).toContain('sandbox start');
  });
});

describe('sandbox console performer', () => {
  it('writes downloaded files into the work folder and answers with their absolute paths', async () => {
    const perform = createSandboxConsolePerformer(sb.info, workDir);
    const r = await perform(action('download-sp-metadata'));
    const file = r.answers?.['sp-metadata'];
    expect(file).toBeDefined();
    expect(path.isAbsolute(file!)).toBe(true);
    expect(path.dirname(file!)).toBe(path.resolve(workDir));
    expect(fs.readFileSync(file!, 'utf8')).toContain('EntityDescriptor');
  });

  it('hands answers and secrets to the I/O core, which masks the secret', async () => {
    const answers = new AnswerSource({ env: {} });
    const output = new MemoryOutput();
    const io = new BaseIo({ answers, output, consolePerformer: createSandboxConsolePerformer(sb.info, workDir) });
    await io.consoleAction(action('enable-automatic-provisioning'));
    const endpoint = answers.get('scim-endpoint');
    const token = answers.getSecret('scim-token');
    expect(endpoint?.value).toBe(sb.aws.info().scimEndpoint);
    expect(token?.value).toBeTruthy();
    expect(output.codes()).toContain('SANDBOX_PERFORMED');
    expect(output.text()).not.toContain(token!.value);
  });

  it('sends the action payload, and fails the action when the sandbox refuses it', async () => {
    const perform = createSandboxConsolePerformer(sb.info, workDir);
    const e = await rejection(perform(action('push-groups-by-rule', { appId: '0oaNope', name: 'n', prefix: 'awssso' })));
    expect(e.message).toContain('0oaNope');
  });
});
