/**
 * Values known to this run only, in process memory: the test user's password the test-user step
 * generated or was given, so that the verify step of the same run can sign in as that user
 * (init --sandbox --yes). Never written anywhere; gone when the process ends.
 */
const passwords = new Map<string, string>();

export function rememberTestUserPassword(login: string, password: string): void {
  passwords.set(login.toLowerCase(), password);
}

export function testUserPasswordOfThisRun(login: string): string | undefined {
  return passwords.get(login.toLowerCase());
}
