/** The options init, resume and verify share: --sandbox, --sandbox-dir and every answer flag. */
import { Option, type Command } from 'commander';
import { ANSWERS, type AnswerSpec } from '../../steps/answers.js';
import { answerOptions } from '../options.js';
import { EXIT_CODES_HELP } from './command.js';

function answerEnvHelp(): string {
  const lines = ['', 'Answers can also come from environment variables or --config (same names as the flags, without "--").', 'Secrets are never flags: use the environment variable or the *-file flag.'];
  for (const [key, spec] of Object.entries(ANSWERS) as [string, AnswerSpec][]) {
    if (spec.env && spec.env.length > 0) lines.push(`  ${(spec.flag ?? spec.fileFlag ?? key).padEnd(34)} ${spec.env.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function addAnswerOptions(cmd: Command): Command {
  for (const a of answerOptions()) cmd.addOption(new Option(a.flags, a.description));
  return cmd;
}

export function withRunOptions(c: Command): Command {
  return addAnswerOptions(
    c.option('--sandbox', 'run against the local sandbox (started when none runs)').option('--sandbox-dir <dir>', 'sandbox folder (default .okta-aws-sso/sandbox)'),
  ).addHelpText('after', answerEnvHelp() + EXIT_CODES_HELP);
}
