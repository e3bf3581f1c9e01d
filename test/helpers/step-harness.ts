/**
 * Runs a real step with the real I/O core (BaseIo + AnswerSource), capturing what a person would
 * see. Answers come from `flags`/`env` exactly as the CLI would pass them; an interactive run passes
 * a Prompter (e.g. the real inquirer binding driven by streams).
 */
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { AnswerSource, type AnswerValue } from '../../src/cli/io/answer-source.js';
import { BaseIo, type ConsolePerformer, type Prompter } from '../../src/cli/io/base-io.js';
import { MemoryOutput } from '../../src/cli/io/memory-output.js';
import { createStepContext, MemorySecretStore, MemoryProgressStore } from '../../src/engine/context.js';
import { createServices } from '../../src/steps/services.js';
import type { AnswerKey, SecretKey } from '../../src/steps/answers.js';
import type { StepContext } from '../../src/steps/contract.js';
import type { StepOutputs } from '../../src/steps/outputs.js';

export interface HarnessInit {
  flags?: Partial<Record<AnswerKey, AnswerValue>>;
  env?: Record<string, string>;
  secretFiles?: Partial<Record<SecretKey, string>>;
  config?: Record<string, unknown>;
  outputs?: Partial<StepOutputs>;
  prompter?: Prompter;
  yes?: boolean;
  dryRun?: boolean;
  workDir?: string;
  consolePerformer?: ConsolePerformer;
  sandboxAdminUrl?: string;
}

export interface Harness {
  ctx: StepContext;
  io: BaseIo;
  output: MemoryOutput;
  answers: AnswerSource;
  secrets: MemorySecretStore;
}

export function stepHarness(init: HarnessInit = {}): Harness {
  const answers = new AnswerSource({ flags: init.flags, env: init.env ?? {}, secretFiles: init.secretFiles, config: init.config });
  const output = new MemoryOutput();
  const io = new BaseIo({ answers, output, prompter: init.prompter, yes: init.yes ?? true, consolePerformer: init.consolePerformer });
  const secrets = new MemorySecretStore(io);
  const services = createServices(io, secrets, init.sandboxAdminUrl ? { adminUrl: init.sandboxAdminUrl } : undefined);
  const workDir = init.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'oas-step-'));
  const ctx = createStepContext({
    io,
    services,
    secrets,
    outputs: init.outputs ?? {},
    progress: new MemoryProgressStore(),
    dryRun: init.dryRun ?? false,
    workDir,
  });
  return { ctx, io, output, answers, secrets };
}
