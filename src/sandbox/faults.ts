/**
 * Fault injection for the sandbox listeners: per service (okta, aws, scim) an added latency, a share
 * of 5xx answers, a share of throttling answers (the emulator's own faultResponse) and a share of
 * dropped connections (socket destroyed without an answer, the request not carried out), and a share of
 * lost answers (the request carried out, then the socket destroyed before the answer); optionally only for
 * some operations and only the first N times (a fault at an exact moment, e.g. Okta's SCIM POST /Users
 * for the test user). Set at start (SandboxOptions.faults) and at run time (POST /__sandbox/faults).
 */
import type { FaultSpec, ServiceName } from './types.js';

export const SERVICES: readonly ServiceName[] = ['okta', 'aws', 'scim'];

/** What to do with one request. */
export interface FaultDecision {
  latencyMs: number;
  action: 'drop' | 'throttle' | 'error' | 'lost' | undefined;
}

/** A bad fault or option payload: the admin endpoint answers 400 with this message. */
export class SandboxInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxInputError';
  }
}

const RATE_KEYS = ['errorRate', 'throttleRate', 'dropRate', 'lostAnswerRate'] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks one service's FaultSpec; `null` clears it. Throws SandboxInputError naming the fix. */
export function parseFaultSpec(service: string, raw: unknown): FaultSpec | null {
  if (raw === null) return null;
  if (!isRecord(raw)) throw new SandboxInputError(`faults.${service} must be an object like {"errorRate": 0.5}, or null to clear it.`);
  const out: FaultSpec = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'latencyMs') {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 60_000) {
        throw new SandboxInputError(`faults.${service}.latencyMs must be a number of milliseconds from 0 to 60000.`);
      }
      out.latencyMs = v;
    } else if (k === 'operations') {
      if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string' || x.trim() === '')) {
        throw new SandboxInputError(`faults.${service}.operations must be a non-empty list of operation names as the request log writes them, e.g. ["SCIM POST /Users"].`);
      }
      out.operations = v as string[];
    } else if (k === 'limit') {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new SandboxInputError(`faults.${service}.limit must be a whole number of faults, 1 or more.`);
      out.limit = v;
    } else if ((RATE_KEYS as readonly string[]).includes(k)) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
        throw new SandboxInputError(`faults.${service}.${k} must be a fraction from 0 to 1 (1 = every request).`);
      }
      out[k as (typeof RATE_KEYS)[number]] = v;
    } else {
      throw new SandboxInputError(`faults.${service}.${k} is not a fault setting; use latencyMs, errorRate, throttleRate, dropRate, lostAnswerRate, operations or limit.`);
    }
  }
  return out;
}

/** Checks a {service: FaultSpec | null} map. */
export function parseFaults(raw: unknown): Partial<Record<ServiceName, FaultSpec | null>> {
  if (!isRecord(raw)) throw new SandboxInputError('faults must be a JSON object like {"okta": {"errorRate": 1}}.');
  const out: Partial<Record<ServiceName, FaultSpec | null>> = {};
  for (const [service, spec] of Object.entries(raw)) {
    if (!(SERVICES as readonly string[]).includes(service)) {
      throw new SandboxInputError(`"${service}" is not a sandbox service; use one of: ${SERVICES.join(', ')}.`);
    }
    out[service as ServiceName] = parseFaultSpec(service, spec);
  }
  return out;
}

export class FaultController {
  private readonly specs = new Map<ServiceName, FaultSpec>();

  constructor(
    initial?: Partial<Record<ServiceName, FaultSpec | null>>,
    private readonly random: () => number = Math.random,
  ) {
    if (initial) this.apply(initial);
  }

  /** Replaces the spec of every service named (null or {} clears it); others are kept. */
  apply(faults: Partial<Record<ServiceName, FaultSpec | null>>): void {
    for (const [service, spec] of Object.entries(faults) as [ServiceName, FaultSpec | null | undefined][]) {
      if (!spec || Object.keys(spec).length === 0) this.specs.delete(service);
      else this.specs.set(service, { ...spec });
    }
  }

  clear(): void {
    this.specs.clear();
  }

  current(): Partial<Record<ServiceName, FaultSpec>> {
    const out: Partial<Record<ServiceName, FaultSpec>> = {};
    for (const [k, v] of this.specs) out[k] = { ...v };
    return out;
  }

  /**
   * The fault for one request of `service`. `operation` names the request as the log does (asked only
   * when the spec lists operations).
   */
  decide(service: ServiceName, operation?: () => string): FaultDecision {
    const spec = this.specs.get(service);
    if (!spec) return { latencyMs: 0, action: undefined };
    if (spec.operations && !spec.operations.includes(operation?.() ?? '')) return { latencyMs: 0, action: undefined };
    const hit = (rate: number | undefined): boolean => rate !== undefined && rate > 0 && (rate >= 1 || this.random() < rate);
    let action: FaultDecision['action'];
    if (hit(spec.dropRate)) action = 'drop';
    else if (hit(spec.lostAnswerRate)) action = 'lost';
    else if (hit(spec.throttleRate)) action = 'throttle';
    else if (hit(spec.errorRate)) action = 'error';
    if (action && spec.limit !== undefined) {
      spec.limit -= 1;
      if (spec.limit <= 0) this.specs.delete(service);
    }
    return { latencyMs: spec.latencyMs ?? 0, action };
  }
}
