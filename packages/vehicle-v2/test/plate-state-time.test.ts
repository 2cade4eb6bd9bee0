import { describe, expect, it } from 'vitest';
import { type V2Notice, verifyV2Notice } from '../src/index.ts';
import { createTestV2Notice, testNoticeKeys } from '../src/testing.ts';

const apiKey = testNoticeKeys().v2ApiKey;

function plateState(fields: Record<string, string>) {
  const notice = verifyV2Notice(createTestV2Notice({ kind: 'plate-state', fields }).body, { apiKey });
  if (notice.kind !== 'plate-state') throw new Error(`expected a plate-state notice, got ${notice.kind}`);
  return notice;
}

describe('vehicle_event_createtime as a Date on plate-state notices', () => {
  it('reads yyyyMMddHHmmss as China time (UTC+8)', () => {
    const notice = plateState({ vehicle_event_createtime: '20261130120000' });
    expect(notice.eventTime?.toISOString()).toBe('2026-11-30T04:00:00.000Z');
    expect(notice.fields.vehicle_event_createtime).toBe('20261130120000');
  });

  it('leaves eventTime out when the time is absent or names no instant', () => {
    expect(plateState({ vehicle_event_createtime: '20261332250000' }).eventTime).toBeUndefined();
    expect(plateState({ vehicle_event_createtime: '2026-11-30' }).eventTime).toBeUndefined();
  });

  it('lets a gateway keep the latest state per plate when events arrive out of order', () => {
    const plate_number = '粤B12345';
    const newer = plateState({
      plate_number,
      vehicle_event_type: 'NORMAL',
      vehicle_event_createtime: '20261130120500',
    });
    const older = plateState({
      plate_number,
      vehicle_event_type: 'BLOCKED',
      vehicle_event_createtime: '20261130120000',
    });
    const latest = new Map<string, Extract<V2Notice, { kind: 'plate-state' }>>();
    for (const notice of [newer, older]) {
      const held = latest.get(notice.fields.plate_number);
      if (!held || (notice.eventTime && held.eventTime && notice.eventTime > held.eventTime)) {
        latest.set(notice.fields.plate_number, notice);
      }
    }
    expect(latest.get(plate_number)?.fields.vehicle_event_type).toBe('NORMAL');
  });
});
