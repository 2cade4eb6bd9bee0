import 'reflect-metadata';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Body, Controller, HttpCode, Inject, Logger, Module, Post, Req, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NoticeHandlers, RunningApp } from './notices.ts';

const noticeHandlers = Symbol('notice handlers');

// #region recipe: nest-controller
@Controller('wxpay')
class NoticeController {
  constructor(@Inject(noticeHandlers) private readonly handlers: NoticeHandlers) {}

  // @Res() hands the response to the handler: it writes the reply WeChat expects.
  @Post('v2/notify')
  vehicle(@Req() req: IncomingMessage, @Res() res: ServerResponse) {
    return this.handlers.vehicleNotices.node(req, res);
  }

  @Post('v3/parking/notify')
  parking(@Req() req: IncomingMessage, @Res() res: ServerResponse) {
    return this.handlers.parkingNotices.node(req, res);
  }

  @Post('v3/mall/notify')
  mall(@Req() req: IncomingMessage, @Res() res: ServerResponse) {
    return this.handlers.mallNotices.node(req, res);
  }
}
// #endregion

@Controller('api')
class OrdersController {
  @Post('orders')
  @HttpCode(200)
  create(@Body() body: unknown) {
    return { received: body };
  }
}

/** NestJS on Express with `rawBody: true`: its JSON parser keeps the bytes on `req.rawBody`. */
export async function startNest(handlers: NoticeHandlers): Promise<RunningApp> {
  @Module({
    controllers: [NoticeController, OrdersController],
    providers: [{ provide: noticeHandlers, useValue: handlers }],
  })
  class AppModule {}
  Logger.overrideLogger(false); // quiet tests
  // #region recipe: nest-bootstrap
  const app = await NestFactory.create(AppModule, { rawBody: true });
  // #endregion
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer() as Server;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => app.close(),
  };
}
