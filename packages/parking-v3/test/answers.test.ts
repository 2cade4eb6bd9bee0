import { ApiError } from '@wxpark/core';
import { useSandbox } from '@wxpark/test-utils';
import { describe, expect, it } from 'vitest';
import type { ParkingEntryRequest } from '../src/index.ts';
import { lotIdOf, parkingEntry, v3Client } from './helpers.ts';

// Answers signed correctly by the sandbox, whose content the sandbox was told to change before signing.
const sandbox = await useSandbox();
const lotId = lotIdOf(sandbox);

function entry(extra: Partial<ParkingEntryRequest> = {}): ParkingEntryRequest {
  return parkingEntry(lotId, extra);
}

describe('APIv3 answers are checked after verification', () => {
  it('refuses a signed entry answer whose serial_number is a number, with the Request-ID', async () => {
    sandbox.overrideNextAnswer({ path: '/v3/parking/reminders/entry', set: { serial_number: 5 } });
    sandbox.clearRequests();
    const error = await v3Client(sandbox)
      .v3.parking.reminders.entry(entry())
      .catch((e: unknown) => e);
    expect(ApiError.isInstance(error)).toBe(true);
    const apiError = error as ApiError;
    expect(apiError.code).toBe('UNEXPECTED_RESPONSE');
    expect(apiError.protocol).toBe('v3');
    expect(apiError.requestId).toMatch(/\S/);
    expect(apiError.signatureVerified).toBe(true);
    expect(apiError.isRetryable).toBe(false);
    expect(apiError.message).toMatch(
      /reached WeChat Pay.*serial_number must be a string, received the number 5/,
    );
    expect(sandbox.requests).toHaveLength(1);
  });

  it('names the nested field of a lot answer that lost a required one', async () => {
    sandbox.overrideNextAnswer({ path: '/v3/parking/reminders/parking-lot', omit: ['enabled_state'] });
    const error = await v3Client(sandbox)
      .v3.parking.reminders['parking-lot']({ wx_parking_lot_id: lotId })
      .catch((e: unknown) => e);
    expect((error as ApiError).code).toBe('UNEXPECTED_RESPONSE');
    expect((error as ApiError).detail?.field).toBe('enabled_state');
  });

  it('passes an enabled_state WeChat added later, and keeps fields it does not know', async () => {
    sandbox.overrideNextAnswer({
      path: '/v3/parking/reminders/parking-lot',
      set: { enabled_state: 'ENABLED_STATE_SUSPENDED', parking_info_scv_url: 'https://lot.example/fee' },
    });
    const { data } = await v3Client(sandbox).v3.parking.reminders['parking-lot']({
      wx_parking_lot_id: lotId,
    });
    expect(data.enabled_state).toBe('ENABLED_STATE_SUSPENDED');
    expect((data as unknown as Record<string, unknown>).parking_info_scv_url).toBe('https://lot.example/fee');
  });
});
