/** Moved to src/core/outputs.ts (a lower layer the clients may import); kept for older imports. */
export * from '../core/outputs.js';
