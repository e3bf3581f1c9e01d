/** `okta-aws-sso sandbox reset`: back to the initial data. */
import { loadSandboxApi } from '../../sandbox.js';
import { line, type CommandResult } from '../../render.js';
import type { CliCommand } from '../command.js';
import { chosenDir, dirOptions } from './shared.js';

export const sandboxResetCommand: CliCommand = {
  name: 'sandbox reset',
  define(parent) {
    const c = parent.command('reset').description('reset the sandbox to its initial data');
    for (const o of dirOptions()) c.addOption(o);
    return c;
  },
  async run(ctx, _g, o): Promise<CommandResult> {
    const api = await loadSandboxApi();
    const dir = await chosenDir(ctx, o);
    await api.resetSandbox(dir);
    return { result: 'ok', exitCode: 0, stateFile: null, data: { reset: true }, text: [line('SANDBOX_RESET', { dir })] };
  },
};
