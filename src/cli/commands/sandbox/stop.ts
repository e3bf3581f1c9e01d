/** `okta-aws-sso sandbox stop`. */
import { loadSandboxApi } from '../../sandbox.js';
import { line, type CommandResult } from '../../render.js';
import type { CliCommand } from '../command.js';
import { chosenDir, dirOptions } from './shared.js';

export const sandboxStopCommand: CliCommand = {
  name: 'sandbox stop',
  define(parent) {
    const c = parent.command('stop').description('stop the sandbox');
    for (const o of dirOptions()) c.addOption(o);
    return c;
  },
  async run(ctx, _g, o): Promise<CommandResult> {
    const api = await loadSandboxApi();
    const dir = await chosenDir(ctx, o);
    const stopped = await api.stopSandbox(dir);
    return { result: 'ok', exitCode: 0, stateFile: null, data: { stopped }, text: [line(stopped ? 'SANDBOX_STOPPED' : 'SANDBOX_WAS_NOT_RUNNING', { dir })] };
  },
};
