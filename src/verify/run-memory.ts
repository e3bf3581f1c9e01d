/**
 * Values known to this run only, in process memory: the test user's password the test-user step
 * generated or was given, so that the verify step of the same run can sign in as that user
 * (init --sandbox --yes). Never written anywhere; gone when the process ends, and forgotten when a new
 * run starts in the same process (runCli calls forgetRunMemory first: in-process tests run many).
 */
const passwords = new Map<string, string>();

export function rememberTestUserPassword(login: string, password: string): void {
  passwords.set(login.toLowerCase(), password);
}

export function testUserPasswordOfThisRun(login: string): string | undefined {
  return passwords.get(login.toLowerCase());
}

let signInRequested = false;
let signInRows: import('./rows.js').HealthRow[] | undefined;

/** `verify --sign-in` asks the verify step to run the sign-in proof (it always does in the sandbox). */
export function requestSignIn(on: boolean): void {
  signInRequested = on;
}

export function isSignInRequested(): boolean {
  return signInRequested;
}

/** The rows of the sign-in proof the verify step ran in this process, for the health table. */
export function recordSignInRows(rows: import('./rows.js').HealthRow[]): void {
  signInRows = rows;
}

export function takeSignInRows(): import('./rows.js').HealthRow[] | undefined {
  const r = signInRows;
  signInRows = undefined;
  return r;
}

/** A new run starts: nothing from an earlier run in this process is known to it. */
export function forgetRunMemory(): void {
  passwords.clear();
  signInRequested = false;
  signInRows = undefined;
}
