import { randomUUID } from 'node:crypto';
import { createApiV3Key, createNonce, encryptAeadAes256Gcm } from '@wxpark/signer';
import { formatChinaRfc3339 } from '../china-time.ts';
import { SandboxUsageError } from '../errors.ts';
import { keyModes } from '../keys/platform-keys.ts';
import type { CallbackOutcome, SandboxState } from '../state.ts';
import type { SendV3NoticeOptions, V3NoticeDelivery } from '../types.ts';
import { signatureModes, wechatpayHeaders } from '../v3/signature.ts';
import { deliver } from './deliver.ts';

/** WeChat's summaries for the notices the parking and business-circle products send. */
const summaries: Record<string, string> = {
  'TRANSACTION.SUCCESS': '支付成功',
  'TRANSACTION.FAIL': '支付失败',
  'TRANSACTION.PAY_BACK': '用户还款成功',
  'VEHICLE.ENTRANCE_STATE_CHANGE': '停车入场状态变更',
  'PARKING_FEE.QUERY_TRANS_INFO': '停车费查询',
  'MALL_AUTH.ACTIVATE_CARD': '商圈会员积分服务授权',
  'MALL_TRANSACTION.SUCCESS': '商圈会员场内支付成功',
  'MALL_REFUND.SUCCESS': '商圈会员场内退款成功',
  'REFUND.SUCCESS': '退款成功',
  'REFUND.ABNORMAL': '退款异常',
  'REFUND.CLOSED': '退款关闭',
};

/** `resource.original_type` by event family; the parking and mall names are [U] in the public docs. */
function originalTypeOf(eventType: string): string {
  if (eventType.startsWith('TRANSACTION.')) return 'transaction';
  if (eventType.startsWith('REFUND.')) return 'refund';
  if (eventType === 'PARKING_FEE.QUERY_TRANS_INFO') return 'parking_fee';
  if (eventType.startsWith('VEHICLE.')) return 'vehicle';
  if (eventType.startsWith('MALL_TRANSACTION.')) return 'mall_transaction';
  if (eventType.startsWith('MALL_REFUND.')) return 'mall_refund';
  if (eventType.startsWith('MALL_AUTH.')) return 'mall_auth';
  return eventType.split('.')[0]!.toLowerCase();
}

function checkOptions(state: SandboxState, options: SendV3NoticeOptions) {
  if (typeof options !== 'object' || options === null) {
    throw new SandboxUsageError('sendV3Notice: expected an object with url, event_type and resource');
  }
  const { url, event_type, resource, mchId, keyMode, hostile } = options;
  if (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url)) {
    throw new SandboxUsageError(`url: expected an http(s) URL, got ${JSON.stringify(url)}`);
  }
  if (typeof event_type !== 'string' || event_type === '') {
    throw new SandboxUsageError(`event_type: expected a non-empty string, got ${JSON.stringify(event_type)}`);
  }
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    throw new SandboxUsageError('resource: expected an object (it is sent as encrypted JSON)');
  }
  for (const name of ['resource_type', 'summary', 'original_type', 'id'] as const) {
    const value = options[name];
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw new SandboxUsageError(`${name}: expected a non-empty string, got ${JSON.stringify(value)}`);
    }
  }
  if (keyMode !== undefined && !keyModes.includes(keyMode)) {
    throw new SandboxUsageError(
      `keyMode: expected one of ${keyModes.join(', ')}, got ${JSON.stringify(keyMode)}`,
    );
  }
  if (hostile !== undefined && !signatureModes.includes(hostile)) {
    throw new SandboxUsageError(
      `hostile: expected one of ${signatureModes.join(', ')}, got ${JSON.stringify(hostile)}`,
    );
  }
  const merchant = mchId === undefined ? state.config.merchants[0] : state.findMerchant(mchId);
  if (!merchant?.v3) {
    throw new SandboxUsageError(`mchId: expected a merchant of the config, got ${JSON.stringify(mchId)}`);
  }
  if (options.retries !== undefined && (!Number.isSafeInteger(options.retries) || options.retries < 0)) {
    throw new SandboxUsageError(
      `retries: expected a non-negative integer, got ${JSON.stringify(options.retries)}`,
    );
  }
  return { v3: merchant.v3, mchId: merchant.mchId };
}

/**
 * Builds, signs and POSTs an APIv3 notice (see `Sandbox.sendV3Notice`). The envelope keeps WeChat's field
 * order; the resource is encrypted under the merchant's APIv3 key with its original_type as associated data.
 */
export async function sendV3Notice(
  state: SandboxState,
  options: SendV3NoticeOptions,
): Promise<V3NoticeDelivery> {
  const { v3: credentials, mchId: merchantId } = checkOptions(state, options);
  const originalType = options.original_type ?? originalTypeOf(options.event_type);
  const nonce = createNonce(12);
  const envelope = JSON.stringify({
    id: options.id ?? randomUUID(),
    create_time: formatChinaRfc3339(new Date()),
    resource_type: options.resource_type ?? 'encrypt-resource',
    event_type: options.event_type,
    summary: options.summary ?? summaries[options.event_type] ?? '通知',
    resource: {
      original_type: originalType,
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: encryptAeadAes256Gcm({
        key: createApiV3Key(credentials.apiV3Key),
        nonce,
        associatedData: originalType,
        plaintext: JSON.stringify(options.resource),
      }),
      associated_data: originalType,
      nonce,
    },
  });
  const key = state.v3.keyring.signingKey(undefined, options.keyMode);
  const headers = {
    ...(await wechatpayHeaders(key, envelope, options.hostile)),
    'Content-Type': 'application/json',
    'User-Agent': 'Mozilla/4.0 (wxpark sandbox)',
  };
  const answer = await deliver(state, {
    event: options.event_type,
    protocol: 'v3',
    url: options.url,
    merchant: merchantId,
    body: envelope,
    headers,
    plaintext: JSON.stringify(options.resource),
    ...(options.hostile ? { hostile: options.hostile } : {}),
    acknowledged: (reply) => isReceived(reply.status),
    ...(options.retries === undefined ? {} : { retries: options.retries }),
  });
  state.log(
    `callback ${options.event_type} -> ${options.url} ${answer.status}` +
      (isReceived(answer.status) ? ' received' : ' NOT received') +
      (options.hostile ? ` [hostile: ${options.hostile}]` : ''),
  );
  return { ...answer, envelope, headers };
}

/** For APIv3 callbacks the status decides: 200 or 204 means received, anything else is retried. */
export function isReceived(status: number): boolean {
  return status === 200 || status === 204;
}

/**
 * Sends a notice without waiting for it, as WeChat does after answering the call that caused it, and records
 * on `record.notice` whether its receiver acknowledged it (what the admin API and the inspector show).
 */
export function sendV3NoticeInBackground(
  state: SandboxState,
  record: { notice?: CallbackOutcome },
  options: SendV3NoticeOptions,
  label: string,
): void {
  sendV3Notice(state, options).then(
    (answer) => {
      record.notice = { status: answer.status, acknowledged: isReceived(answer.status) };
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      record.notice = { acknowledged: false, error: message };
      state.log(`callback ${options.event_type} ${label} -> ${options.url} ${message}`);
    },
  );
}
