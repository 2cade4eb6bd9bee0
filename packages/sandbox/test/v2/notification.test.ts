import { merchantsOf } from '@wxpark/test-utils';
import { buildXml } from '@wxpark/xml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/index.ts';
import {
  callV2,
  type Fields,
  independentHmacSign,
  parkingNotification,
  parkingScene,
  plateIn,
  postXml,
  signedXml,
  verifies,
} from '../helpers.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

const path = '/vehicle/pay/notification';

/** Sends a 用户入场通知 with `fields`, signed with the direct merchant's key. */
function enter(fields: Fields) {
  return callV2(sandbox, path, fields, merchantsOf(sandbox).direct.v2ApiKey);
}

describe('用户入场通知 (direct merchant)', () => {
  it('answers SUCCESS for a known plate, signed with HMAC-SHA256 and the merchant key', async () => {
    const { direct } = merchantsOf(sandbox);
    const answer = await enter(parkingNotification(direct, plateIn(sandbox, 'NORMAL')));
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('text/xml; charset=utf-8');
    expect(answer.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'SUCCESS',
      appid: direct.appId,
      mch_id: direct.mchId,
      user_state: 'NORMAL',
      deduct_mode: 'AUTOPAY',
    });
    expect(answer.fields.nonce_str).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(answer.fields.sign_type).toBeUndefined();
    expect(verifies(answer.fields, direct.v2ApiKey)).toBe(true);
    expect(answer.fields.sign).toBe(independentHmacSign(answer.fields, direct.v2ApiKey));
  });

  it('answers BLOCK for a plate in arrears', async () => {
    const { direct } = merchantsOf(sandbox);
    const answer = await enter(parkingNotification(direct, plateIn(sandbox, 'BLOCK')));
    expect(answer.fields).toMatchObject({ result_code: 'SUCCESS', user_state: 'BLOCK' });
    expect(verifies(answer.fields, direct.v2ApiKey)).toBe(true);
  });

  it('answers BLOCK for a paused or unauthorised plate, the only other state this API knows', async () => {
    const { direct } = merchantsOf(sandbox);
    for (const state of ['PAUSED', 'UNAUTHORIZED']) {
      const answer = await enter(parkingNotification(direct, plateIn(sandbox, state)));
      expect(answer.fields.user_state).toBe('BLOCK');
    }
  });

  it('answers a signed INVALID_REQUEST for a plate without the car-owner service', async () => {
    const { direct } = merchantsOf(sandbox);
    const answer = await enter(parkingNotification(direct, '粤Z000000'));
    expect(answer.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'FAIL',
      err_code: 'INVALID_REQUEST',
      err_code_des: '车牌未开通车主服务',
    });
    expect(verifies(answer.fields, direct.v2ApiKey)).toBe(true);
  });

  it('finds the car owner by openid in the PARKING SPACE scene', async () => {
    const { direct } = merchantsOf(sandbox);
    const user = sandbox.config.vehicleUsers.find((u) => u.openid && u.user_state === 'NORMAL')!;
    const scene = (openid: string) =>
      JSON.stringify({
        scene_info: { start_time: '20261124103000', free_time: '600', space_number: 'B2-017', openid },
      });
    const fields = { ...parkingNotification(direct, ''), version: '2.0', trade_scene: 'PARKING SPACE' };
    const known = await enter({ ...fields, scene_info: scene(user.openid!) });
    expect(known.fields).toMatchObject({ result_code: 'SUCCESS', user_state: 'NORMAL' });
    const unknown = await enter({ ...fields, scene_info: scene('oUnknownUser') });
    expect(unknown.fields).toMatchObject({ result_code: 'FAIL', err_code: 'INVALID_REQUEST' });
  });

  it('accepts PARKING SPACE without openid or sub_openid, which every source lists as optional', async () => {
    // The exact call wechatpay-axios-plugin failed on: a space, no user named.
    const { direct, provider } = merchantsOf(sandbox);
    const scene_info = JSON.stringify({
      scene_info: { start_time: '20261124103000', free_time: '600', space_number: 'B2-017' },
    });
    const direct_ = { ...parkingNotification(direct, ''), version: '2.0', trade_scene: 'PARKING SPACE' };
    const answer = await enter({ ...direct_, scene_info });
    expect(answer.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'SUCCESS',
      user_state: 'NORMAL',
    });
    expect(verifies(answer.fields, direct.v2ApiKey)).toBe(true);
    const sub = provider.subMerchants![0]!;
    const partner = await callV2(
      sandbox,
      '/vehicle/partnerpay/notification',
      {
        ...parkingNotification(provider, ''),
        sub_mch_id: sub.subMchId,
        version: '3.0',
        trade_scene: 'PARKING SPACE',
        scene_info,
      },
      provider.v2ApiKey,
    );
    expect(partner.fields).toMatchObject({ result_code: 'SUCCESS', user_state: 'NORMAL' });
  });

  it('takes version 3.0 for PARKING and 2.0 or 3.0 for PARKING SPACE, as the official pages give them', async () => {
    const { direct } = merchantsOf(sandbox);
    const plate = plateIn(sandbox, 'NORMAL');
    const parking = (version: string) => enter({ ...parkingNotification(direct, plate), version });
    expect((await parking('3.0')).fields.result_code).toBe('SUCCESS');
    expect((await parking('2.0')).fields).toMatchObject({
      result_code: 'FAIL',
      err_code: 'PARAM_ERROR',
      err_code_des: 'version 取值错误，PARKING 场景应为 3.0',
    });
    const space = (version: string) =>
      enter({
        ...parkingNotification(direct, ''),
        version,
        trade_scene: 'PARKING SPACE',
        scene_info: JSON.stringify({
          scene_info: { start_time: '20261124103000', free_time: '600', space_number: 'B2-017' },
        }),
      });
    expect((await space('2.0')).fields.result_code).toBe('SUCCESS');
    expect((await space('3.0')).fields.result_code).toBe('SUCCESS');
    expect((await space('1.0')).fields.err_code_des).toBe(
      'version 取值错误，PARKING SPACE 场景应为 2.0 | 3.0',
    );
  });

  it('answers SIGNERROR without a sign when the request was signed with another key', async () => {
    const { direct } = merchantsOf(sandbox);
    const answer = await callV2(
      sandbox,
      path,
      parkingNotification(direct, plateIn(sandbox, 'NORMAL')),
      'K'.repeat(32),
    );
    expect(answer.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'FAIL',
      err_code: 'SIGNERROR',
      err_code_des: '签名错误',
    });
    expect(answer.fields.sign).toBeUndefined();
  });

  it('answers SIGNERROR when a signed field was changed in transit', async () => {
    const { direct } = merchantsOf(sandbox);
    const body = signedXml(parkingNotification(direct, plateIn(sandbox, 'NORMAL')), direct.v2ApiKey).replace(
      '<version><![CDATA[3.0]]>',
      '<version><![CDATA[2.0]]>',
    );
    const answer = await postXml(`${sandbox.url}${path}`, body);
    expect(answer.fields.err_code).toBe('SIGNERROR');
  });

  it('answers a signed PARAM_ERROR naming scene_info.plate_number when it is missing', async () => {
    const { direct } = merchantsOf(sandbox);
    const scene_info = JSON.stringify({
      scene_info: { start_time: '20261124103000', parking_name: '欢乐海岸停车场', free_time: '1200' },
    });
    const answer = await enter({ ...parkingNotification(direct, ''), scene_info });
    expect(answer.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'FAIL',
      err_code: 'PARAM_ERROR',
      err_code_des: 'scene_info.plate_number 缺失',
    });
    expect(verifies(answer.fields, direct.v2ApiKey)).toBe(true);
  });

  const plate = '粤B888888';
  it.each([
    ['appid of another account', { appid: 'wx0000000000000000' }, 'appid'],
    ['a version WeChat does not know', { version: '1.0' }, 'version'],
    ['a trade_scene without its space', { trade_scene: 'PARKINGSPACE' }, 'trade_scene'],
    ['scene_info that is not JSON', { scene_info: 'plate=粤B888888' }, 'scene_info'],
    [
      'scene_info without the scene_info wrapper',
      { scene_info: '{"plate_number":"粤B888888"}' },
      'scene_info',
    ],
    [
      'a start_time with separators',
      { scene_info: parkingScene(plate, { start_time: '2026-11-24 10:30' }) },
      'scene_info.start_time',
    ],
    [
      'free_time that is not digits',
      { scene_info: parkingScene(plate, { free_time: '20min' }) },
      'scene_info.free_time',
    ],
    [
      'a notify_url with a query string',
      { scene_info: parkingScene(plate, { notify_url: 'https://lot.example/cb?id=1' }) },
      'scene_info.notify_url',
    ],
    [
      'a parking_name over 32 characters',
      { scene_info: parkingScene(plate, { parking_name: '停'.repeat(33) }) },
      'scene_info.parking_name',
    ],
    ['a nonce_str over 32 characters', { nonce_str: 'n'.repeat(33) }, 'nonce_str'],
  ])('answers PARAM_ERROR for %s, naming the field', async (_name, change, field) => {
    const { direct } = merchantsOf(sandbox);
    const answer = await enter({ ...parkingNotification(direct, plate), ...change });
    expect(answer.fields).toMatchObject({ result_code: 'FAIL', err_code: 'PARAM_ERROR' });
    expect(answer.fields.err_code_des!.startsWith(`${field} `)).toBe(true);
    expect(verifies(answer.fields, direct.v2ApiKey)).toBe(true);
  });

  it('answers PARAM_ERROR when a scene_info value is a number instead of a string', async () => {
    const { direct } = merchantsOf(sandbox);
    const scene_info = JSON.stringify({
      scene_info: { start_time: '20261124103000', plate_number: plate, parking_name: 'P', free_time: 1200 },
    });
    const answer = await enter({ ...parkingNotification(direct, plate), scene_info });
    expect(answer.fields.err_code_des).toBe('scene_info.free_time 应为字符串');
  });

  it('answers a signed PARAM_ERROR when sign_type is missing or MD5', async () => {
    const { direct } = merchantsOf(sandbox);
    for (const [sign_type, signedAs] of [
      [undefined, 'MD5'],
      ['MD5', 'MD5'],
    ] as const) {
      const fields = { ...parkingNotification(direct, plate), sign_type };
      const answer = await postXml(`${sandbox.url}${path}`, signedXml(fields, direct.v2ApiKey, signedAs));
      expect(answer.fields).toMatchObject({ result_code: 'FAIL', err_code: 'PARAM_ERROR' });
      expect(answer.fields.err_code_des).toContain('签名类型');
      expect(verifies(answer.fields, direct.v2ApiKey)).toBe(true);
    }
  });

  it('answers return_code FAIL without a sign for an unknown mch_id', async () => {
    const { direct } = merchantsOf(sandbox);
    const answer = await enter({ ...parkingNotification(direct, plate), mch_id: '1234567890' });
    expect(answer.fields).toEqual({ return_code: 'FAIL', return_msg: 'mch_id参数格式错误' });
  });

  it('answers return_code FAIL for a body that is not XML', async () => {
    for (const body of ['plate_number=粤B888888', '{"mch_id":"1"}', '<xml><mch_id>1</xml>', '']) {
      const answer = await postXml(`${sandbox.url}${path}`, body);
      expect(answer.status).toBe(200);
      expect(answer.fields).toEqual({ return_code: 'FAIL', return_msg: 'XML格式错误' });
    }
  });

  it('answers return_code FAIL for a body over 64 KiB', async () => {
    const { direct } = merchantsOf(sandbox);
    const body = buildXml({ ...parkingNotification(direct, plate), detail: 'x'.repeat(70 * 1024) });
    const answer = await postXml(`${sandbox.url}${path}`, body);
    expect(answer.fields).toEqual({ return_code: 'FAIL', return_msg: 'XML格式错误' });
  });
});

