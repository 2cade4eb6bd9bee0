import type { V3ErrorDetail } from './reply.ts';

/** Where a request field was found, as WeChat's `detail.location` says it. */
export type FieldLocation = 'body' | 'query' | 'path';

/** A field that failed its rule: becomes a 400 PARAM_ERROR with this `detail`. */
export class FieldProblem extends Error {
  readonly detail: V3ErrorDetail & { field: string; issue: string; location: FieldLocation };
  constructor(detail: { field: string; value: unknown; issue: string; location: FieldLocation }) {
    super(`${detail.field} ${detail.issue}`);
    this.detail = detail;
  }
}

/** Where a value sits: the `field` WeChat reports (JSON pointer in a body, the name elsewhere). */
interface Site {
  field: string;
  location: FieldLocation;
}

/** A rule for one value; it returns the value (query integers parsed) or throws a {@link FieldProblem}. */
export interface FieldRule {
  readonly optional: boolean;
  check(value: unknown, site: Site): unknown;
}

export type Shape = Readonly<Record<string, FieldRule>>;

function problem(site: Site, value: unknown, issue: string): FieldProblem {
  return new FieldProblem({ field: site.field, value, issue, location: site.location });
}

function rule(check: FieldRule['check']): FieldRule {
  return { optional: false, check };
}

function codePoints(value: string): number {
  return [...value].length;
}

/** A non-empty string. */
export function text(rules: { maxLength?: number; pattern?: RegExp; patternName?: string } = {}): FieldRule {
  return rule((value, site) => {
    if (typeof value !== 'string') throw problem(site, value, '应为字符串');
    if (value === '') throw problem(site, value, '不能为空');
    if (rules.maxLength !== undefined && codePoints(value) > rules.maxLength) {
      throw problem(site, value, `长度不能超过 ${rules.maxLength} 个字符`);
    }
    if (rules.pattern && !rules.pattern.test(value)) {
      throw problem(site, value, `格式不正确，应为${rules.patternName ?? '规定格式'}`);
    }
    return value;
  });
}

/** A safe integer; in a query or path, its decimal digits. */
export function int(rules: { min?: number; max?: number } = {}): FieldRule {
  return rule((value, site) => {
    let number = value;
    if (site.location !== 'body' && typeof value === 'string' && /^-?\d{1,16}$/.test(value)) {
      number = Number(value);
    }
    if (typeof number !== 'number' || !Number.isSafeInteger(number)) throw problem(site, value, '应为整数');
    if (rules.min !== undefined && number < rules.min) throw problem(site, value, `不能小于 ${rules.min}`);
    if (rules.max !== undefined && number > rules.max) throw problem(site, value, `不能大于 ${rules.max}`);
    return number;
  });
}

export function bool(): FieldRule {
  return rule((value, site) => {
    if (typeof value !== 'boolean') throw problem(site, value, '应为布尔值 true 或 false');
    return value;
  });
}

/** One of a fixed set of strings (an enum). */
export function oneOf(values: readonly string[]): FieldRule {
  return rule((value, site) => {
    if (typeof value !== 'string' || !values.includes(value)) {
      throw problem(site, value, `应为以下值之一：${values.join(', ')}`);
    }
    return value;
  });
}

const rfc3339Shape = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 time with offset (`2026-11-24T10:34:56+08:00`). */
export function time(rules: { maxLength?: number } = {}): FieldRule {
  const maxLength = rules.maxLength ?? 64;
  return rule((value, site) => {
    if (
      typeof value !== 'string' ||
      value.length > maxLength ||
      !rfc3339Shape.test(value) ||
      Number.isNaN(Date.parse(value))
    ) {
      throw problem(site, value, '应为 RFC 3339 格式的时间，如 2026-11-24T10:34:56+08:00');
    }
    return value;
  });
}

export function list(item: FieldRule, rules: { minItems?: number; maxItems?: number } = {}): FieldRule {
  return rule((value, site) => {
    if (!Array.isArray(value)) throw problem(site, value, '应为数组');
    if (rules.minItems !== undefined && value.length < rules.minItems) {
      throw problem(site, value, `至少应有 ${rules.minItems} 项`);
    }
    if (rules.maxItems !== undefined && value.length > rules.maxItems) {
      throw problem(site, value, `最多只能有 ${rules.maxItems} 项`);
    }
    return value.map((entry, i) => item.check(entry, { ...site, field: `${site.field}/${i}` }));
  });
}

/** A nested JSON object; fields it does not name are ignored, as WeChat ignores them. */
export function record(shape: Shape): FieldRule {
  return rule((value, site) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw problem(site, value, '应为 JSON 对象');
    }
    return checkShape(shape, value as Record<string, unknown>, site.location, site.field);
  });
}

/** Any JSON object, passed through unchecked. */
export function anyRecord(): FieldRule {
  return rule((value, site) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw problem(site, value, '应为 JSON 对象');
    }
    return value;
  });
}

export function optional(inner: FieldRule): FieldRule {
  return { optional: true, check: inner.check };
}

/**
 * Checks every field of `shape` in order and returns the checked values (absent optional fields left out).
 * The first problem is thrown: WeChat reports one field at a time. `null` counts as present and wrong (the
 * APIv3 rules forbid null values).
 */
export function checkShape(
  shape: Shape,
  input: Record<string, unknown>,
  location: FieldLocation,
  prefix = '',
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, fieldRule] of Object.entries(shape)) {
    const site = { field: location === 'body' ? `${prefix}/${name}` : name, location };
    const value = input[name];
    if (value === undefined) {
      if (!fieldRule.optional) throw problem(site, value, '此字段为必填项');
      continue;
    }
    out[name] = fieldRule.check(value, site);
  }
  return out;
}

/** A field that passed its rule but breaks a rule across fields or the business rules. */
export function fieldProblem(field: string, value: unknown, issue: string, location: FieldLocation = 'body') {
  return new FieldProblem({ field, value, issue, location });
}
