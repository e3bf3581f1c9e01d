import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('Okta spec subset', () => {
  it('data/okta-spec-subset.json is exactly what scripts/gen-okta-spec-subset.mjs extracts from vendor/specs/okta/management.yaml', async () => {
    const { buildSubset, SERVED } = (await import(path.join(root, 'scripts/gen-okta-spec-subset.mjs'))) as {
      buildSubset: (yaml: string) => string;
      SERVED: Record<string, string[]>;
    };
    const yaml = fs.readFileSync(path.join(root, 'vendor/specs/okta/management.yaml'), 'utf8');
    const regenerated = buildSubset(yaml);
    const committed = fs.readFileSync(path.join(root, 'data/okta-spec-subset.json'), 'utf8');
    expect(regenerated === committed, 'data/okta-spec-subset.json is stale: run `node scripts/gen-okta-spec-subset.mjs`').toBe(true);
    const doc = JSON.parse(committed);
    expect(Object.keys(doc.paths).sort()).toEqual(Object.keys(SERVED).sort());
    // discriminator.mapping targets were followed
    expect(doc.components.schemas.SamlApplication).toBeDefined();
    expect(doc.components.schemas.UserProvisioningApplicationFeature).toBeDefined();
    // annotations dropped, but a property called "description" survives
    expect(JSON.stringify(doc)).not.toContain('"examples"');
    expect(doc.components.schemas.OktaUserGroupProfile.properties.description).toEqual({ type: 'string' });
  });
});