describe('用户入场通知 (service provider)', () => {
  const partnerPath = '/vehicle/partnerpay/notification';
  function partnerFields(
    provider: ReturnType<typeof merchantsOf>['provider'],
    sub_mch_id: string,
    sub_appid?: string,
  ) {
    return { ...parkingNotification(provider, plateIn(sandbox, 'NORMAL')), sub_mch_id, sub_appid };
  }

  it('answers for its sub-merchant, echoing sub_appid and sub_mch_id under the provider key', async () => {
    const { provider } = merchantsOf(sandbox);
    const sub = provider.subMerchants![0]!;
    const answer = await callV2(
      sandbox,
      partnerPath,
      partnerFields(provider, sub.subMchId, sub.subAppId),
      provider.v2ApiKey,
    );
    expect(answer.fields).toMatchObject({
      result_code: 'SUCCESS',
      appid: provider.appId,
      mch_id: provider.mchId,
      sub_appid: sub.subAppId,
      sub_mch_id: sub.subMchId,
      user_state: 'NORMAL',
    });
    expect(verifies(answer.fields, provider.v2ApiKey)).toBe(true);
  });

  it('answers a signed NOAUTH for a sub_mch_id the provider does not serve', async () => {
    const { provider, direct } = merchantsOf(sandbox);
    const answer = await callV2(
      sandbox,
      partnerPath,
      partnerFields(provider, direct.mchId, provider.appId),
      provider.v2ApiKey,
    );
    expect(answer.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'NOAUTH' });
    expect(verifies(answer.fields, provider.v2ApiKey)).toBe(true);
  });

  it('answers NOAUTH when a direct merchant uses the partner path', async () => {
    const { direct } = merchantsOf(sandbox);
    const answer = await callV2(sandbox, partnerPath, partnerFields(direct, '1900000000'), direct.v2ApiKey);
    expect(answer.fields.err_code).toBe('NOAUTH');
  });

  it('answers PARAM_ERROR for a missing sub_mch_id or a sub_appid of another account', async () => {
    const { provider } = merchantsOf(sandbox);
    const sub = provider.subMerchants![0]!;
    const missing = await callV2(sandbox, partnerPath, partnerFields(provider, ''), provider.v2ApiKey);
    expect(missing.fields.err_code_des).toBe('sub_mch_id 缺失');
    const foreign = await callV2(
      sandbox,
      partnerPath,
      partnerFields(provider, sub.subMchId, 'wx0000000000000000'),
      provider.v2ApiKey,
    );
    expect(foreign.fields).toMatchObject({ err_code: 'PARAM_ERROR' });
    expect(foreign.fields.err_code_des).toMatch(/^sub_appid /);
  });
});
