/** Moved to src/core/validators.ts (a lower layer the answer catalog may import); kept for older imports. */
export * from '../core/validators.js';
