import { describe, expect, it } from 'vitest';
import { createNonce } from '../src/index.ts';
import { expectCode } from './helpers.ts';

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

describe('createNonce', () => {
  it('makes 32 characters of [0-9A-Za-z] by default', () => {
    expect(createNonce()).toMatch(/^[0-9A-Za-z]{32}$/);
  });

  it('makes exactly the length asked for', () => {
    for (const length of [1, 12, 31, 32, 1024]) expect(createNonce(length)).toHaveLength(length);
  });

  it('does not repeat itself', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => createNonce()));
    expect(seen.size).toBe(1000);
  });

  it('uses every character about equally often (no modulo bias)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 600; i++) {
      for (const char of createNonce(1024)) counts.set(char, (counts.get(char) ?? 0) + 1);
    }
    expect([...counts.keys()].sort().join('')).toBe([...alphabet].sort().join(''));
    const values = [...counts.values()];
    // ~9900 expected per character (σ ≈ 100); `byte % 62` without rejection would give the first eight
    // characters about 25% more than the rest.
    expect(Math.max(...values) / Math.min(...values)).toBeLessThan(1.1);
  });

  it('refuses a length that is not an integer from 1 to 1024', () => {
    for (const length of [0, -1, 1.5, 1025, Number.NaN]) {
      expect(expectCode(() => createNonce(length), 'INVALID_ARGUMENT').message).toContain('length');
    }
  });
});
