import { ApiError } from '@wxpark/core';
import { clientFor, merchantsOf, useSandbox } from '@wxpark/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { vehicleV2 } from '../src/index.ts';
import { parkingEntry } from './entries.ts';

// Answers signed correctly by the sandbox, whose content the sandbox was told to change before signing.
const sandbox = await useSandbox();
beforeEach(() => sandbox.clearRequests());

function direct() {
  return merchantsOf(sandbox).direct;
}
function client() {
  return clientFor(sandbox, [vehicleV2]);
}
function entry() {
  const plate = sandbox.config.vehicleUsers.find((u) => u.plate_number && u.user_state === 'NORMAL')!;
  return parkingEntry(direct(), plate.plate_number!);
}

describe('APIv2 answers are checked after verification', () => {
  it('refuses a correctly signed 用户入场通知 answer without user_state as UNEXPECTED_RESPONSE, sent once', async () => {
    sandbox.overrideNextAnswer({ path: '/vehicle/pay/notification', omit: ['user_state'] });
    const error = await client()
      .v2.vehicle.pay.notification(entry())
      .catch((e: unknown) => e);
    expect(ApiError.isInstance(error)).toBe(true);
    const apiError = error as ApiError;
    expect(apiError.code).toBe('UNEXPECTED_RESPONSE');
    expect(apiError.signatureVerified).toBe(true);
    expect(apiError.isRetryable).toBe(false);
    expect(apiError.status).toBe(200);
    expect(apiError.path).toBe('/vehicle/pay/notification');
    expect(apiError.message).toMatch(/reached WeChat Pay/);
    expect(apiError.message).toMatch(/user_state must be present/);
    expect(apiError.hint).toMatch(/query/);
    expect(apiError.detail).toMatchObject({ field: 'user_state', location: 'answer' });
    // The call took effect at WeChat: it is reported, never sent again.
    expect(sandbox.requests).toHaveLength(1);
  });

  it('refuses a required field that came back empty', async () => {
    sandbox.overrideNextAnswer({ path: '/vehicle/pay/notification', set: { mch_id: '' } });
    const error = await client()
      .v2.vehicle.pay.notification(entry())
      .catch((e: unknown) => e);
    expect((error as ApiError).code).toBe('UNEXPECTED_RESPONSE');
    expect((error as ApiError).detail?.field).toBe('mch_id');
  });

  it('passes a user_state WeChat added later as a string, and keeps fields it does not know', async () => {
    sandbox.overrideNextAnswer({
      path: '/vehicle/pay/notification',
      set: { user_state: 'SUSPENDED', deduct_mode: 'SOMETHING_NEW', promotion_hint: '新字段' },
    });
    const { data } = await client().v2.vehicle.pay.notification(entry());
    expect(data.user_state).toBe('SUSPENDED');
    expect(data.deduct_mode).toBe('SOMETHING_NEW');
    expect(data.promotion_hint).toBe('新字段');
  });
});
