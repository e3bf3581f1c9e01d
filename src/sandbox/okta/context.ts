/**
 * What every Okta handler module shares: the org (state, URL, options, clock, provisioner) and the
 * shape of a request context and of an answer. `org.state` is replaced by restore(): read it through
 * `org` on every call, never keep a reference.
 */
import type { OktaEmulatorOptions, SandboxRequest } from '../types.js';
import type { Provisioner } from './provisioning.js';
import type { Operation } from './spec.js';
import type { OktaState } from './state.js';

export type Json = Record<string, unknown>;

export interface Ctx {
  req: SandboxRequest;
  op: Operation;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}

export interface Answer {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

/** One handler per Okta operationId. */
export type Handlers = Record<string, (ctx: Ctx) => Promise<Answer> | Answer>;

export interface Org {
  state: OktaState;
  orgUrl: string;
  options: OktaEmulatorOptions;
  now(): string;
  provisioner: Provisioner;
}
