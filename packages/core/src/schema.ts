import { describeValue } from '@wxpark/signer';
import type { ValidationIssue } from './errors.ts';
import { formatChinaRfc3339, isRfc3339 } from './time.ts';

/**
 * A run-time rule for one value, paired with the compile-time type it accepts (`In`) and what it turns the
 * value into for the wire (`Out`). Route packages build their request rules from these; the client runs them
 * before any network I/O.
 */
export interface Schema<In, Out = In> {
  /** What a valid value is, in words (used in error messages). */
  readonly expected: string;
  /** True when `undefined` (an absent field) is accepted. */
  readonly optional: boolean;
  /**
   * Checks `value` found at `path`; pushes every problem to `issues` and returns the wire value
   * (meaningless once an issue was pushed).
   */
  check(value: unknown, path: string, issues: ValidationIssue[]): Out;
  /** Compile-time only. */
  readonly __in?: In;
}

/** The accepted input type of a schema. */
export type SchemaInput<S> = S extends Schema<infer In, unknown> ? In : never;
/** The wire output type of a schema. */
export type SchemaOutput<S> = S extends Schema<unknown, infer Out> ? Out : never;

type AnySchema = Schema<unknown, unknown>;
type Shape = Readonly<Record<string, AnySchema>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K]['optional'] extends true ? K : never }[keyof S];
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type ObjectIn<S extends Shape> = Simplify<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: SchemaInput<S[K]> } & {
    [K in OptionalKeys<S>]?: SchemaInput<S[K]>;
  }
>;
type ObjectOut<S extends Shape> = Simplify<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: SchemaOutput<S[K]> } & {
    [K in OptionalKeys<S>]?: SchemaOutput<S[K]>;
  }
>;

function fail(issues: ValidationIssue[], path: string, expected: string, value: unknown): void {
  issues.push({ path, expected, received: describeValue(value) });
}

function make<In, Out>(expected: string, check: Schema<In, Out>['check']): Schema<In, Out> {
  return { expected, optional: false, check };
}

/** Rules for a string field. Lengths count characters (code points), as WeChat's field tables do. */
export interface StringRules {
  minLength?: number;
  maxLength?: number;
  pattern?: RegExp;
  /** Words for `pattern`, e.g. `14 digits (yyyyMMddHHmmss)`. */
  patternName?: string;
}

/** A string; by default a non-empty one. */
export function string(rules: StringRules = {}): Schema<string> {
  const minLength = rules.minLength ?? 1;
  const parts = ['a string'];
  if (rules.patternName) parts.push(`of ${rules.patternName}`);
  if (rules.maxLength !== undefined) parts.push(`of at most ${rules.maxLength} characters`);
  if (minLength > 1) parts.push(`of at least ${minLength} characters`);
  if (minLength === 1 && !rules.patternName) parts.splice(0, 1, 'a non-empty string');
  const expected = parts.join(' ');
  return make(expected, (value, path, issues) => {
    if (typeof value !== 'string') {
      fail(issues, path, expected, value);
      return '';
    }
    const length = countCodePoints(value);
    if (length < minLength || (rules.maxLength !== undefined && length > rules.maxLength)) {
      fail(issues, path, expected, value);
    } else if (rules.pattern && !rules.pattern.test(value)) {
      fail(issues, path, expected, value);
    }
    return value;
  });
}

function countCodePoints(value: string): number {
  let count = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) i++;
    count++;
  }
  return count;
}

