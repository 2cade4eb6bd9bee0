import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/index.ts';
import { callV3, minutesAgo, type V3Merchant, v3MerchantsOf, verifyAnswer } from '../v3-helpers.ts';

let sandbox: Sandbox;
let direct: V3Merchant;
let provider: V3Merchant;
let lotId: string;
let serial = 0;
beforeAll(async () => {
  sandbox = await startSandbox();
  ({ direct, provider } = v3MerchantsOf(sandbox));
  lotId = sandbox.config.parkingLots!.find((l) => l.mchId === direct.mchId)!.wx_parking_lot_id;
});
afterAll(() => sandbox.close());

const base = '/v3/parking/reminders';

function entryBody(extra: Record<string, unknown> = {}) {
  serial += 1;
  return {
    out_serial_number: `ES${Date.now()}${serial}`,
    parking_id: lotId,
    plate_number: '粤B12345',
    enter_timestamp: minutesAgo(125),
    plate_color: 'PLATE_COLOR_BLUE',
    car_type: 'PLATE_TYPE_TEMPORARY',
    vehicle_type: 'VEHICLE_TYPE_SMALL',
    entrance_number: 'E1',
    entrance_name: '南门入口',
    discount_template_id: [1001],
    ...extra,
  };
}

async function enter(extra: Record<string, unknown> = {}) {
  const body = entryBody(extra);
  const answer = await callV3(sandbox, direct, 'POST', `${base}/entry`, body);
  expect(answer.status).toBe(200);
  return body;
}

function expectParamError(
  answer: { status: number; json: Record<string, unknown> | undefined },
  detail: Record<string, unknown>,
) {
  expect(answer.status).toBe(400);
  expect(answer.json).toMatchObject({ code: 'PARAM_ERROR', detail });
  expect(answer.json!.message).toMatch(/^输入源“\/(body|query|path)/);
}

describe('POST /v3/parking/reminders/entry (同步车辆入场通知)', () => {
  it('answers the 微信停车单号 as { serial_number }, signed', async () => {
    const body = entryBody();
    const answer = await callV3(sandbox, direct, 'POST', `${base}/entry`, body);
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.json!)).toEqual(['serial_number']);
    expect(answer.json!.serial_number).toMatch(/^[0-9A-Z]{19}$/);
    await verifyAnswer(sandbox, answer);
    const again = await callV3(sandbox, direct, 'POST', `${base}/entry`, body);
    expect(again.json).toEqual(answer.json);
    const changed = await callV3(sandbox, direct, 'POST', `${base}/entry`, {
      ...body,
      plate_number: '粤B54321',
    });
    expect(changed.status).toBe(400);
    expect(changed.json).toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it.each([
    ['a timestamp sent as a string', { enter_timestamp: '1764000000' }, '/enter_timestamp', '应为整数'],
    ['an unknown plate colour', { plate_color: 'BLUE' }, '/plate_color', '应为以下值之一'],
    ['a missing vehicle_type', { vehicle_type: undefined }, '/vehicle_type', '此字段为必填项'],
    ['four discount templates', { discount_template_id: [1, 2, 3, 4] }, '/discount_template_id', '最多'],
    ['an entrance number with a dash', { entrance_number: 'E-1' }, '/entrance_number', '格式不正确'],
    ['a plate longer than 16 characters', { plate_number: '粤B12345678901234567' }, '/plate_number', '长度'],
  ])('answers PARAM_ERROR for %s, naming the field', async (_name, extra, field, issue) => {
    const answer = await callV3(sandbox, direct, 'POST', `${base}/entry`, entryBody(extra));
    expectParamError(answer, { field, location: 'body' });
    expect((answer.json!.detail as { issue: string }).issue).toContain(issue);
    await verifyAnswer(sandbox, answer);
  });

  it('answers 404 for a lot WeChat does not know and 403 for another merchant’s lot', async () => {
    const unknown = await callV3(sandbox, direct, 'POST', `${base}/entry`, entryBody({ parking_id: '1' }));
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ code: 'RESOURCE_NOT_EXISTS' });
    const theirs = await callV3(sandbox, provider, 'POST', `${base}/entry`, entryBody());
    expect(theirs.status).toBe(403);
    expect(theirs.json).toMatchObject({ code: 'NO_AUTH' });
  });

  it('answers PARAM_ERROR for a body that is not JSON', async () => {
    const answer = await callV3(sandbox, direct, 'POST', `${base}/entry`, undefined, { rawBody: '{"a":' });
    expectParamError(answer, { field: '/', location: 'body' });
  });
});

