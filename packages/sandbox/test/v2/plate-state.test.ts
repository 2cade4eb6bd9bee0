import { merchantsOf, useSandbox } from '@wxpark/test-utils';
import { parseXml } from '@wxpark/xml';
import { describe, expect, it } from 'vitest';
import {
  callV2,
  parkingNotification,
  parkingScene,
  plateIn,
  startReceiver,
  successXml,
  verifies,
} from '../helpers.ts';

const sandbox = await useSandbox();
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;

async function enter(plate: string, notify_url?: string) {
  const { direct } = merchantsOf(sandbox);
  const scene_info = parkingScene(plate, notify_url ? { notify_url } : {});
  const answer = await callV2(
    sandbox,
    '/vehicle/pay/notification',
    { ...parkingNotification(direct, plate), scene_info },
    direct.v2ApiKey,
  );
  expect(answer.fields.result_code).toBe('SUCCESS');
}

describe('车牌状态变更通知', () => {
  it('reaches the notify_url of the last 用户入场通知, signed with the merchant key', async () => {
    receiver = await startReceiver();
    const { direct } = merchantsOf(sandbox);
    const plate = plateIn(sandbox, 'BLOCK');
    await enter(plate, receiver.url);

    const result = await sandbox.sendPlateStateNotice(plate, { vehicle_event_type: 'NORMAL' });
    expect(result).toEqual({ status: 200, body: successXml });

    const callback = await receiver.next();
    expect(callback.headers['content-type']).toBe('text/xml');
    const notice = parseXml(callback.body);
    expect(verifies(notice, direct.v2ApiKey)).toBe(true);
    expect(notice).toMatchObject({
      appid: direct.appId,
      mch_id: direct.mchId,
      sign_type: 'HMAC-SHA256',
      plate_number: plate,
      vehicle_event_type: 'NORMAL',
      deduct_mode: 'AUTOPAY',
    });
    expect(notice.vehicle_event_des).toBeUndefined();
    expect(notice.nonce_str).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(notice.vehicle_event_createtime).toMatch(/^20\d{12}$/);
  });

  it('writes vehicle_event_createtime in China time', async () => {
    receiver = await startReceiver();
    const plate = plateIn(sandbox, 'NORMAL');
    await enter(plate, receiver.url);
    const before = Date.now();
    await sandbox.sendPlateStateNotice(plate, { vehicle_event_type: 'NORMAL' });
    const stamp = parseXml((await receiver.next()).body).vehicle_event_createtime!;
    const [, y, mo, d, h, mi, s] = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(stamp)!.map(Number);
    const asUtc = Date.UTC(y!, mo! - 1, d!, h! - 8, mi!, s!);
    expect(Math.abs(asUtc - before)).toBeLessThan(5000);
  });

  it('says why a plate was BLOCKED, OVERDUE unless told otherwise', async () => {
    receiver = await startReceiver();
    const plate = plateIn(sandbox, 'NORMAL');
    await enter(plate, receiver.url);
    await sandbox.sendPlateStateNotice(plate, { vehicle_event_type: 'BLOCKED' });
    await sandbox.sendPlateStateNotice(plate, { vehicle_event_type: 'BLOCKED', vehicle_event_des: 'PAUSE' });
    const first = parseXml((await receiver.next()).body);
    const second = parseXml((await receiver.next()).body);
    expect([first.vehicle_event_des, second.vehicle_event_des]).toEqual(['OVERDUE', 'PAUSE']);
  });

  it('carries the sub-merchant when the entry came through the partner path', async () => {
    receiver = await startReceiver();
    const { provider } = merchantsOf(sandbox);
    const sub = provider.subMerchants![0]!;
    const plate = plateIn(sandbox, 'NORMAL');
    await callV2(
      sandbox,
      '/vehicle/partnerpay/notification',
      {
        ...parkingNotification(provider, plate),
        sub_mch_id: sub.subMchId,
        sub_appid: sub.subAppId,
        scene_info: parkingScene(plate, { notify_url: receiver.url }),
      },
      provider.v2ApiKey,
    );
    await sandbox.sendPlateStateNotice(plate, { vehicle_event_type: 'NORMAL' });
    const notice = parseXml((await receiver.next()).body);
    expect(notice).toMatchObject({
      mch_id: provider.mchId,
      sub_mch_id: sub.subMchId,
      sub_appid: sub.subAppId,
    });
    expect(verifies(notice, provider.v2ApiKey)).toBe(true);
  });

  it('resolves with whatever the merchant answered, FAIL included', async () => {
    receiver = await startReceiver(() => ({
      status: 200,
      body: '<xml><return_code>FAIL</return_code></xml>',
    }));
    const plate = plateIn(sandbox, 'NORMAL');
    await enter(plate, receiver.url);
    const result = await sandbox.sendPlateStateNotice(plate, { vehicle_event_type: 'NORMAL' });
    expect(result).toEqual({ status: 200, body: '<xml><return_code>FAIL</return_code></xml>' });
  });

  it('rejects when no 用户入场通知 gave the plate a notify_url', async () => {
    await expect(sandbox.sendPlateStateNotice('粤Z999999', { vehicle_event_type: 'NORMAL' })).rejects.toThrow(
      /no 用户入场通知 .* 粤Z999999/,
    );
    const plate = plateIn(sandbox, 'PAUSED');
    await enter(plate);
    await expect(sandbox.sendPlateStateNotice(plate, { vehicle_event_type: 'NORMAL' })).rejects.toThrow(
      /gave no scene_info\.notify_url/,
    );
  });

  it('rejects when the notify_url cannot be reached', async () => {
    receiver = await startReceiver();
    const deadUrl = receiver.url;
    await receiver.close();
    const plate = plateIn(sandbox, 'NORMAL');
    await enter(plate, deadUrl);
    await expect(sandbox.sendPlateStateNotice(plate, { vehicle_event_type: 'NORMAL' })).rejects.toThrow(
      /callback to .* failed/,
    );
  });
});
