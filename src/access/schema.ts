/**
 * The JSON Schema of access.yaml (docs/schemas/access-file.schema.json is this object, written by
 * test/access/file.test.ts's check; keep them equal). Draft-07, validated with ajv before anything
 * is sent.
 */

const policyRef = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', pattern: '^[\\w+=,.@-]{1,128}$', description: 'The IAM policy name, as it exists in every target account.' },
    path: { type: 'string', pattern: '^/(?:[A-Za-z0-9.,+@=_-]+/)*$', maxLength: 512, default: '/', description: 'The IAM path, "/" unless given.' },
  },
} as const;

const managedArn = { type: 'string', pattern: '^arn:aws[a-z-]*:iam::aws:policy/(?:[\\w+=,.@/-]+/)?[\\w+=,.@-]+$' } as const;

export const ACCESS_FILE_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'access-file.schema.json',
  title: 'okta-aws-sso access file (access.yaml)',
  description: 'Permission sets and who gets them where: planned with `okta-aws-sso access plan -f FILE`, applied with `access apply -f FILE`. See docs/access.md.',
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: {
    version: { const: 1, description: 'The file format version: 1.' },
    permissionSets: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: { type: 'string', pattern: '^[\\w+=,.@-]{1,32}$', description: 'Identity Center permission set name (1-32 of letters, digits, +=,.@_-).' },
          description: { type: 'string', minLength: 1, maxLength: 700 },
          sessionDuration: { type: 'string', pattern: '^PT(?:(?:[1-9]|1[0-2])H(?:[0-5]?[0-9]M)?|[1-9][0-9]*M)$', default: 'PT1H', description: 'ISO 8601 duration, PT1H to PT12H.' },
          relayState: { type: 'string', minLength: 1, maxLength: 240, description: 'The URL the AWS access portal opens after sign-in.' },
          managedPolicies: { type: 'array', uniqueItems: true, maxItems: 20, items: managedArn, description: 'AWS managed policy ARNs.' },
          customerManagedPolicies: { type: 'array', maxItems: 20, items: policyRef, description: 'Customer managed policies by name (and path): they must exist in every target account.' },
          inlinePolicy: {
            description: 'The inline policy: a path to a JSON file (relative to this file), or the policy document itself.',
            oneOf: [
              { type: 'string', minLength: 1 },
              { type: 'object', required: ['Statement'], properties: { Version: { type: 'string' }, Statement: { type: ['array', 'object'] } } },
            ],
          },
          permissionsBoundary: {
            description: 'A permissions boundary: an AWS managed policy ARN, or a customer managed policy reference.',
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            maxProperties: 1,
            properties: { managedPolicyArn: managedArn, customerManagedPolicy: policyRef },
          },
          tags: {
            type: 'object',
            maxProperties: 49,
            propertyNames: { pattern: '^(?!okta-aws-sso:)[\\p{L}\\p{Z}\\p{N}_.:/=+@-]{1,128}$' },
            additionalProperties: { type: 'string', maxLength: 256, pattern: '^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]*$' },
            description: 'Tags of the permission set (the key okta-aws-sso:managed is the tool\'s own).',
          },
        },
      },
    },
    assignments: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['group', 'permissionSets', 'targets'],
        properties: {
          group: { type: 'string', minLength: 1, maxLength: 255, description: 'The Okta group (pushed to Identity Center under the same name); created and pushed when missing.' },
          permissionSets: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string' }, description: 'Names of permission sets declared in permissionSets.' },
          targets: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: {
              all: { type: 'boolean', description: 'Every ACTIVE account of the organization.' },
              accounts: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^\\d{12}$' } },
              ous: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^(?:ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$' }, description: 'OU (or root) IDs: every ACTIVE account under them, recursively.' },
              exclude: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^(?:\\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$' }, description: 'Account IDs or OU IDs (recursive) to leave out.' },
            },
          },
        },
      },
    },
  },
} as const;
