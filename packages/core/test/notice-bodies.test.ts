import express from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createV3NoticeHandler, type V3NoticeHandlerOptions, type WxparkError } from '../src/index.ts';
import { createTestV3Notice, testNoticeKeys } from '../src/testing.ts';
import { listen, post } from './notice-helpers.ts';

const keys = testNoticeKeys();

function handlerWith(extra: Partial<V3NoticeHandlerOptions> = {}) {
  const seen: string[] = [];
  const errors: WxparkError[] = [];
  const handler = createV3NoticeHandler({
    verifier: keys.verifier,
    apiV3Key: keys.apiV3Key,
    onNotice: (notice) => void seen.push(notice.id),
    onError: (error) => errors.push(error as WxparkError),
    ...extra,
  });
  return { handler, seen, errors };
}

function notice() {
  return createTestV3Notice({
    event_type: 'VEHICLE.ENTRANCE_STATE_CHANGE',
    resource: { plate_number: '粤B888888' },
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('.node(req, res) takes the body wherever the framework left it', () => {
  it('verifies the Buffer express.raw() left in req.body', async () => {
    const { handler, seen } = handlerWith();
    const app = express();
    app.post('/notify', express.raw({ type: () => true }), (req, res) => void handler.node(req, res));
    const delivery = notice();
    expect((await post(`${await listen(app)}/notify`, delivery)).status).toBe(204);
    expect(seen).toEqual([delivery.id]);
  });

  it('verifies the string express.text() left in req.body', async () => {
    const { handler, seen } = handlerWith();
    const app = express();
    app.post('/notify', express.text({ type: () => true }), (req, res) => void handler.node(req, res));
    const delivery = notice();
    expect((await post(`${await listen(app)}/notify`, delivery)).status).toBe(204);
    expect(seen).toEqual([delivery.id]);
  });

  it('verifies req.rawBody kept beside a parsed req.body (NestJS rawBody: true, a verify hook)', async () => {
    const { handler, seen } = handlerWith();
    const app = express();
    app.use(
      express.json({
        verify: (req, _res, buffer) => {
          (req as unknown as { rawBody?: Buffer }).rawBody = buffer;
        },
      }),
    );
    app.post('/notify', (req, res) => void handler.node(req, res));
    const delivery = notice();
    expect((await post(`${await listen(app)}/notify`, delivery)).status).toBe(204);
    expect(seen).toEqual([delivery.id]);
  });

  it('answers 500 (never 413 or 2xx) when express.json() parsed the body, and tells onError the fix', async () => {
    const { handler, seen, errors } = handlerWith();
    const app = express();
    app.use(express.json());
    app.post('/notify', (req, res) => void handler.node(req, res));
    const answer = await post(`${await listen(app)}/notify`, notice());
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body)).toEqual({ code: 'FAIL', message: 'BODY_ALREADY_READ' });
    expect(seen).toEqual([]);
    expect(errors[0]?.code).toBe('BODY_ALREADY_READ');
    expect(errors[0]?.message).toMatch(/parsed into an object/);
    expect(errors[0]?.hint).toMatch(/express\.raw/);
  });

  it('warns once on the console when no onError is given', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const handler = createV3NoticeHandler({
      verifier: keys.verifier,
      apiV3Key: keys.apiV3Key,
      onNotice: () => {},
    });
    const app = express();
    app.use(express.json());
    app.post('/notify', (req, res) => void handler.node(req, res));
    const url = `${await listen(app)}/notify`;
    expect((await post(url, notice())).status).toBe(500);
    expect((await post(url, notice())).status).toBe(500);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/BODY_ALREADY_READ|parsed into an object/);
  });

  it('reads the stream when a body parser skipped the content type (app-wide express.json, XML body)', async () => {
    const { handler, errors } = handlerWith();
    const app = express();
    app.use(express.json());
    app.post('/notify', (req, res) => void handler.node(req, res));
    const delivery = notice();
    // Same signed bytes, labelled as XML: express.json() leaves them unread, so the handler still gets them.
    const answer = await post(`${await listen(app)}/notify`, {
      body: delivery.body,
      headers: { ...delivery.headers, 'content-type': 'text/xml' },
    });
    expect(answer.status).toBe(204);
    expect(errors).toEqual([]);
  });
});

describe('.fetch(request)', () => {
  it('answers 500 BODY_ALREADY_READ for a Request whose body was consumed', async () => {
    const { handler, errors } = handlerWith();
    const delivery = notice();
    const request = new Request('http://lot.test/notify', { method: 'POST', ...delivery });
    await request.text();
    const answer = await handler.fetch(request);
    expect(answer.status).toBe(500);
    expect(errors[0]?.code).toBe('BODY_ALREADY_READ');
  });
});

describe('.process(rawBody, headers)', () => {
  it('refuses a parsed object with BODY_ALREADY_READ and 500', async () => {
    const { handler, errors } = handlerWith();
    const delivery = notice();
    const answer = await handler.process(JSON.parse(delivery.body), delivery.headers);
    expect(answer.status).toBe(500);
    expect(errors[0]?.code).toBe('BODY_ALREADY_READ');
  });
});
