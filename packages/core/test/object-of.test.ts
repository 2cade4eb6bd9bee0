import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  discriminatedOf,
  integer,
  objectOf,
  oneOf,
  optional,
  runSchema,
  type SchemaInput,
  string,
} from '../src/index.ts';

interface Entry {
  /** 车牌号. */
  plate_number: string;
  /** 停车场入口名称. */
  entrance_name?: string;
  enter_timestamp: number;
}

type Stay =
  | { trade_scene: 'PARKING'; plate_number: string }
  | { trade_scene: 'PARKING SPACE'; space_number: string };

// The @ts-expect-error lines are the test: `pnpm typecheck` fails when one of them compiles.
const never = (build: () => unknown) => build;

describe('objectOf: rules checked against the interface both ways', () => {
  it('accepts rules that match the interface and takes the interface as its input type', () => {
    const entry = objectOf<Entry>()({
      plate_number: string({ maxLength: 16 }),
      entrance_name: optional(string({ maxLength: 64 })),
      enter_timestamp: integer({ min: 1 }),
    });
    expectTypeOf<SchemaInput<typeof entry>>().toEqualTypeOf<Entry>();
    expect(runSchema(entry, { plate_number: '粤B1', enter_timestamp: 1 }).ok).toBe(true);
    // Unknown fields are refused at run time as by object().
    expect(runSchema(entry, { plate_number: '粤B1', enter_timestamp: 1, entrance: 'A' }).ok).toBe(false);
  });

  it('does not compile a missing rule, an extra rule, an optionality mismatch or a different type', () => {
    never(() => [
      // @ts-expect-error: entrance_name has no rule
      objectOf<Entry>()({ plate_number: string(), enter_timestamp: integer() }),
      objectOf<Entry>()({
        plate_number: string(),
        entrance_name: optional(string()),
        enter_timestamp: integer(),
        // @ts-expect-error: exit_timestamp is not a field of Entry
        exit_timestamp: integer(),
      }),
      // @ts-expect-error: entrance_name is optional in Entry, so its rule must be optional(…)
      objectOf<Entry>()({ plate_number: string(), entrance_name: string(), enter_timestamp: integer() }),
      objectOf<Entry>()({
        // @ts-expect-error: plate_number is required in Entry, so its rule must not be optional(…)
        plate_number: optional(string()),
        entrance_name: optional(string()),
        enter_timestamp: integer(),
      }),
      objectOf<Entry>()({
        plate_number: string(),
        entrance_name: optional(string()),
        // @ts-expect-error: enter_timestamp is a number, not a string
        enter_timestamp: string(),
      }),
      // @ts-expect-error: the rule accepts fewer values than the field allows
      objectOf<{ state: 'IN' | 'OUT' }>()({ state: oneOf(['IN']) }),
    ]);
  });
});

describe('discriminatedOf: one variant per value of the discriminant', () => {
  const parking = objectOf<Extract<Stay, { trade_scene: 'PARKING' }>>()({
    trade_scene: oneOf(['PARKING']),
    plate_number: string(),
  });
  const space = objectOf<Extract<Stay, { trade_scene: 'PARKING SPACE' }>>()({
    trade_scene: oneOf(['PARKING SPACE']),
    space_number: string(),
  });

  it('takes the union as its input type and picks the variant at run time', () => {
    const stay = discriminatedOf<Stay>()('trade_scene', { PARKING: parking, 'PARKING SPACE': space });
    expectTypeOf<SchemaInput<typeof stay>>().toEqualTypeOf<Stay>();
    expect(runSchema(stay, { trade_scene: 'PARKING SPACE', space_number: 'B2-17' }).ok).toBe(true);
    expect(runSchema(stay, { trade_scene: 'PARKING SPACE', plate_number: '粤B1' }).ok).toBe(false);
  });

  it('does not compile a missing variant, an extra one, or a variant for another member', () => {
    never(() => [
      // @ts-expect-error: no variant for PARKING SPACE
      discriminatedOf<Stay>()('trade_scene', { PARKING: parking }),
      // @ts-expect-error: GARAGE is not a trade_scene of Stay
      discriminatedOf<Stay>()('trade_scene', { PARKING: parking, 'PARKING SPACE': space, GARAGE: space }),
      // @ts-expect-error: the PARKING variant accepts the PARKING SPACE member
      discriminatedOf<Stay>()('trade_scene', { PARKING: space, 'PARKING SPACE': space }),
    ]);
  });
});
