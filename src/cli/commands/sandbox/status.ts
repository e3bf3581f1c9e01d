/** `okta-aws-sso sandbox status`: is a sandbox running, and where. */
import { line, type TextBlock } from '../../render.js';
import { addressLines, publicInfo, sandboxCommand } from './shared.js';

export const sandboxStatusCommand = sandboxCommand({
  usage: 'status',
  description: 'is a sandbox running, and where',
  async run({ api, dir }) {
    const s = await api.sandboxStatus(dir);
    const text: TextBlock[] = [];
    if (s.running && s.info) {
      text.push(line('SANDBOX_STATUS_RUNNING', { pid: s.info.pid, startedAt: s.info.startedAt, dir }), ...addressLines(s.info));
    } else {
      text.push(line('SANDBOX_NONE_RUNNING', { dir }));
    }
    return { result: 'ok', exitCode: 0, stateFile: null, data: { running: s.running, ...(s.info ? { info: publicInfo(s.info) } : {}) }, text };
  },
});
