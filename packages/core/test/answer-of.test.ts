import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  answerOf,
  array,
  integer,
  openEnum,
  optional,
  runSchema,
  type SchemaOutput,
  text,
} from '../src/index.ts';

interface Fee {
  total_amount: number;
  /** 停车状态 (open). */
  parking_state: 'PARKING_STATE_ENTERED' | 'PARKING_STATE_EXITED' | (string & {});
  next_raise_price?: number;
  [field: string]: unknown;
}

const fee = answerOf<Fee>()({
  total_amount: integer(),
  parking_state: openEnum(['PARKING_STATE_ENTERED', 'PARKING_STATE_EXITED']),
  next_raise_price: optional(integer()),
});

const never = (build: () => unknown) => build;

describe('answerOf: answers checked, not rebuilt', () => {
  it('produces the answer interface', () => {
    expectTypeOf<SchemaOutput<typeof fee>>().toEqualTypeOf<Fee>();
  });

  it('hands back the very answer, unknown fields and new enum values included', () => {
    const answer = { total_amount: 500, parking_state: 'PARKING_STATE_TOWED', added_later: { a: 1 } };
    const checked = runSchema(fee, answer);
    expect(checked).toEqual({ ok: true, value: answer });
    expect(checked.ok && checked.value).toBe(answer);
  });

  it('refuses a missing or empty required field and a field of another type, naming each', () => {
    const checked = runSchema(fee, { parking_state: '', next_raise_price: '5' });
    expect(checked.ok ? [] : checked.issues.map((i) => i.path)).toEqual([
      'total_amount',
      'parking_state',
      'next_raise_price',
    ]);
  });

  it('names nested paths', () => {
    const list = answerOf<{ items: { id: string }[] }>()({
      items: array(answerOf<{ id: string }>()({ id: text() })),
    });
    const checked = runSchema(list, { items: [{ id: 'a' }, { id: 7 }] });
    expect(checked.ok ? [] : checked.issues.map((i) => i.path)).toEqual(['items[1].id']);
  });

  it('does not compile a missing rule, an extra one, an optionality mismatch or another output type', () => {
    never(() => [
      // @ts-expect-error: next_raise_price has no rule
      answerOf<Fee>()({ total_amount: integer(), parking_state: text() }),
      answerOf<Fee>()({
        total_amount: integer(),
        parking_state: text(),
        next_raise_price: optional(integer()),
        // @ts-expect-error: paid_amount is not a field Fee names
        paid_amount: integer(),
      }),
      // @ts-expect-error: next_raise_price is optional in Fee
      answerOf<Fee>()({ total_amount: integer(), parking_state: text(), next_raise_price: integer() }),
      answerOf<Fee>()({
        // @ts-expect-error: total_amount is a number
        total_amount: text(),
        parking_state: text(),
        next_raise_price: optional(integer()),
      }),
    ]);
  });
});
