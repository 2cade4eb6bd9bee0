import { generateKeyPairSync } from 'node:crypto';
import {
  ApiError,
  getNoticeKeys,
  SignatureError,
  TransportError,
  ValidationError,
  WxparkError,
} from '@wxpark/core';
import { useSandbox } from '@wxpark/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { createParkingNoticeHandler, type ParkingEntryRequest } from '../src/index.ts';
import { listen, lotIdOf, merchantOf, parkingEntry, unixNow, v3Client } from './helpers.ts';

const sandbox = await useSandbox();
const lotId = lotIdOf(sandbox);
beforeEach(() => {
  sandbox.clearRequests();
  sandbox.setKeyMode('public-key');
});

function entry(extra: Partial<ParkingEntryRequest> = {}): ParkingEntryRequest {
  return parkingEntry(lotId, extra);
}

describe('同步车辆入场通知 against the sandbox', () => {
  it('answers a verified serial_number in every call style, signed and sent as WeChat expects', async () => {
    const client = v3Client(sandbox);
    const answers = [
      await client.v3.parking.reminders.entry.post(entry()),
      await client.chain('v3/parking/reminders/entry').post(entry()),
      await client['v3/parking/reminders/entry'].post(entry()),
      await client.v3.parking.reminders.entry(entry()),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.data.serial_number).toMatch(/^[0-9A-Z]{19}$/);
      expect(answer.requestId).toBeTruthy();
      expect(answer.headers.get('wechatpay-serial')).toBe(sandbox.config.platform.publicKeyId);
    }
    const sent = sandbox.requests[0]!;
    expect(sent.headers.authorization).toMatch(/^WECHATPAY2-SHA256-RSA2048 mchid="\d+",/);
    // The client names the key it expects the answer to be signed with.
    expect(sent.headers['wechatpay-serial']).toBe(sandbox.config.platform.publicKeyId);
    expect(JSON.parse(sent.body)).toMatchObject({
      enter_timestamp: expect.any(Number),
      discount_template_id: [1001],
    });
  });

  it.each([
    ['enter_timestamp', { enter_timestamp: 1.5 }, 'an integer'],
    ['enter_timestamp', { enter_timestamp: '1700000000' }, 'an integer'],
    ['plate_color', { plate_color: 'BLUE' }, 'PLATE_COLOR_BLUE'],
    ['vehicle_type', { vehicle_type: 'CAR' }, 'VEHICLE_TYPE_SMALL'],
    ['discount_template_id[0]', { discount_template_id: ['1001'] }, 'an integer'],
    ['out_serial_number', { out_serial_number: 'x'.repeat(65) }, '64'],
  ])('refuses a bad %s before any I/O', async (field, bad, expected) => {
    const error = await v3Client(sandbox)
      .v3.parking.reminders.entry({ ...entry(), ...(bad as object) } as ParkingEntryRequest)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    expect((error as ValidationError).expected).toContain(expected);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('refuses a missing field and an unknown one before any I/O', async () => {
    const { parking_id: _dropped, ...missing } = entry();
    const client = v3Client(sandbox);
    const a = await client.v3.parking.reminders
      .entry(missing as ParkingEntryRequest)
      .catch((e: unknown) => e);
    expect((a as ValidationError).field).toBe('parking_id');
    const b = await client.v3.parking.reminders
      .entry({ ...entry(), parkingId: lotId } as ParkingEntryRequest)
      .catch((e: unknown) => e);
    expect((b as ValidationError).field).toBe('parkingId');
    expect(sandbox.requests).toHaveLength(0);
  });

  it('refuses a sparse discount_template_id, naming the hole, instead of sending null', async () => {
    const client = v3Client(sandbox);
    // biome-ignore lint/suspicious/noSparseArray: the hole is what is tested
    const sparse = [1001, , 1003] as number[];
    const error = await client.v3.parking.reminders
      .entry(entry({ discount_template_id: sparse }))
      .catch((e: unknown) => e);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).field).toBe('discount_template_id[1]');
    expect((error as ValidationError).message).toMatch(/hole in a sparse array/);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('refuses a payment WeChat would refuse (another pay_type, nothing paid), before any I/O', async () => {
    const stay = entry();
    const payment = {
      out_serial_number: stay.out_serial_number,
      plate_number: stay.plate_number,
      parking_id: lotId,
      parking_state: 'PARKING_STATUS_PARKING',
      pay_type: 'PAY_TYPE_WXPAY',
      total_amount: 1500,
      paid_amount: 1500,
      openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      out_trade_no: 'T1',
    } as const;
    const client = v3Client(sandbox);
    for (const [bad, field] of [
      [{ pay_type: 'PAY_TYPE_OTHERS' }, 'pay_type'],
      [{ paid_amount: 0 }, 'paid_amount'],
    ] as const) {
      const error = await client.v3.parking.reminders
        .payment({ ...payment, ...(bad as object) } as typeof payment)
        .catch((e: unknown) => e);
      expect((error as ValidationError).field).toBe(field);
    }
    expect(sandbox.requests).toHaveLength(0);
  });

  it('exits the same stay and queries its fee', async () => {
    const client = v3Client(sandbox);
    const stay = entry({ enter_timestamp: unixNow() - 7200 });
    await client.v3.parking.reminders.entry(stay);
    const fee = await client.v3.parking.reminders['parking-fee']({
      out_serial_number: stay.out_serial_number,
    });
    expect(fee.data.total_amount).toBeGreaterThan(0);
    const exit = await client.v3.parking.reminders.exit({
      out_serial_number: stay.out_serial_number,
      exit_timestamp: unixNow(),
      plate_number: stay.plate_number,
      plate_color: stay.plate_color,
      parking_id: lotId,
    });
    expect(exit.status).toBe(204);
  });
});

describe('APIv3 errors', () => {
  it.each([
    [400, 'PARAM_ERROR', false],
    [429, 'FREQUENCY_LIMITED', true],
    [500, 'SYSTEM_ERROR', true],
  ] as const)(
    'turns a %i %s into an ApiError with its detail and request id',
    async (status, code, retryable) => {
      sandbox.failNext({
        path: '/v3/parking/reminders/entry',
        status,
        code,
        message: 'sandbox says no',
        detail: { field: '/plate_number', location: 'body' },
      });
      const error = await v3Client(sandbox)
        .v3.parking.reminders.entry(entry())
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      const api = error as ApiError;
      expect([api.status, api.code, api.isRetryable, api.signatureVerified]).toEqual([
        status,
        code,
        retryable,
        true,
      ]);
      expect(api.detail).toMatchObject({ field: '/plate_number' });
      expect(api.requestId).toBeTruthy();
      expect(api.message).toContain('sandbox says no');
      // POSTs are never retried automatically.
      expect(sandbox.requests).toHaveLength(1);
    },
  );

  it('answers 401 SIGN_ERROR for a key that is not the merchant’s, with a hint and no key material', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const error = await v3Client(sandbox, { privateKey: pem })
      .v3.parking.reminders.entry(entry())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect((error as ApiError).code).toBe('SIGN_ERROR');
    expect((error as ApiError & { hint?: string }).hint).toMatch(/serialNo and v3.privateKey/);
    const printed = `${String(error)} ${JSON.stringify(error)} ${(error as Error).stack}`;
    expect(printed).not.toContain('PRIVATE KEY');
    expect(printed).not.toContain(merchantOf(sandbox).v3.apiV3Key);
  });
});

