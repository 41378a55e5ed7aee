/** One parser for addresses and blocks everywhere (see ip.ts and cidr.ts for the rules). */
export * from './ip.js';
export * from './cidr.js';
export * from './validation.js';
