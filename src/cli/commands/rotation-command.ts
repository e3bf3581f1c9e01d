/**
 * What the `rotate` subcommands share: the subcommand with its options and the run options (as
 * init's), and the run through src/cli/rotate.ts (loaded lazily), continued by `okta-aws-sso rotate <kind>`.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { RotationSpec } from '../rotate.js';
import type { CliCommand } from './command.js';
import { withRunOptions } from './run-options.js';

export interface RotationCommandSpec {
  kind: RotationSpec['kind'];
  /** In sentences: "SCIM access token". */
  label: string;
  description: string;
  /** The subcommand's own options, before the run options. */
  options?: (c: Command) => Command;
  /** The rotation's plan and phases for these options, checked before anything runs (a bad one: exit 2). */
  phases(ctx: CliContext, opts: Record<string, unknown>): Promise<Pick<RotationSpec, 'plan' | 'run'>>;
}

export function rotationCommand(spec: RotationCommandSpec): CliCommand {
  return {
    name: `rotate ${spec.kind}`,
    define(parent) {
      const c = parent.command(spec.kind).description(spec.description);
      return withRunOptions(spec.options ? spec.options(c) : c);
    },
    async run(ctx, g, opts) {
      const [{ runRotation }, phases] = await Promise.all([import('../rotate.js'), spec.phases(ctx, opts)]);
      return runRotation(ctx, g, opts, { kind: spec.kind, label: spec.label, command: `okta-aws-sso rotate ${spec.kind}`, ...phases });
    },
  };
}