describe('answers that do not verify are errors, never data', () => {
  it.each([
    ['bad-sign', 'SIGNATURE_MISMATCH'],
    ['wrong-key-sign', 'SIGNATURE_MISMATCH'],
    ['no-sign', 'MISSING_HEADER'],
    ['signtest', 'SIGNATURE_PROBE'],
    ['stale-timestamp', 'TIMESTAMP_OUT_OF_WINDOW'],
    ['unknown-serial', 'UNKNOWN_SERIAL'],
  ] as const)('refuses a %s answer with %s', async (mode, code) => {
    sandbox.setHostile(mode);
    const error = await v3Client(sandbox)
      .v3.parking.reminders.entry(entry())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignatureError);
    expect((error as SignatureError).code).toBe(code);
    expect((error as SignatureError).requestId).toBeTruthy();
  });

  it('reports a garbage body as an error, a slow answer as TIMEOUT and a dropped one as NETWORK', async () => {
    sandbox.setHostile('garbage');
    const garbage = await v3Client(sandbox)
      .v3.parking.reminders.entry(entry())
      .catch((e: unknown) => e);
    expect(WxparkError.isInstance(garbage)).toBe(true);
    expect(garbage).not.toBeInstanceOf(ApiError);

    sandbox.setHostile('slow', { delayMs: 1500 });
    const slow = await v3Client(sandbox, {}, { timeout: 300 })
      .v3.parking.reminders.entry(entry())
      .catch((e: unknown) => e);
    expect((slow as TransportError).code).toBe('TIMEOUT');

    sandbox.setHostile('drop');
    const dropped = await v3Client(sandbox)
      .v3.parking.reminders.entry(entry())
      .catch((e: unknown) => e);
    expect(dropped).toBeInstanceOf(TransportError);
    expect((dropped as TransportError).code).toBe('NETWORK');
  });
});