/** One of a fixed set of strings. */
export function oneOf<const T extends readonly string[]>(values: T): Schema<T[number]> {
  const expected = `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  const allowed = new Set<string>(values);
  return make(expected, (value, path, issues) => {
    if (typeof value !== 'string' || !allowed.has(value)) fail(issues, path, expected, value);
    return value as T[number];
  });
}

/** A safe integer within bounds. */
export function integer(rules: { min?: number; max?: number } = {}): Schema<number> {
  const { min, max } = rules;
  const bounds =
    min !== undefined && max !== undefined
      ? ` from ${min} to ${max}`
      : min !== undefined
        ? ` of at least ${min}`
        : max !== undefined
          ? ` of at most ${max}`
          : '';
  const expected = `an integer${bounds}`;
  return make(expected, (value, path, issues) => {
    if (
      typeof value !== 'number' ||
      !Number.isSafeInteger(value) ||
      (rules.min !== undefined && value < rules.min) ||
      (rules.max !== undefined && value > rules.max)
    ) {
      fail(issues, path, expected, value);
    }
    return value as number;
  });
}

/** A boolean. */
export function boolean(): Schema<boolean> {
  return make('a boolean', (value, path, issues) => {
    if (typeof value !== 'boolean') fail(issues, path, 'a boolean', value);
    return value as boolean;
  });
}

/** An array whose every item passes `item`. */
export function array<In, Out>(
  item: Schema<In, Out>,
  rules: { minItems?: number; maxItems?: number } = {},
): Schema<In[], Out[]> {
  const size = [
    rules.minItems === undefined ? '' : ` of at least ${rules.minItems}`,
    rules.maxItems === undefined ? '' : ` of at most ${rules.maxItems}`,
  ].join('');
  const expected = `an array${size} of ${item.expected}`;
  return make(expected, (value, path, issues) => {
    if (
      !Array.isArray(value) ||
      (rules.minItems !== undefined && value.length < rules.minItems) ||
      (rules.maxItems !== undefined && value.length > rules.maxItems)
    ) {
      fail(issues, path, expected, value);
      return [];
    }
    const out: Out[] = [];
    for (let index = 0; index < value.length; index++) {
      // A hole ([1, , 3]) is neither a value nor an absent field: JSON.stringify would send it as null.
      if (!Object.hasOwn(value, index)) {
        issues.push({
          path: `${path}[${index}]`,
          expected: `an item: ${item.expected}`,
          received: 'a hole in a sparse array',
        });
        continue;
      }
      out.push(item.check(value[index], `${path}[${index}]`, issues));
    }
    return out;
  });
}

/** Accepts `undefined` (the field may be left out) besides what `schema` accepts. */
export function optional<In, Out>(
  schema: Schema<In, Out>,
): Schema<In | undefined, Out | undefined> & {
  readonly optional: true;
} {
  return {
    expected: schema.expected,
    optional: true,
    check: (value, path, issues) => (value === undefined ? undefined : schema.check(value, path, issues)),
  };
}

/** Turns a checked value into its wire form (only called when the value passed). */
export function transform<In, Out, Wire>(
  schema: Schema<In, Out>,
  map: (value: Out) => Wire,
): Schema<In, Wire> {
  return {
    expected: schema.expected,
    optional: schema.optional,
    check(value, path, issues) {
      const before = issues.length;
      const checked = schema.check(value, path, issues);
      return (issues.length === before ? map(checked) : undefined) as Wire;
    },
  };
}

/** Accepts the first of several schemas that passes; reports `expected` when none does. */
export function either<A extends AnySchema, B extends AnySchema>(
  first: A,
  second: B,
): Schema<SchemaInput<A> | SchemaInput<B>, SchemaOutput<A> | SchemaOutput<B>> {
  const expected = `${first.expected}, or ${second.expected}`;
  return make(expected, (value, path, issues) => {
    const firstIssues: ValidationIssue[] = [];
    const out = first.check(value, path, firstIssues);
    if (firstIssues.length === 0) return out as SchemaOutput<A>;
    const secondIssues: ValidationIssue[] = [];
    const fallback = second.check(value, path, secondIssues);
    if (secondIssues.length === 0) return fallback as SchemaOutput<B>;
    // Report the closer miss: the branch whose type matched goes deeper than a bare type mismatch.
    const closer = firstIssues.some((i) => i.path !== path)
      ? firstIssues
      : secondIssues.some((i) => i.path !== path)
        ? secondIssues
        : null;
    if (closer) issues.push(...closer);
    else fail(issues, path, expected, value);
    return undefined as SchemaOutput<A>;
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * An object with exactly these fields. Unknown fields are refused (a misspelt field would otherwise be
 * silently dropped); fields left `undefined` count as absent.
 */
export function object<S extends Shape>(shape: S): Schema<ObjectIn<S>, ObjectOut<S>> {
  const keys = Object.keys(shape);
  const known = new Set(keys);
  const expected = 'an object';
  return make(expected, (value, path, issues) => {
    const out: Record<string, unknown> = {};
    if (!isPlainObject(value)) {
      fail(issues, path, expected, value);
      return out as ObjectOut<S>;
    }
    for (const key of keys) {
      const field = value[key];
      const rule = shape[key]!;
      if (field === undefined && !rule.optional) {
        fail(issues, join(path, key), `present: ${rule.expected}`, field);
        continue;
      }
      const result = rule.check(field, join(path, key), issues);
      if (result !== undefined) out[key] = result;
    }
    for (const key of Object.keys(value)) {
      if (!known.has(key) && value[key] !== undefined) {
        issues.push({
          path: join(path, key),
          expected: `absent: not a field here (known: ${keys.join(', ')})`,
          received: describeValue(value[key]),
        });
      }
    }
    return out as ObjectOut<S>;
  });
}

/**
 * An object whose shape depends on one string field (`trade_scene`, `event_type`, …): the matching variant's
 * rules apply, and the discriminant itself must be one of the variants' keys.
 */
export function discriminated<K extends string, M extends Readonly<Record<string, AnySchema>>>(
  key: K,
  variants: M,
): Schema<{ [V in keyof M]: SchemaInput<M[V]> }[keyof M], { [V in keyof M]: SchemaOutput<M[V]> }[keyof M]> {
  const names = Object.keys(variants);
  const expected = `an object whose ${key} is one of ${names.map((n) => JSON.stringify(n)).join(', ')}`;
  return make(expected, (value, path, issues) => {
    if (!isPlainObject(value)) {
      fail(issues, path, expected, value);
      return undefined as never;
    }
    const tag = value[key];
    const variant = typeof tag === 'string' && Object.hasOwn(variants, tag) ? variants[tag] : undefined;
    if (!variant) {
      fail(issues, join(path, key), `one of ${names.map((n) => JSON.stringify(n)).join(', ')}`, tag);
      return undefined as never;
    }
    return variant.check(value, path, issues) as never;
  });
}

/** Runs `schema` and returns its wire value, or the issues found. */
export function runSchema<In, Out>(
  schema: Schema<In, Out>,
  value: unknown,
): { ok: true; value: Out } | { ok: false; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const out = schema.check(value, '', issues);
  return issues.length === 0 ? { ok: true, value: out } : { ok: false, issues };
}

/**
 * Adds a rule across fields (e.g. "openid or plate_number"). `rule` returns the problem, or nothing when the
 * value is fine; it only runs when the value passed `schema`.
 */
export function refine<In, Out>(
  schema: Schema<In, Out>,
  rule: (value: Out) => { path: string; expected: string; received?: string } | undefined,
): Schema<In, Out> {
  return {
    expected: schema.expected,
    optional: schema.optional,
    check(value, path, issues) {
      const before = issues.length;
      const out = schema.check(value, path, issues);
      if (issues.length === before) {
        const problem = rule(out);
        if (problem) {
          issues.push({
            path: path && problem.path ? `${path}.${problem.path}` : path || problem.path,
            expected: problem.expected,
            received: problem.received ?? 'nothing',
          });
        }
      }
      return out;
    },
  };
}

/** An RFC 3339 time with an offset, or a `Date` (written in China time, +08:00), as APIv3 times are. */
export function rfc3339(rules: { maxLength?: number } = {}): Schema<string | Date, string> {
  const maxLength = rules.maxLength ?? 64;
  const expected = 'a Date or an RFC 3339 time with offset (2026-11-24T10:34:56+08:00)';
  return make(expected, (value, path, issues) => {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return formatChinaRfc3339(value);
    if (typeof value === 'string' && value.length <= maxLength && isRfc3339(value)) return value;
    issues.push({ path, expected, received: describeValue(value) });
    return '';
  });
}

/** True when `A` and `B` accept each other (the field's type and the rule's type agree both ways). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** What a rule whose type disagrees with its field must become: nothing a rule can be, so it fails to compile. */
interface RuleMismatch<Field> {
  readonly 'objectOf: this rule does not accept exactly the field type (check optional())': Field;
}

/**
 * The rules `objectOf<T>()` requires: a rule for every key of `T` (`optional(…)` exactly where the key is
 * optional), whose accepted type is the field's type, and no rule for a key `T` does not have.
 */
type RulesFor<T, S> = {
  [K in keyof S]: K extends keyof T ? (Agrees<T, K, S[K]> extends true ? S[K] : RuleMismatch<T[K]>) : never;
} & { [K in Exclude<keyof T, keyof S>]-?: Schema<T[K], unknown> };

type IsOptionalKey<T, K extends keyof T> = Partial<Pick<T, K>> extends Pick<T, K> ? true : false;
type IsOptionalRule<R> = R extends { readonly optional: true } ? true : false;
/** A rule agrees with field `K` of `T` when both are optional or both required, and accept the same type. */
type Agrees<T, K extends keyof T, R> =
  Same<IsOptionalKey<T, K>, IsOptionalRule<R>> extends true
    ? Same<Exclude<SchemaInput<R>, undefined>, Exclude<T[K], undefined>>
    : false;

/**
 * An object schema written from its interface: the interface `T` stays the source of truth (it carries the
 * field docs users read), and the compiler checks the rules against it both ways: a rule for every field,
 * `optional(…)` exactly where the field is optional, the same accepted type, and no rule for a field `T`
 * does not have. At run time it is {@link object}: unknown fields are refused.
 *
 * @example
 * ```ts
 * interface Entry { plate_number: string; entrance_name?: string }
 * const entry = objectOf<Entry>()({
 *   plate_number: string({ maxLength: 16 }),
 *   entrance_name: optional(string({ maxLength: 64 })),
 * });
 * ```
 */
export function objectOf<T extends object>() {
  // The parameter type proved, field by field, that the rules accept exactly T: name it so.
  return <const S extends Shape>(shape: S & NoInfer<RulesFor<T, S>>): Schema<T, ObjectOut<S>> =>
    object(shape) as unknown as Schema<T, ObjectOut<S>>;
}

/**
 * A {@link discriminated} schema written from its union type: one variant per value of `T[K]`, each
 * accepting exactly the members of `T` with that value (build them with {@link objectOf}).
 */
export function discriminatedOf<T extends object>() {
  return <K extends keyof T & string, const M extends Readonly<Record<string, AnySchema>>>(
    key: K,
    variants: M &
      NoInfer<
        {
          [V in keyof M]: V extends T[K]
            ? Same<SchemaInput<M[V]>, Extract<T, Record<K, V>>> extends true
              ? M[V]
              : RuleMismatch<Extract<T, Record<K, V>>>
            : never;
        } & {
          [V in Exclude<T[K] & string, keyof M>]-?: Schema<Extract<T, Record<K, V>>, unknown>;
        }
      >,
  ): Schema<T, { [V in keyof M]: SchemaOutput<M[V]> }[keyof M]> =>
    discriminated(key, variants) as unknown as Schema<T, { [V in keyof M]: SchemaOutput<M[V]> }[keyof M]>;
}

/** `T` without its index signature: the fields an interface names. */
type Named<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };
type AnswerAgrees<T, K extends keyof T, R> =
  Same<IsOptionalKey<T, K>, IsOptionalRule<R>> extends true
    ? Same<Exclude<SchemaOutput<R>, undefined>, Exclude<T[K], undefined>>
    : false;
type AnswerRulesFor<T, S> = {
  [K in keyof S]: K extends keyof Named<T>
    ? AnswerAgrees<Named<T>, K, S[K]> extends true
      ? S[K]
      : RuleMismatch<Named<T>[K]>
    : never;
} & { [K in Exclude<keyof Named<T>, keyof S>]-?: Schema<unknown, Named<T>[K]> };

/**
 * The run-time check of an answer (or a nested object in one), written from its interface `T`: a rule for
 * every field `T` names, `optional(…)` exactly where the field is optional, producing the field's type.
 * Unlike {@link objectOf} it keeps fields it does not know (WeChat adds fields) and hands back the value
 * itself; a required field that is absent or an empty string is refused.
 *
 * @example
 * ```ts
 * const entryAnswer = answerOf<ParkingEntryResponse>()({ serial_number: text() });
 * ```
 */
export function answerOf<T extends object>() {
  return <const S extends Shape>(shape: S & NoInfer<AnswerRulesFor<T, S>>): Schema<unknown, T> => {
    const keys = Object.keys(shape);
    return make('an object', (value, path, issues) => {
      if (!isPlainObject(value)) {
        fail(issues, path, 'an object', value);
        return value as T;
      }
      for (const key of keys) {
        const field = value[key];
        const rule = (shape as Shape)[key]!;
        if (field === undefined || field === '') {
          if (!rule.optional) fail(issues, join(path, key), `present: ${rule.expected}`, field);
          continue;
        }
        rule.check(field, join(path, key), issues);
      }
      return value as T;
    });
  };
}

/** Any string, empty included: answer text WeChat does not promise a shape for. */
export function text(): Schema<unknown, string> {
  return make('a string', (value, path, issues) => {
    if (typeof value !== 'string') fail(issues, path, 'a string', value);
    return value as string;
  });
}

/**
 * A string answer field with documented values, open to values WeChat adds later: any string passes and is
 * typed as one of `values` or another string.
 */
export function openEnum<const T extends readonly string[]>(
  values: T,
): Schema<unknown, T[number] | (string & {})> {
  const expected = `a string (documented: ${values.join(', ')})`;
  return make(expected, (value, path, issues) => {
    if (typeof value !== 'string') fail(issues, path, expected, value);
    return value as T[number];
  });
}

/** Any JSON object, kept as it is: nested answer data the SDK passes through unchecked. */
export function anyObject(): Schema<unknown, Record<string, unknown>> {
  return make('an object', (value, path, issues) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      fail(issues, path, 'an object', value);
    return value as Record<string, unknown>;
  });
}

/** One problem in a Standard Schema result: what is wrong, and where (keys and array indexes). */
export interface StandardIssue {
  readonly message: string;
  readonly path?: readonly PropertyKey[];
}

/** A Standard Schema result: the value, or the problems found. */
export type StandardResult<T> =
  | { readonly value: T; readonly issues?: undefined }
  | { readonly issues: readonly StandardIssue[] };

/**
 * A validator in the Standard Schema v1 shape (https://standardschema.dev), which Hono's
 * `@hono/standard-validator`, tRPC, Fastify and others accept. The type is written out here, as the spec
 * invites, so the packages carry no dependency for it.
 */
export interface StandardSchema<T> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: 'wxpark';
    /** Checks `value` with the SDK's own rules; a valid value comes back as given. */
    readonly validate: (value: unknown) => StandardResult<T>;
    /** Compile-time only. */
    readonly types?: { readonly input: T; readonly output: T } | undefined;
  };
}

/** `scene_info(json).scene_info.plate_number` or `ids[2]` as path segments. */
function pathSegments(path: string): PropertyKey[] {
  const segments: PropertyKey[] = [];
  for (const [, key, index] of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (index !== undefined) segments.push(Number(index));
    // `(json)` marks text that was parsed as JSON; the field is the same one.
    else if (key !== undefined) segments.push(key.replace(/\(json\)$/, ''));
  }
  return segments;
}

/**
 * The same rules as a Standard Schema v1 validator. A valid value comes back unchanged (not in its wire
 * form), so it can be handed to the client call, which checks it again.
 */
export function toStandardSchema<In>(schema: Schema<In, unknown>): StandardSchema<In> {
  return {
    '~standard': {
      version: 1,
      vendor: 'wxpark',
      validate(value) {
        const checked = runSchema(schema, value);
        if (checked.ok) return { value: value as In };
        return {
          issues: checked.issues.map((issue) => ({
            message: `${issue.path || 'value'} must be ${issue.expected}, received ${issue.received}`,
            path: pathSegments(issue.path),
          })),
        };
      },
    },
  };
}
