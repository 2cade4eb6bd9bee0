import { merchantsOf } from '@wxpark/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index.ts';
import type { InspectedNotice, InspectedRequest, JournalEntry } from '../src/inspector/journal.ts';
import { createJournal } from '../src/inspector/journal.ts';
import { callV2, parkingFields, plateIn, startReceiver } from './helpers.ts';
import { callV3 } from './v3-helpers.ts';

let sandbox: Sandbox;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(async () => {
  await fetch(`${sandbox.url}/inspector/entries`, { method: 'DELETE' });
});

async function entries(): Promise<JournalEntry[]> {
  return (await (await fetch(`${sandbox.url}/inspector/entries`)).json()) as JournalEntry[];
}

async function lastRequest(): Promise<InspectedRequest> {
  const all = (await entries()).filter((e): e is InspectedRequest => e.kind === 'request');
  return all[all.length - 1]!;
}

describe('the inspector records every API request with its verdict', () => {
  it('names the Authorization parameter, what was expected and what arrived when a v3 call is refused', async () => {
    const { direct } = merchantsOf(sandbox);
    const answer = await callV3(sandbox, direct, 'GET', '/v3/certificates', undefined, {
      serialNo: 'ABCDEF0123',
    });
    expect(answer.status).toBe(401);
    const entry = await lastRequest();
    expect(entry).toMatchObject({
      method: 'GET',
      path: '/v3/certificates',
      protocol: 'v3',
      merchant: direct.mchId,
      outcome: 'refused',
      why: {
        stage: 'signature',
        name: 'Authorization serial_no',
        expected: `${direct.v3.serialNo} (the API certificate of ${direct.mchId})`,
        received: 'ABCDEF0123',
      },
      answer: { status: 401, note: 'SIGN_ERROR 商户证书序列号有误' },
    });
  });

  it('never shows a signature: Authorization keeps its scheme, mchid and serial_no, answers hide Wechatpay-Signature', async () => {
    const { direct } = merchantsOf(sandbox);
    const answer = await callV3(sandbox, direct, 'GET', '/v3/certificates');
    const sent = sandbox.requests.at(-1)!.headers.authorization!;
    const signature = /signature="([^"]+)"/.exec(sent)![1]!;
    const entry = await lastRequest();
    const shown = JSON.stringify(entry);
    expect(shown).not.toContain(signature);
    expect(shown).not.toContain(answer.headers.get('wechatpay-signature')!);
    expect(entry.headers.authorization).toMatch(
      new RegExp(
        `^WECHATPAY2-SHA256-RSA2048 mchid="${direct.mchId}",.*serial_no="${direct.v3.serialNo}".*signature=\\(hidden\\)`,
      ),
    );
  });

  it('shows the string an APIv2 sign covers when the sign is wrong, without the key or the sign', async () => {
    const { direct } = merchantsOf(sandbox);
    const wrongKey = 'W'.repeat(32);
    const answer = await callV2(
      sandbox,
      '/vehicle/pay/querystate',
      parkingFields(direct, { plate_number: '粤B888888' }),
      wrongKey,
    );
    expect(answer.fields.err_code).toBe('SIGNERROR');
    const entry = await lastRequest();
    expect(entry.why).toMatchObject({
      stage: 'signature',
      name: 'sign',
      received: 'a 64-character sign that does not match',
    });
    expect(entry.why!.expected).toMatch(
      /^HMAC-SHA256 of "appid=.*&plate_number=粤B888888&sign_type=HMAC-SHA256.*&key=\(the merchant's APIv2 key\)"$/,
    );
    const shown = JSON.stringify(entry);
    expect(shown).not.toContain(direct.v2ApiKey);
    expect(shown).not.toMatch(/<sign>(<!\[CDATA\[)?[0-9A-F]{64}/);
    expect(entry.body).toContain('<sign>(hidden, 64 characters)</sign>');
  });

  it('names the field, the rule and the value of an APIv2 PARAM_ERROR, and marks accepted calls', async () => {
    const { direct } = merchantsOf(sandbox);
    await callV2(
      sandbox,
      '/vehicle/pay/querystate',
      parkingFields(direct, { trade_scene: 'PARKINGSPACE', plate_number: 'x' }),
      direct.v2ApiKey,
    );
    expect((await lastRequest()).why).toEqual({
      stage: 'fields',
      name: 'trade_scene',
      expected: '取值错误，应为 PARKING | PARKING SPACE | GAS | HIGHWAY | BRIDGE',
      received: 'PARKINGSPACE',
    });
    const plate = plateIn(sandbox, 'NORMAL');
    await callV2(
      sandbox,
      '/vehicle/pay/querystate',
      parkingFields(direct, { plate_number: plate }),
      direct.v2ApiKey,
    );
    const accepted = await lastRequest();
    expect(accepted).toMatchObject({
      outcome: 'accepted',
      merchant: direct.mchId,
      answer: { status: 200, note: 'SUCCESS' },
    });
    expect(accepted.why).toBeUndefined();
  });

  it('names the JSON pointer of an APIv3 PARAM_ERROR and marks a hostile answer', async () => {
    const { direct } = merchantsOf(sandbox);
    sandbox.setHostile('signtest');
    await callV3(sandbox, direct, 'POST', '/v3/parking/reminders/entry', {
      out_serial_number: 'S1',
      enter_timestamp: 'now',
    });
    const entry = await lastRequest();
    expect(entry.why).toMatchObject({ stage: 'fields', name: expect.stringMatching(/^body \//) });
    expect(entry.answer).toMatchObject({
      hostile: 'signtest',
      note: expect.stringContaining('[hostile: signtest]'),
    });
    expect(entry.answer.headers['Wechatpay-Signature']).toBe('WECHATPAY/SIGNTEST/… (a probe)');
  });

  it('does not record its own page, stream or the admin routes', async () => {
    await fetch(`${sandbox.url}/inspector`);
    await fetch(`${sandbox.url}/inspector/state`);
    await fetch(`${sandbox.url}/__sandbox/config`);
    expect(await entries()).toEqual([]);
  });
});

describe('the inspector records every notice sent', () => {
  it("keeps the receiver's status and body of each attempt, retrying as asked until acknowledged", async () => {
    let calls = 0;
    receiver = await startReceiver(() =>
      ++calls === 1 ? { status: 500, body: 'busy' } : { status: 204, body: '' },
    );
    const sent = await fetch(`${sandbox.url}/inspector/notices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'payment', url: receiver.url, retries: 2 }),
    });
    expect(await sent.json()).toEqual({ status: 204, body: '' });
    const notice = (await entries()).find((e): e is InspectedNotice => e.kind === 'notice')!;
    expect(notice).toMatchObject({
      event: 'TRANSACTION.SUCCESS',
      protocol: 'v3',
      url: receiver.url,
      status: 'acknowledged',
    });
    expect(notice.attempts.map((a) => [a.status, a.body])).toEqual([
      [500, 'busy'],
      [204, ''],
    ]);
    expect(JSON.parse(notice.plaintext!)).toMatchObject({ trade_state: 'SUCCESS', trade_scene: 'PARKING' });
    expect(notice.headers['Wechatpay-Signature']).toMatch(/^\(hidden, \d+ characters\)$/);
  });

  it('sends each sample kind and refuses an action that is not JSON', async () => {
    receiver = await startReceiver((body) =>
      body.includes('PARKING_FEE')
        ? { status: 200, body: '{"code":"SUCCESS","total_amount":500}' }
        : {
            status: 200,
            body: body.startsWith('<xml>') ? '<xml><return_code>SUCCESS</return_code></xml>' : '',
          },
    );
    for (const kind of ['plate-state', 'fee-query', 'business-circle']) {
      const sent = await fetch(`${sandbox.url}/inspector/notices`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind, url: receiver.url }),
      });
      expect(sent.status).toBe(200);
    }
    const notices = (await entries()).filter((e): e is InspectedNotice => e.kind === 'notice');
    expect(notices.map((n) => [n.event, n.status])).toEqual([
      ['车牌状态变更通知', 'acknowledged'],
      ['PARKING_FEE.QUERY_TRANS_INFO', 'acknowledged'],
      ['MALL_TRANSACTION.SUCCESS', 'acknowledged'],
    ]);
    expect(notices[1]!.attempts[0]!.body).toBe('{"code":"SUCCESS","total_amount":500}');
    expect(notices[0]!.body).toMatch(/<sign>\(hidden, 64 characters\)<\/sign>/);

    const plain = await fetch(`${sandbox.url}/inspector/notices`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'payment', url: receiver.url }),
    });
    expect(plain.status).toBe(400);
    expect(await plain.json()).toEqual({ error: 'content-type: expected application/json' });
  });
});

describe('the inspector page and stream', () => {
  it('serves one self-contained page: inline script and style under a nonce CSP, no external asset, no innerHTML', async () => {
    const answer = await fetch(`${sandbox.url}/inspector`);
    expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = answer.headers.get('content-security-policy')!;
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)![1]!;
    expect(csp).toContain("default-src 'none'");
    const html = await answer.text();
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html).not.toMatch(/\b(src|href)=["']?(https?:)?\/\//);
    expect(html).not.toContain('innerHTML');
    expect(html).not.toContain('<script src');
  });

  it('streams entries and state as Server-Sent Events as they happen', async () => {
    const { direct } = merchantsOf(sandbox);
    const controller = new AbortController();
    const stream = await fetch(`${sandbox.url}/inspector/events`, { signal: controller.signal });
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const waitFor = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    await waitFor(/event: state\n/);
    await callV2(
      sandbox,
      '/vehicle/pay/querystate',
      { appid: direct.appId, mch_id: '1234' },
      direct.v2ApiKey,
    );
    await waitFor(/event: entry\ndata: .*"path":"\/vehicle\/pay\/querystate"/);
    const line = /event: entry\ndata: (.*"path":"\/vehicle\/pay\/querystate".*)\n/.exec(text)![1]!;
    expect(JSON.parse(line)).toMatchObject({
      outcome: 'refused',
      why: { stage: 'merchant', name: 'mch_id', received: '1234' },
    });
    controller.abort();
  });
});

describe('the journal', () => {
  it('keeps only the newest entries once full, oldest first', () => {
    const journal = createJournal(3);
    for (let i = 0; i < 5; i++) {
      journal.addNotice({
        kind: 'notice',
        at: i,
        event: `E${i}`,
        protocol: 'v3',
        url: 'http://127.0.0.1/',
        merchant: '1',
        headers: {},
        body: '',
        attempts: [],
        status: 'pending',
      });
    }
    expect(journal.entries().map((e) => (e as InspectedNotice).event)).toEqual(['E2', 'E3', 'E4']);
    expect(journal.entries().map((e) => e.id)).toEqual([3, 4, 5]);
  });
});