describe('POST /v3/parking/reminders/exit (同步车辆出场通知)', () => {
  it('answers 204 for an exit, with or without the payment', async () => {
    const entry = await enter();
    const answer = await callV3(sandbox, direct, 'POST', `${base}/exit`, {
      out_serial_number: entry.out_serial_number,
      exit_timestamp: minutesAgo(1),
      plate_number: entry.plate_number,
      plate_color: entry.plate_color,
      parking_id: entry.parking_id,
      pay_state: 'PAY_STATUS_PAID',
      pay_type: 'PAY_TYPE_WXPAY',
      out_trade_no: `T${entry.out_serial_number}`,
      total_amount: 1500,
      paid_amount: 1500,
      pay_time: minutesAgo(2),
    });
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
    await verifyAnswer(sandbox, answer);
  });

  it('answers PARAM_ERROR for a paid exit without pay_type, 400 for another plate, 404 for an unknown stay', async () => {
    const entry = await enter();
    const exit = {
      out_serial_number: entry.out_serial_number,
      exit_timestamp: minutesAgo(1),
      plate_number: entry.plate_number,
      plate_color: entry.plate_color,
      parking_id: entry.parking_id,
    };
    const unpaidType = await callV3(sandbox, direct, 'POST', `${base}/exit`, {
      ...exit,
      pay_state: 'PAY_STATUS_PAID',
      out_trade_no: 'T1',
      paid_amount: 100,
    });
    expectParamError(unpaidType, { field: '/pay_type', location: 'body' });
    const early = await callV3(sandbox, direct, 'POST', `${base}/exit`, {
      ...exit,
      exit_timestamp: minutesAgo(500),
    });
    expectParamError(early, { field: '/exit_timestamp' });
    const otherPlate = await callV3(sandbox, direct, 'POST', `${base}/exit`, {
      ...exit,
      plate_number: '粤B00000',
    });
    expect(otherPlate.json).toMatchObject({ code: 'INVALID_REQUEST' });
    const unknown = await callV3(sandbox, direct, 'POST', `${base}/exit`, {
      ...exit,
      out_serial_number: 'NOPE',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ code: 'RESOURCE_NOT_EXISTS' });
  });
});

describe('POST /v3/parking/reminders/payment (同步支付信息)', () => {
  function payment(entry: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    return {
      out_serial_number: entry.out_serial_number,
      plate_number: entry.plate_number,
      parking_id: entry.parking_id,
      parking_state: 'PARKING_STATUS_PARKING',
      pay_type: 'PAY_TYPE_WXPAY',
      total_amount: 1500,
      paid_amount: 1500,
      openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      out_trade_no: `P${entry.out_serial_number}`,
      pay_channel: 'PAY_CHANNEL_MCH_MINI_PROG',
      pay_time: minutesAgo(1),
      ...extra,
    };
  }

  it('answers 204, and the fee query then counts the payment', async () => {
    const entry = await enter();
    const answer = await callV3(sandbox, direct, 'POST', `${base}/payment`, payment(entry));
    expect(answer.status).toBe(204);
    await verifyAnswer(sandbox, answer);
    const fee = await callV3(sandbox, direct, 'POST', `${base}/parking-fee`, {
      out_serial_number: entry.out_serial_number,
    });
    expect(fee.json).toMatchObject({
      total_amount: 1500,
      paid_amount: 1500,
      payable_amount: 0,
      pay_state: 'PAY_STATUS_PAID',
    });
  });

  it('answers PARAM_ERROR for another pay_type, no paid amount, or no trade number', async () => {
    const entry = await enter();
    expectParamError(
      await callV3(
        sandbox,
        direct,
        'POST',
        `${base}/payment`,
        payment(entry, { pay_type: 'PAY_TYPE_OTHERS' }),
      ),
      { field: '/pay_type', value: 'PAY_TYPE_OTHERS' },
    );
    expectParamError(
      await callV3(sandbox, direct, 'POST', `${base}/payment`, payment(entry, { paid_amount: 0 })),
      { field: '/paid_amount' },
    );
    expectParamError(
      await callV3(sandbox, direct, 'POST', `${base}/payment`, payment(entry, { out_trade_no: undefined })),
      { field: '/out_trade_no' },
    );
    expectParamError(
      await callV3(sandbox, direct, 'POST', `${base}/payment`, payment(entry, { parking_state: 'PARKING' })),
      { field: '/parking_state' },
    );
  });

  it('needs sub_mchid from a service provider, and only one it serves', async () => {
    const entry = await enter();
    expectParamError(await callV3(sandbox, provider, 'POST', `${base}/payment`, payment(entry)), {
      field: '/sub_mchid',
    });
    const stranger = await callV3(
      sandbox,
      provider,
      'POST',
      `${base}/payment`,
      payment(entry, { sub_mchid: '1600000001' }),
    );
    expect(stranger.status).toBe(403);
    expect(stranger.json).toMatchObject({ code: 'NO_AUTH' });
  });
});

