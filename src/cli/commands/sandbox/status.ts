/** `okta-aws-sso sandbox status`: is a sandbox running, and where. */
import { loadSandboxApi } from '../../sandbox.js';
import { line, type CommandResult, type TextBlock } from '../../render.js';
import type { CliCommand } from '../command.js';
import { chosenDir, dirOptions, endpointLines, publicInfo } from './shared.js';

export const sandboxStatusCommand: CliCommand = {
  name: 'sandbox status',
  define(parent) {
    const c = parent.command('status').description('is a sandbox running, and where');
    for (const o of dirOptions()) c.addOption(o);
    return c;
  },
  async run(ctx, _g, o): Promise<CommandResult> {
    const api = await loadSandboxApi();
    const dir = await chosenDir(ctx, o);
    const s = await api.sandboxStatus(dir);
    const text: TextBlock[] = [];
    if (s.running && s.info) {
      text.push(line('SANDBOX_STATUS_RUNNING', { pid: s.info.pid, startedAt: s.info.startedAt, dir }), ...endpointLines(s.info));
    } else {
      text.push(line('SANDBOX_NONE_RUNNING', { dir }));
    }
    return { result: 'ok', exitCode: 0, stateFile: null, data: { running: s.running, ...(s.info ? { info: publicInfo(s.info) } : {}) }, text };
  },
};
