import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { listen, merchantsOf } from '@wxpark/test-utils';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index.ts';
import { callV2, plateIn } from '../test/helpers.ts';
import { callV3 } from '../test/v3-helpers.ts';

/** Debian's Chromium; playwright-core never downloads a browser here. */
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

let sandbox: Sandbox;
let browser: Browser;
let page: Page;
let receiverUrl: string;
const received: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(`no Chromium at ${chromiumPath}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  mkdirSync(artifacts, { recursive: true });
  sandbox = await startSandbox();
  // The merchant's notify endpoint: acknowledges, and answers a fee query with a fee.
  const receiver = await listen(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    received.push(body);
    const fee = body.includes('PARKING_FEE.QUERY_TRANS_INFO');
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(fee ? '{"code":"SUCCESS","total_amount":1500,"payable_amount":1500}' : '{"code":"SUCCESS"}');
  });
  receiverUrl = `${receiver.url}/wxpay/notify`;
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // Root in a container has no user namespace for Chromium's own sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
});

describe('the inspector in Chromium', () => {
  it('shows a refused call with exactly why, live, and an accepted one', async () => {
    await page.goto(`${sandbox.url}/inspector`);
    await page.getByTestId('live').filter({ hasText: 'live' }).waitFor();

    const { direct } = merchantsOf(sandbox);
    const plate = plateIn(sandbox, 'NORMAL');
    const fields = {
      appid: direct.appId,
      mch_id: direct.mchId,
      sign_type: 'HMAC-SHA256',
      version: '3.0',
      trade_scene: 'PARKING',
      plate_number: plate,
    };
    await callV2(sandbox, '/vehicle/pay/querystate', fields, 'K'.repeat(32));
    const refused = page.getByTestId('entry').filter({ hasText: '/vehicle/pay/querystate' }).first();
    await expect.poll(() => refused.getByTestId('verdict').textContent()).toContain('refused');
    expect(await refused.getByTestId('verdict').textContent()).toContain('signature · sign');
    expect(await refused.getByTestId('answer').textContent()).toContain('SIGNERROR');

    await refused.click();
    const why = page.getByTestId('why');
    await why.waitFor();
    const whyText = (await why.textContent())!;
    expect(whyText).toContain('HMAC-SHA256 of "appid=');
    expect(whyText).toContain("&key=(the merchant's APIv2 key)");
    expect(whyText).toContain('a 64-character sign that does not match');

    const v3 = merchantsOf(sandbox).direct;
    const lot = sandbox.config.parkingLots!.find((l) => l.mchId === v3.mchId)!;
    const entry = await callV3(sandbox, v3, 'POST', '/v3/parking/reminders/entry', {
      out_serial_number: 'BROWSER-0001',
      parking_id: lot.wx_parking_lot_id,
      plate_number: plate,
      enter_timestamp: Math.floor(Date.now() / 1000) - 600,
      plate_color: 'PLATE_COLOR_BLUE',
      car_type: 'PLATE_TYPE_TEMPORARY',
      vehicle_type: 'VEHICLE_TYPE_SMALL',
    });
    expect(entry.status).toBe(200);
    const accepted = page.getByTestId('entry').filter({ hasText: '/v3/parking/reminders/entry' }).first();
    await expect.poll(() => accepted.getByTestId('verdict').textContent()).toContain('accepted');
    // The state view follows: the stay and its 微信停车单号.
    await expect
      .poll(() => page.getByTestId('stays').textContent())
      .toContain(entry.json!.serial_number as string);

    await page.screenshot({ path: `${artifacts}inspector-requests.png`, fullPage: true });
  });

  it("sends a fee-query notice with the button and shows the receiver's reply", async () => {
    const form = page.getByTestId('notice-form');
    await form.locator('select[name=kind]').selectOption('fee-query');
    await form.locator('input[name=url]').fill(receiverUrl);
    await page.getByTestId('send-notice').click();
    await expect
      .poll(() => page.getByTestId('notice-result').textContent())
      .toContain('receiver answered HTTP 200');
    expect(await page.getByTestId('notice-result').textContent()).toContain('"total_amount":1500');

    const notice = page.locator('[data-testid=entry][data-kind=notice]').first();
    await expect.poll(() => notice.getByTestId('verdict').textContent()).toContain('acknowledged');
    expect(await notice.textContent()).toContain(`PARKING_FEE.QUERY_TRANS_INFO → ${receiverUrl}`);
    expect(await notice.getByTestId('answer').textContent()).toContain(
      'HTTP 200 {"code":"SUCCESS","total_amount":1500',
    );
    await notice.click();
    await expect
      .poll(() => page.getByTestId('receiver-reply').first().textContent())
      .toContain('"payable_amount": 1500');
    expect(received.some((body) => body.includes('"event_type":"PARKING_FEE.QUERY_TRANS_INFO"'))).toBe(true);

    await page.screenshot({ path: `${artifacts}inspector-notice.png`, fullPage: true });
  });

  it('arms a hostile answer and rotates the platform certificate from its buttons', async () => {
    await page.locator('#hostile-form select[name=mode]').selectOption('bad-sign');
    await page.getByTestId('arm-hostile').click();
    await expect.poll(() => page.getByTestId('hostile-queue').textContent()).toBe('bad-sign ×1');
    const { direct } = merchantsOf(sandbox);
    await callV3(sandbox, direct, 'GET', '/v3/certificates');
    const spoiled = page.getByTestId('entry').filter({ hasText: 'GET /v3/certificates' }).first();
    await expect.poll(() => spoiled.getByTestId('verdict').textContent()).toContain('hostile: bad-sign');
    await expect.poll(() => page.getByTestId('hostile-queue').textContent()).toBe('none');

    const before = sandbox.config.platform.certificates.length;
    await page.getByTestId('rotate').click();
    await expect
      .poll(() => page.getByTestId('rotate-result').textContent())
      .toContain('new platform certificate');
    expect(sandbox.config.platform.certificates.length).toBe(before + 1);
    const newest = sandbox.config.platform.certificates.at(-1)!.serialNo;
    await expect.poll(() => page.getByTestId('certificates').textContent()).toContain(newest);
    await page.screenshot({ path: `${artifacts}inspector-actions.png`, fullPage: true });
  });

  it('sets the outcome of the next refund from its form and shows it waiting', async () => {
    await page.locator('#refund-outcome-form select[name=outcome]').selectOption('CLOSED');
    await page.getByTestId('arm-refund-outcome').click();
    await expect
      .poll(() => page.getByTestId('refund-outcome-result').textContent())
      .toBe('set: the next 1 refund(s) end CLOSED (APIv2: REFUNDCLOSE)');
    await expect.poll(() => page.getByTestId('refund-outcome-queue').textContent()).toBe('CLOSED ×1');
    expect(await (await fetch(`${sandbox.url}/__sandbox/refund-outcome`)).json()).toEqual([
      { status: 'CLOSED', remaining: 1 },
    ]);
  });

  it('renders what a request carries as text, never as markup', async () => {
    await fetch(`${sandbox.url}/v3/%3Cimg%20src=x%20onerror=alert(1)%3E`, {
      method: 'POST',
      body: '<b>bold</b>',
    });
    const row = page.getByTestId('entry').filter({ hasText: '/v3/%3Cimg' }).first();
    await row.waitFor();
    await row.click();
    await expect
      .poll(() => page.locator('pre').filter({ hasText: '<b>bold</b>' }).count())
      .toBeGreaterThan(0);
    expect(await page.locator('#log b, #log img').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
