import type { Io } from '../steps/contract.js';
import type { AwsClients } from './clients.js';
import { NotBuiltError } from '../errors.js';

/** Resolves AWS credentials (SDK default chain, --profile) and returns clients (AWS issue). */
export async function connectAws(_io: Io): Promise<AwsClients> {
  throw new NotBuiltError('preflight (AWS connection)');
}
