/** `okta-aws-sso sandbox stop`. */
import { line } from '../../render.js';
import { sandboxCommand } from './shared.js';

export const sandboxStopCommand = sandboxCommand({
  usage: 'stop',
  description: 'stop the sandbox',
  async run({ api, dir }) {
    const stopped = await api.stopSandbox(dir);
    return { result: 'ok', exitCode: 0, stateFile: null, data: { stopped }, text: [line(stopped ? 'SANDBOX_STOPPED' : 'SANDBOX_WAS_NOT_RUNNING', { dir })] };
  },
});
