/**
 * Layers point one way: cli -> engine -> steps -> clients -> core. The clients (src/okta, src/aws,
 * src/saml, src/scim) and src/core import nothing from the steps, the engine or the CLI.
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
});
