import { merchantsOf } from '@wxpark/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/index.ts';
import { callV2, parkingFields, plateIn, verifies } from '../helpers.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

function query(extra: Record<string, string | undefined>) {
  const { direct } = merchantsOf(sandbox);
  return callV2(sandbox, '/vehicle/pay/querystate', parkingFields(direct, extra), direct.v2ApiKey);
}

describe('用户状态查询', () => {
  it('answers NORMAL with the deduct mode and no path for a car owner in good standing', async () => {
    const answer = await query({ plate_number: plateIn(sandbox, 'NORMAL') });
    expect(answer.fields).toMatchObject({
      result_code: 'SUCCESS',
      user_state: 'NORMAL',
      deduct_mode: 'AUTOPAY',
    });
    expect(answer.fields.path).toBeUndefined();
    expect(verifies(answer.fields, merchantsOf(sandbox).direct.v2ApiKey)).toBe(true);
  });

  it('answers OVERDUE with a mini-program path for a plate in arrears', async () => {
    const plate = plateIn(sandbox, 'BLOCK');
    const answer = await query({ plate_number: plate });
    expect(answer.fields.user_state).toBe('OVERDUE');
    expect(answer.fields.path).toMatch(/^pages\/route\/index\?/);
    expect(new URLSearchParams(answer.fields.path!.split('?')[1]).get('plate_number')).toBe(plate);
  });

  it('answers UNAUTHORIZED with a path for a plate the platform does not know', async () => {
    const answer = await query({ plate_number: '粤Z000000' });
    expect(answer.fields).toMatchObject({ result_code: 'SUCCESS', user_state: 'UNAUTHORIZED' });
    expect(answer.fields.path).toBeTruthy();
  });

  it('finds a car owner by openid and echoes it', async () => {
    const user = sandbox.config.vehicleUsers.find((u) => u.openid && u.user_state === 'PAUSED')!;
    const answer = await query({ openid: user.openid, trade_scene: 'PARKING SPACE' });
    expect(answer.fields).toMatchObject({ user_state: 'PAUSED', openid: user.openid });
  });

  it('answers PARAM_ERROR when neither openid nor plate_number is given', async () => {
    const answer = await query({});
    expect(answer.fields).toMatchObject({ result_code: 'FAIL', err_code: 'PARAM_ERROR' });
    expect(answer.fields.err_code_des).toMatch(/^openid 与 plate_number/);
  });

  it('accepts the GAS, HIGHWAY and BRIDGE scenes and refuses others', async () => {
    const plate = plateIn(sandbox, 'NORMAL');
    for (const trade_scene of ['GAS', 'HIGHWAY', 'BRIDGE']) {
      expect((await query({ plate_number: plate, trade_scene })).fields.result_code).toBe('SUCCESS');
    }
    const answer = await query({ plate_number: plate, trade_scene: 'GARAGE' });
    expect(answer.fields.err_code_des).toMatch(/^trade_scene /);
  });

  it('lets a service provider query by sub_openid for its sub-merchant', async () => {
    const { provider } = merchantsOf(sandbox);
    const sub = provider.subMerchants![0]!;
    const user = sandbox.config.vehicleUsers.find((u) => u.openid && u.user_state === 'NORMAL')!;
    const answer = await callV2(
      sandbox,
      '/vehicle/partnerpay/querystate',
      {
        appid: provider.appId,
        mch_id: provider.mchId,
        sub_appid: sub.subAppId,
        sub_mch_id: sub.subMchId,
        sign_type: 'HMAC-SHA256',
        version: '3.0',
        trade_scene: 'PARKING',
        sub_openid: user.openid,
      },
      provider.v2ApiKey,
    );
    expect(answer.fields).toMatchObject({
      result_code: 'SUCCESS',
      user_state: 'NORMAL',
      sub_openid: user.openid,
    });
    expect(verifies(answer.fields, provider.v2ApiKey)).toBe(true);
  });
});
