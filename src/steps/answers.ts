/** Moved to src/core/answers.ts (a lower layer the clients may import); kept for older imports. */
export * from '../core/answers.js';
