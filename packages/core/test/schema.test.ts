import { describe, expect, it } from 'vitest';
import {
  array,
  discriminated,
  either,
  integer,
  object,
  oneOf,
  optional,
  refine,
  runSchema,
  string,
  toStandardSchema,
  transform,
} from '../src/schema.ts';
import { isCompactTime, isRfc3339 } from '../src/time.ts';

function issuesOf(result: ReturnType<typeof runSchema>) {
  return result.ok ? [] : result.issues;
}

describe('schema', () => {
  it('counts string length in characters, so a Chinese plate is 8 long, not 10 bytes', () => {
    const plate = string({ maxLength: 8 });
    expect(runSchema(plate, '粤B888888').ok).toBe(true);
    expect(runSchema(plate, '粤B8888889').ok).toBe(false);
    expect(runSchema(string({ maxLength: 2 }), '😀😀').ok).toBe(true);
  });

  it('refuses empty strings by default and non-strings always', () => {
    const s = string();
    expect(issuesOf(runSchema(s, ''))[0]?.expected).toBe('a non-empty string');
    expect(issuesOf(runSchema(s, 12))[0]?.received).toBe('the number 12');
    expect(issuesOf(runSchema(s, null))[0]?.received).toBe('null');
  });

  it('names the nested path of every refused field and collects them all', () => {
    const schema = object({
      scene_info: object({
        plate_number: string(),
        free_time: string({ pattern: /^\d+$/, patternName: 'digits' }),
      }),
      ids: array(integer({ min: 1 }), { maxItems: 3 }),
    });
    const issues = issuesOf(runSchema(schema, { scene_info: { free_time: '12a' }, ids: [1, 0, 2.5] }));
    expect(issues.map((i) => i.path)).toEqual([
      'scene_info.plate_number',
      'scene_info.free_time',
      'ids[1]',
      'ids[2]',
    ]);
  });

  it('refuses a hole in a sparse array at its index, and still checks the items around it', () => {
    const ids = array(integer({ min: 1 }));
    // biome-ignore lint/suspicious/noSparseArray: the hole is what is tested
    const issues = issuesOf(runSchema(ids, [1, , 0]));
    expect(issues.map((i) => [i.path, i.received])).toEqual([
      ['[1]', 'a hole in a sparse array'],
      ['[2]', 'the number 0'],
    ]);
    expect(runSchema(ids, [1, undefined, 3]).ok).toBe(false);
    expect(runSchema(ids, [1, 2, 3])).toEqual({ ok: true, value: [1, 2, 3] });
  });

  it('refuses a field it does not know instead of dropping it', () => {
    const issues = issuesOf(
      runSchema(object({ plate_number: string() }), { plate_number: 'A', plate_num: 'B' }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('plate_num');
    expect(issues[0]?.expected).toMatch(/not a field here/);
  });

  it('treats a field set to undefined as absent', () => {
    const schema = object({ a: string(), b: optional(string()) });
    expect(runSchema(schema, { a: 'x', b: undefined })).toEqual({ ok: true, value: { a: 'x' } });
  });

  it('picks the variant by its discriminant and refuses an unknown one at the discriminant', () => {
    const schema = discriminated('trade_scene', {
      PARKING: object({ trade_scene: string(), plate_number: string() }),
      'PARKING SPACE': object({ trade_scene: string(), space_number: string() }),
    });
    expect(runSchema(schema, { trade_scene: 'PARKING SPACE', space_number: 'B2-17' }).ok).toBe(true);
    expect(
      issuesOf(runSchema(schema, { trade_scene: 'PARKING SPACE', plate_number: 'A' })).map((i) => i.path),
    ).toEqual(['space_number', 'plate_number']);
    expect(issuesOf(runSchema(schema, { trade_scene: 'GARAGE' }))[0]).toMatchObject({
      path: 'trade_scene',
      expected: 'one of "PARKING", "PARKING SPACE"',
    });
  });

  it('reports the deeper miss of two alternatives', () => {
    const schema = either(object({ start_time: string() }), string());
    expect(issuesOf(runSchema(schema, { start_time: 5 }))[0]?.path).toBe('start_time');
    expect(issuesOf(runSchema(schema, 5))[0]?.expected).toBe('an object, or a non-empty string');
  });

  it('transforms only values that passed', () => {
    let calls = 0;
    const schema = transform(integer(), (n) => {
      calls++;
      return String(n);
    });
    expect(runSchema(schema, 7)).toEqual({ ok: true, value: '7' });
    expect(runSchema(schema, 'x').ok).toBe(false);
    expect(calls).toBe(1);
  });

  it('checks cross-field rules after the fields passed', () => {
    const schema = refine(object({ openid: optional(string()), plate_number: optional(string()) }), (v) =>
      v.openid || v.plate_number ? undefined : { path: 'openid', expected: 'openid or plate_number' },
    );
    expect(runSchema(schema, { plate_number: 'A' }).ok).toBe(true);
    expect(issuesOf(runSchema(schema, {}))[0]?.path).toBe('openid');
  });

  it('accepts only listed enum values and integers in range', () => {
    expect(runSchema(oneOf(['IN', 'OUT']), 'in').ok).toBe(false);
    expect(runSchema(integer({ min: 0 }), -1).ok).toBe(false);
    expect(runSchema(integer(), 2 ** 53).ok).toBe(false);
    expect(runSchema(integer(), 1720078200).ok).toBe(true);
  });

  it('refuses objects with a prototype other than Object', () => {
    class Entry {
      plate_number = 'A';
    }
    expect(runSchema(object({ plate_number: string() }), new Entry()).ok).toBe(false);
    expect(
      runSchema(object({ plate_number: string() }), Object.assign(Object.create(null), { plate_number: 'A' }))
        .ok,
    ).toBe(true);
  });
});

describe('toStandardSchema', () => {
  const rules = object({
    scene_info: object({ plate_number: string() }),
    ids: array(integer({ min: 1 })),
    start: transform(integer(), String),
  });

  it('answers the value as given (not its wire form) when it passes', () => {
    const value = { scene_info: { plate_number: '粤B1' }, ids: [1], start: 5 };
    const result = toStandardSchema(rules)['~standard'].validate(value);
    expect(result.issues).toBeUndefined();
    expect('value' in result && result.value).toBe(value);
  });

  it('turns each issue path into keys and array indexes', () => {
    const result = toStandardSchema(rules)['~standard'].validate({ scene_info: {}, ids: [1, 0], start: 'x' });
    expect(result.issues?.map((i) => i.path)).toEqual([
      ['scene_info', 'plate_number'],
      ['ids', 1],
      ['start'],
    ]);
    expect(result.issues?.[1]?.message).toBe(
      'ids[1] must be an integer of at least 1, received the number 0',
    );
  });
});

describe('calendar times', () => {
  it.each([
    ['2026-11-24T10:30:00+08:00', true],
    ['2028-02-29T00:00:00Z', true],
    ['2026-02-29T00:00:00+08:00', false],
    ['2026-02-30T10:00:00+08:00', false],
    ['2026-13-01T10:00:00+08:00', false],
    ['2026-11-24T24:00:00+08:00', false],
    ['2026-11-24T10:60:00+08:00', false],
    ['2026-11-24T10:30:00+24:00', false],
    ['2026-11-24T10:30:00', false],
  ])('isRfc3339(%s) is %s', (value, expected) => {
    expect(isRfc3339(value)).toBe(expected);
  });
  it.each([
    ['20261124103000', true],
    ['20260229103000', false],
    ['20261324103000', false],
    ['20261124993000', false],
    ['2026112410300', false],
  ])('isCompactTime(%s) is %s', (value, expected) => {
    expect(isCompactTime(value)).toBe(expected);
  });
});
