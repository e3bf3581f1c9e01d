/** `okta-aws-sso sandbox reset`: back to the initial data. */
import { line } from '../../render.js';
import { sandboxCommand } from './shared.js';

export const sandboxResetCommand = sandboxCommand({
  usage: 'reset',
  description: 'reset the sandbox to its initial data',
  async run({ api, dir }) {
    await api.resetSandbox(dir);
    return { result: 'ok', exitCode: 0, stateFile: null, data: { reset: true }, text: [line('SANDBOX_RESET', { dir })] };
  },
});
