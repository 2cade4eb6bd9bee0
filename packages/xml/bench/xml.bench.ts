import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { test } from 'vitest';
import { buildXml, parseXml } from '../src/index.ts';
import { parserOptions } from '../src/parse.ts';

// A notification request as sent: twelve fields, one a JSON scene_info with Chinese text.
const record = {
  appid: 'wxd930ea5d5a258f4f',
  mch_id: '10000100',
  sub_mch_id: '1900000109',
  nonce_str: 'ibuaiVcKdpRxkhJA',
  sign_type: 'HMAC-SHA256',
  version: '3.0',
  trade_scene: 'PARKING',
  scene_info:
    '{"scene_info":{"start_time":"20261124103456","plate_number":"粤B888888","parking_name":"欢乐海岸停车场","free_time":"600"}}',
  notify_url: 'https://example.com/wxpark/notify',
  openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  car_type: '小型车',
  sign: '6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6',
};

// A notification response as WeChat sends it: mixed CDATA and plain text, about 600 bytes.
const response =
  '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg>' +
  '<appid><![CDATA[wxd930ea5d5a258f4f]]></appid><mch_id><![CDATA[10000100]]></mch_id>' +
  '<sub_mch_id><![CDATA[1900000109]]></sub_mch_id><nonce_str><![CDATA[ibuaiVcKdpRxkhJA]]></nonce_str>' +
  '<sign><![CDATA[6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6]]></sign>' +
  '<result_code><![CDATA[SUCCESS]]></result_code><err_code><![CDATA[]]></err_code>' +
  '<err_code_des><![CDATA[]]></err_code_des><user_state><![CDATA[NORMAL]]></user_state>' +
  '<deduct_mode>PROACTIVE</deduct_mode><sign_type>HMAC-SHA256</sign_type><version>3.0</version>' +
  '<total_fee>0100</total_fee></xml>';

const builder = new XMLBuilder({ cdataPropName: '#cdata' });
const parserDefault = new XMLParser();
const parserCdata = new XMLParser({ cdataPropName: '#cdata' });
// parseXml's own fast-xml-parser settings, without its checks: the difference is what the checks cost.
const parserSameOptions = new XMLParser(parserOptions);

// Vitest 5 dropped the top-level `bench` export: benchmarks are the `bench` fixture inside a test.
test('buildXml against XMLBuilder on a 12-field request', async ({ bench }) => {
  await bench.compare(
    bench('buildXml', () => {
      buildXml(record);
    }),
    bench('raw XMLBuilder (cdataPropName)', () => {
      const fields: Record<string, { '#cdata': string }> = {};
      for (const [key, value] of Object.entries(record)) fields[key] = { '#cdata': value };
      builder.build({ xml: fields });
    }),
  );
});

test(`parseXml against XMLParser on a ${Buffer.byteLength(response)}-byte response`, async ({ bench }) => {
  await bench.compare(
    bench('parseXml', () => {
      parseXml(response);
    }),
    bench('raw XMLParser.parse (default options)', () => {
      parserDefault.parse(response);
    }),
    bench('raw XMLParser.parse (defaults + cdataPropName)', () => {
      parserCdata.parse(response);
    }),
    bench('raw XMLParser.parse (parseXml options, no checks)', () => {
      parserSameOptions.parse(response);
    }),
  );
});
