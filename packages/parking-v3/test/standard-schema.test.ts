import { sValidator } from '@hono/standard-validator';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { useSandbox } from '@wxpark/test-utils';
import { Hono } from 'hono';
import { beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { type ParkingEntryRequest, type ParkingTransactionRequest, parkingV3 } from '../src/index.ts';
import { lotIdOf, parkingEntry, v3Client } from './helpers.ts';

const entryRules = parkingV3.routes['v3/parking/reminders/entry'].request;

const sandbox = await useSandbox();
const lotId = lotIdOf(sandbox);
beforeEach(() => sandbox.clearRequests());

function entry(extra: Partial<ParkingEntryRequest> = {}): ParkingEntryRequest {
  return parkingEntry(lotId, extra);
}

describe('route request schemas as Standard Schema v1', () => {
  it('is a Standard Schema v1 validator whose input and output are the request type', () => {
    expectTypeOf(entryRules).toExtend<StandardSchemaV1<ParkingEntryRequest, ParkingEntryRequest>>();
    expectTypeOf<StandardSchemaV1.InferInput<typeof entryRules>>().toEqualTypeOf<ParkingEntryRequest>();
    const transaction = parkingV3.routes['v3/vehicle/transactions/parking'].request;
    expectTypeOf<
      StandardSchemaV1.InferOutput<typeof transaction>
    >().toEqualTypeOf<ParkingTransactionRequest>();
    expect(entryRules['~standard']).toMatchObject({ version: 1, vendor: 'wxpark' });
  });

  it('gives a valid value back as given, and every problem with its message and path', () => {
    const valid = entry();
    const ok = entryRules['~standard'].validate(valid);
    expect(ok).toEqual({ value: valid });
    expect(ok.issues).toBeUndefined();

    const { parking_id: _dropped, ...rest } = valid;
    const bad = entryRules['~standard'].validate({
      ...rest,
      plate_color: 'RED',
      discount_template_id: [1, -2],
    });
    expect(bad.issues?.map((i) => i.path)).toEqual([
      ['parking_id'],
      ['plate_color'],
      ['discount_template_id', 1],
    ]);
    expect(bad.issues?.[1]?.message).toMatch(/^plate_color must be one of "PLATE_COLOR_UNKNOWN"/);
  });

  it('validates a Hono gate route with @hono/standard-validator, and the value it passes goes to WeChat as is', async () => {
    const client = v3Client(sandbox);
    const app = new Hono().post('/gate/entry', sValidator('json', entryRules), async (c) => {
      const data = c.req.valid('json');
      expectTypeOf(data).toEqualTypeOf<ParkingEntryRequest>();
      const answer = await client.v3.parking.reminders.entry(data);
      return c.json(answer.data);
    });

    const accepted = await app.request('/gate/entry', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(entry()),
    });
    expect(accepted.status).toBe(200);
    expect(((await accepted.json()) as { serial_number: string }).serial_number).toMatch(/\S/);
    expect(sandbox.requests).toHaveLength(1);

    const refused = await app.request('/gate/entry', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...entry(), plate_color: 'RED', parkingId: 'typo' }),
    });
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { success: boolean; error: StandardSchemaV1.Issue[] };
    expect(body.success).toBe(false);
    expect(body.error.map((i) => i.path)).toEqual([['plate_color'], ['parkingId']]);
    // Refused at the gate: nothing more reached WeChat.
    expect(sandbox.requests).toHaveLength(1);
  });
});