describe('platform keys', () => {
  it('never calls /v3/certificates in public-key mode', async () => {
    const client = v3Client(sandbox);
    for (let i = 0; i < 3; i++) await client.v3.parking.reminders.entry(entry());
    expect(sandbox.requests.filter((r) => r.path.startsWith('/v3/certificates'))).toHaveLength(0);
  });

  it('turns the 404 of /v3/certificates into advice to configure the public key', async () => {
    const error = await v3Client(sandbox, { certificates: 'download' })
      .v3.parking.reminders.entry(entry())
      .catch((e: unknown) => e);
    expect(WxparkError.isInstance(error)).toBe(true);
    expect((error as WxparkError).code).toBe('NO_PLATFORM_CERTIFICATES');
    expect(`${(error as Error).message} ${(error as { hint?: string }).hint}`).toMatch(/publicKey/);
  });

  it('downloads certificates once, and survives a rotation mid-run with no failed call', async () => {
    sandbox.setKeyMode('certificate');
    const client = v3Client(sandbox, { certificates: 'download' });
    const oldSerial = sandbox.config.platform.certificates.at(-1)!.serialNo;
    const first = await client.v3.parking.reminders.entry(entry());
    expect(first.headers.get('wechatpay-serial')).toBe(oldSerial);

    let newSerial = '';
    const results = [];
    for (let i = 0; i < 12; i++) {
      if (i === 4) newSerial = sandbox.rotatePlatformCertificate().serialNo;
      // Once the old certificate is retired, answers come signed with a serial the client has not seen.
      if (i === 8) sandbox.retirePlatformCertificate(oldSerial);
      results.push(await client.v3.parking.reminders.entry(entry()));
    }
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(results.slice(8).map((r) => r.headers.get('wechatpay-serial'))).toEqual(Array(4).fill(newSerial));
    // One download at start, one refresh for the unknown serial.
    expect(sandbox.requests.filter((r) => r.path.startsWith('/v3/certificates'))).toHaveLength(2);
    // After the refresh the client asks for the new key by name.
    expect(sandbox.requests.at(-1)!.headers['wechatpay-serial']).toBe(newSerial);
  });

  it('coalesces concurrent refreshes into one download', async () => {
    sandbox.setKeyMode('certificate');
    const client = v3Client(sandbox, { certificates: 'download' });
    await client.v3.parking.reminders.entry(entry());
    const oldSerial = sandbox.config.platform.certificates.at(-1)!.serialNo;
    sandbox.rotatePlatformCertificate();
    sandbox.retirePlatformCertificate(oldSerial);
    sandbox.clearRequests();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => client.v3.parking.reminders.entry(entry())),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(sandbox.requests.filter((r) => r.path.startsWith('/v3/certificates'))).toHaveLength(1);
  });

  it('trusts both keys during a switch-over and asks for the public key', async () => {
    sandbox.setKeyMode('certificate');
    const certificates = sandbox.config.platform.certificates.map((c) => c.certificate);
    const publicKey = { id: sandbox.config.platform.publicKeyId, key: sandbox.config.platform.publicKey };
    const both = v3Client(sandbox, { certificates, publicKey });
    const answer = await both.v3.parking.reminders.entry(entry());
    expect(sandbox.requests.at(-1)!.headers['wechatpay-serial']).toBe(publicKey.id);
    expect(answer.headers.get('wechatpay-serial')).toBe(publicKey.id);

    // A callback signed with a certificate verifies with the switch-over keys, and only because of them.
    const delivery = async (keys: ReturnType<typeof getNoticeKeys>) => {
      const handler = createParkingNoticeHandler({ ...keys, onNotice: () => {} });
      const { url } = await listen((req, res) => void handler.node(req, res));
      return await sandbox.sendV3Notice({
        url,
        keyMode: 'certificate',
        event_type: 'VEHICLE.ENTRANCE_STATE_CHANGE',
        resource: { plate_number: '粤B888888', state: 'ENTRANCE_STATE_IN' },
      });
    };
    expect((await delivery(getNoticeKeys(both))).status).toBe(204);
    const publicOnly = v3Client(sandbox, { publicKey });
    expect((await delivery(getNoticeKeys(publicOnly))).status).toBe(401);
  });
});
