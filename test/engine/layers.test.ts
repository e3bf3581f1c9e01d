/**
 * Layers point one way: cli -> engine -> steps -> clients -> core. The clients (src/okta, src/aws,
 * src/saml, src/scim) and src/core import nothing from the steps, the engine or the CLI; the clients
 * never prompt (no Io: their questions are the steps') and never read process.env (the environment
 * is passed in by the CLI context).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('layers', () => {
  it('no client or core file imports src/steps, src/engine or src/cli', () => {
    const offenders: string[] = [];
    for (const layer of ['okta', 'aws', 'saml', 'scim', 'core']) {
      for (const f of files(path.join(src, layer))) {
        const text = fs.readFileSync(f, 'utf8');
        for (const m of text.matchAll(/(?:from|import\()\s*'([^']+)'/g)) {
          const target = path.resolve(path.dirname(f), m[1]!);
          if (m[1]!.startsWith('.') && /^(steps|engine|cli)(\/|$)/.test(path.relative(src, target))) offenders.push(`${path.relative(src, f)} -> ${m[1]}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('no client file prompts or reads process.env', () => {
    const offenders: string[] = [];
    // Code only: comments may name what the file does not do.
    const code = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
    for (const layer of ['okta', 'aws', 'saml', 'scim']) {
      for (const f of files(path.join(src, layer))) {
        const text = code(fs.readFileSync(f, 'utf8'));
        const rel = path.relative(src, f);
        if (/\bprocess\.env\b/.test(text)) offenders.push(`${rel}: reads process.env`);
        if (/core\/io\.js'/.test(text)) offenders.push(`${rel}: imports the Io interface`);
        for (const m of text.matchAll(/\bio\.(ask|select|confirm|secret|consoleAction)\(/g)) offenders.push(`${rel}: prompts (io.${m[1]})`);
        if (/from '(@inquirer\/[a-z-]+|inquirer|readline|node:readline)'/.test(text)) offenders.push(`${rel}: imports a prompt library`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the check above finds a client that prompts or reads the environment (it can fail)', () => {
    const code = "import type { Io } from '../core/io.js';\nexport async function f(io: Io) { return io.ask({ key: 'x' }) ?? process.env.X; }";
    expect(/\bprocess\.env\b/.test(code) && /core\/io\.js'/.test(code) && /\bio\.(ask|select|confirm|secret|consoleAction)\(/.test(code)).toBe(true);
  });
});