describe('POST /v3/parking/reminders/ext-payment (同步扩展支付信息)', () => {
  it('answers 204, again for a repeat, and 400 for the same out_trade_no with other items', async () => {
    const body = {
      out_trade_no: `X${Date.now()}`,
      fee_items: [{ fee_type: 'EXT_PARKING_PAYMENT_FEE_TYPE_MONTHLY', amount: 30000 }],
      pay_time: minutesAgo(3),
      wx_parking_lot_id: lotId,
    };
    const answer = await callV3(sandbox, direct, 'POST', `${base}/ext-payment`, body);
    expect(answer.status).toBe(204);
    await verifyAnswer(sandbox, answer);
    expect((await callV3(sandbox, direct, 'POST', `${base}/ext-payment`, body)).status).toBe(204);
    const other = await callV3(sandbox, direct, 'POST', `${base}/ext-payment`, {
      ...body,
      fee_items: [{ fee_type: 'EXT_PARKING_PAYMENT_FEE_TYPE_QUARTERLY', amount: 80000 }],
    });
    expect(other.json).toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('answers PARAM_ERROR for no fee items or the reserved UNKNOWN fee type', async () => {
    const body = { out_trade_no: 'X1', fee_items: [], pay_time: minutesAgo(3) };
    expectParamError(await callV3(sandbox, direct, 'POST', `${base}/ext-payment`, body), {
      field: '/fee_items',
    });
    const reserved = {
      ...body,
      fee_items: [{ fee_type: 'EXT_PARKING_PAYMENT_FEE_TYPE_UNKNOWN', amount: 1 }],
    };
    expectParamError(await callV3(sandbox, direct, 'POST', `${base}/ext-payment`, reserved), {
      field: '/fee_items/0/fee_type',
    });
  });
});

describe('POST /v3/parking/reminders/parking-fee (查询停车费)', () => {
  it('answers the fee under the sandbox tariff: 15 minutes free, then 500 fen per started hour', async () => {
    const entry = await enter({ enter_timestamp: minutesAgo(125) });
    const answer = await callV3(sandbox, direct, 'POST', `${base}/parking-fee`, {
      out_serial_number: entry.out_serial_number,
      plate_number: entry.plate_number,
    });
    expect(answer.status).toBe(200);
    await verifyAnswer(sandbox, answer);
    expect(answer.json).toMatchObject({
      total_amount: 1500,
      parking_state: 'PARKING_STATE_ENTERED',
      pay_state: 'PAY_STATUS_UNPAID',
      payable_amount: 1500,
      paid_amount: 0,
      next_raise_price: 500,
    });
    expect(answer.json!.parking_timestamp).toBeGreaterThanOrEqual(125 * 60);
  });

  it('answers PARAM_ERROR without out_serial_number and 404 for an unknown one', async () => {
    expectParamError(
      await callV3(sandbox, direct, 'POST', `${base}/parking-fee`, { plate_number: '粤B12345' }),
      {
        field: '/out_serial_number',
      },
    );
    const unknown = await callV3(sandbox, direct, 'POST', `${base}/parking-fee`, {
      out_serial_number: 'NONE',
    });
    expect(unknown.status).toBe(404);
  });
});

describe('parking lots and applications', () => {
  const lot = {
    parking_lot_name: '科技园停车场',
    out_parking_lot_id: 'LOT-NEW',
    parking_lot_address: '深圳市南山区科技园',
    longitude: '113.9435',
    latitude: '22.5405',
    parking_lot_type: 'PARKING_LOT_TYPE_OFFICE_BUILDING',
    phone_number: '0755-12345678',
    payment_path: 'pages/pay/index',
    charging_rule: { rule_type: 'CHARGING_RULE_FIXED_INTERVAL' },
  };

  it('GET parking-lot answers a lot by either id, PARAM_ERROR without ids, 404 for an unknown one', async () => {
    const configured = sandbox.config.parkingLots!.find((l) => l.mchId === direct.mchId)!;
    const byWx = await callV3(
      sandbox,
      direct,
      'GET',
      `${base}/parking-lot?wx_parking_lot_id=${configured.wx_parking_lot_id}`,
    );
    expect(byWx.status).toBe(200);
    expect(byWx.json).toMatchObject({
      wx_parking_lot_id: configured.wx_parking_lot_id,
      out_parking_lot_id: configured.out_parking_lot_id,
      enabled_state: 'ENABLED_STATE_ENABLED',
    });
    await verifyAnswer(sandbox, byWx);
    const byOut = await callV3(
      sandbox,
      direct,
      'GET',
      `${base}/parking-lot?out_parking_lot_id=${configured.out_parking_lot_id}`,
    );
    expect(byOut.json).toEqual(byWx.json);
    expectParamError(await callV3(sandbox, direct, 'GET', `${base}/parking-lot`), {
      field: 'out_parking_lot_id',
      location: 'query',
    });
    expect((await callV3(sandbox, direct, 'GET', `${base}/parking-lot?out_parking_lot_id=NONE`)).status).toBe(
      404,
    );
  });

  it('POST application, query, list and withdraw', async () => {
    const submitted = await callV3(sandbox, direct, 'POST', `${base}/application`, { parking_lot: lot });
    expect(submitted.status).toBe(200);
    await verifyAnswer(sandbox, submitted);
    const audit = submitted.json!.parking_lot_audit_no as string;
    expect(audit).toMatch(/^\d+$/);
    const twice = await callV3(sandbox, direct, 'POST', `${base}/application`, { parking_lot: lot });
    expect(twice.json).toMatchObject({ code: 'INVALID_REQUEST' });

    const keys = `parking_lot_audit_no=${audit}&out_parking_lot_id=${lot.out_parking_lot_id}`;
    const queried = await callV3(sandbox, direct, 'GET', `${base}/application/query?${keys}`);
    expect(queried.status).toBe(200);
    expect(queried.json).toMatchObject({
      application: { parking_lot_audit_no: audit, audit_status: 'AUDIT_STATUS_PENDING', parking_lot: lot },
    });
    const listed = await callV3(
      sandbox,
      direct,
      'GET',
      `${base}/applications?out_parking_lot_id=LOT-NEW&offset=0&limit=5`,
    );
    expect(listed.json!.application_list).toHaveLength(1);

    const withdraw = { parking_lot_audit_no: audit, out_parking_lot_id: lot.out_parking_lot_id };
    const withdrawn = await callV3(sandbox, direct, 'POST', `${base}/application/withdraw`, withdraw);
    expect(withdrawn.status).toBe(204);
    await verifyAnswer(sandbox, withdrawn);
    const again = await callV3(sandbox, direct, 'POST', `${base}/application/withdraw`, withdraw);
    expect(again.json).toMatchObject({ code: 'INVALID_REQUEST' });
    const after = await callV3(sandbox, direct, 'GET', `${base}/application/query?${keys}`);
    expect(after.json).toMatchObject({ application: { audit_status: 'AUDIT_STATUS_WITHDRAWN' } });
    const theirs = await callV3(sandbox, provider, 'GET', `${base}/application/query?${keys}`);
    expect(theirs.status).toBe(404);
  });

  it('takes notification_text_list of up to 6 texts of 512 characters, as 停车服务开通申请 allows', async () => {
    const at = (i: number) => `LOT-TEXTS-${i}`;
    const accepted = await callV3(sandbox, direct, 'POST', `${base}/application`, {
      parking_lot: {
        ...lot,
        out_parking_lot_id: at(1),
        notification_text_list: Array(6).fill('停'.repeat(512)),
      },
    });
    expect(accepted.status).toBe(200);
    expectParamError(
      await callV3(sandbox, direct, 'POST', `${base}/application`, {
        parking_lot: { ...lot, out_parking_lot_id: at(2), notification_text_list: Array(7).fill('请缴费') },
      }),
      { field: '/parking_lot/notification_text_list' },
    );
    expectParamError(
      await callV3(sandbox, direct, 'POST', `${base}/application`, {
        parking_lot: { ...lot, out_parking_lot_id: at(3), notification_text_list: ['停'.repeat(513)] },
      }),
      { field: '/parking_lot/notification_text_list/0' },
    );
  });

  it('answers PARAM_ERROR for a lot out of shape and for query fields out of range', async () => {
    expectParamError(
      await callV3(sandbox, direct, 'POST', `${base}/application`, {
        parking_lot: { ...lot, parking_lot_type: 'PARKING_LOT_TYPE_UNKNOWN' },
      }),
      { field: '/parking_lot/parking_lot_type' },
    );
    expectParamError(
      await callV3(sandbox, direct, 'POST', `${base}/application`, {
        parking_lot: { ...lot, longitude: 'east' },
      }),
      { field: '/parking_lot/longitude' },
    );
    expectParamError(
      await callV3(sandbox, direct, 'GET', `${base}/application/query?out_parking_lot_id=LOT-NEW`),
      {
        field: 'parking_lot_audit_no',
        location: 'query',
      },
    );
    expectParamError(
      await callV3(sandbox, direct, 'POST', `${base}/application/withdraw`, { parking_lot_audit_no: 1 }),
      { field: '/parking_lot_audit_no', value: 1 },
    );
    expectParamError(
      await callV3(sandbox, direct, 'GET', `${base}/applications?out_parking_lot_id=LOT-NEW&limit=0`),
      {
        field: 'limit',
        value: '0',
        location: 'query',
      },
    );
  });
});
