/**
 * --sandbox: the ConsolePerformer the I/O core uses instead of waiting for a person. It has the
 * sandbox perform the action, saves the files a person would have downloaded into the work folder,
 * and hands back what a person would have copied.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ConsolePerformer } from '../cli/io/base-io.js';
import { WizardError } from '../errors.js';
import { performConsoleAction } from './process.js';
import type { SandboxInfo } from './types.js';

export function createSandboxConsolePerformer(info: SandboxInfo, workDir: string): ConsolePerformer {
  return async (action) => {
    const result = await performConsoleAction(info, action.id, action.sandboxPayload);
    const written = new Map<string, string>();
    for (const [name, content] of Object.entries(result.files ?? {})) {
      if (name === '' || path.basename(name) !== name || name === '.' || name === '..') {
        throw new WizardError(`The sandbox returned a file with an unsafe name ("${name}") for "${action.title}".`, {
          code: 'SANDBOX_FILE_NAME',
          hint: 'This is a sandbox bug; nothing was written.',
        });
      }
      const file = path.resolve(workDir, name);
      await fsp.mkdir(path.dirname(file), { recursive: true });
      await fsp.writeFile(file, content);
      written.set(name, file);
    }
    const answers: Record<string, string> = {};
    for (const [k, v] of Object.entries(result.answers ?? {})) answers[k] = written.get(v) ?? v;
    return {
      answers,
      ...(result.secrets ? { secrets: result.secrets } : {}),
      ...(result.message ? { message: result.message } : {}),
    };
  };
}
