import type { SandboxState } from '../state.ts';
import type { SandboxBrand, SandboxMallMember } from '../types.ts';
import { isAnswer, resolveActing, type V3Acting, type V3Endpoint } from './endpoint.ts';
import { bool, fieldProblem, int, oneOf, optional, text, time } from './fields.ts';
import { subMchid } from './reminder-fields.ts';
import { type V3Answer, v3Error, v3NoContent, v3Ok } from './reply.ts';

const base = '/v3/businesscircle';
const appid = text({ maxLength: 32 });
const openid = text({ maxLength: 128 });
const futureSkewMs = 300_000;
// A province abbreviation, then upper-case letters, digits or Chinese characters (挂, 学, 警 …).
const plateNumber = text({
  maxLength: 32,
  pattern: /^[\u4e00-\u9fa5][A-Z0-9\u4e00-\u9fa5]+$/,
  patternName: '省份简称开头，其后为大写字母、数字或汉字的车牌号',
});

/** Whether the merchant (or the sub-merchant it acts for) serves the brand. */
function serves(brand: SandboxBrand, acting: V3Acting): boolean {
  return (
    brand.mchIds.includes(acting.merchant.mchId) ||
    (acting.sub_mchid !== undefined && brand.mchIds.includes(acting.sub_mchid))
  );
}

/** The brand a call names, checked as WeChat does: the caller must serve it, and appid must be its appid. */
function brandFor(
  state: SandboxState,
  acting: V3Acting,
  brandid: number,
  appidValue: unknown,
  location: 'body' | 'query',
): SandboxBrand | V3Answer {
  const brand = state.config.brands?.find((b) => b.brandId === brandid);
  if (!brand || !serves(brand, acting)) {
    return v3Error(
      403,
      'NO_AUTH',
      `商户号${acting.sub_mchid ?? acting.merchant.mchId}无权操作品牌${brandid}`,
    );
  }
  if (brand.appId !== appidValue) {
    throw fieldProblem(
      location === 'body' ? '/appid' : 'appid',
      appidValue,
      'appid与品牌绑定的appid不一致',
      location,
    );
  }
  return brand;
}

/** The brand of an appid among those the caller serves (points/notify and user-authorizations name no brand). */
function brandByAppId(
  state: SandboxState,
  acting: V3Acting,
  appidValue: unknown,
  location: 'body' | 'query',
): SandboxBrand {
  const brand = state.config.brands?.find((b) => b.appId === appidValue && serves(b, acting));
  if (!brand) {
    throw fieldProblem(
      location === 'body' ? '/appid' : 'appid',
      appidValue,
      'appid未绑定该商户服务的品牌',
      location,
    );
  }
  return brand;
}

function memberOf(
  state: SandboxState,
  brand: SandboxBrand,
  openidValue: unknown,
): SandboxMallMember | undefined {
  return state.config.mallMembers?.find((m) => m.brandId === brand.brandId && m.openid === openidValue);
}

function isBrand(value: SandboxBrand | V3Answer): value is SandboxBrand {
  return 'brandId' in value;
}

function notAuthorized(): V3Answer {
  return v3Error(400, 'INVALID_REQUEST', '用户未授权该品牌的商圈积分服务');
}

/** 智慧商圈: parking sync, points sync, authorisation and pending-points queries. */
export function businessCircleEndpoints(state: SandboxState): V3Endpoint[] {
  return [
    {
      method: 'POST',
      path: `${base}/parkings`,
      fields: {
        sub_mchid: subMchid,
        brandid: int({ min: 1 }),
        appid,
        openid,
        plate_number: plateNumber,
        state: oneOf(['IN', 'OUT']),
        time: time({ maxLength: 32 }),
      },
      process(call) {
        const acting = resolveActing(call, true);
        if (isAnswer(acting)) return acting;
        const { fields } = call;
        const brand = brandFor(state, acting, fields.brandid as number, fields.appid, 'body');
        if (!isBrand(brand)) return brand;
        if (Date.parse(fields.time as string) > Date.now() + futureSkewMs) {
          throw fieldProblem('/time', fields.time, '入场或出场时间不能晚于当前时间');
        }
        if (memberOf(state, brand, fields.openid)?.authorize_state !== 'AUTHORIZED') return notAuthorized();
        state.v3.mallParkings.set(`${brand.brandId}|${fields.openid}|${fields.plate_number}`, {
          state: fields.state as string,
          time: fields.time as string,
        });
        return v3NoContent(`parking ${fields.plate_number} ${fields.state}`);
      },
    },
    {
      method: 'POST',
      path: `${base}/points/notify`,
      fields: {
        sub_mchid: subMchid,
        transaction_id: text({ maxLength: 64 }),
        appid,
        openid,
        earn_points: bool(),
        increased_points: int({ min: 0 }),
        points_update_time: time({ maxLength: 32 }),
        no_points_remarks: optional(text({ maxLength: 20 })),
        total_points: optional(int({ min: 0 })),
      },
      process(call) {
        const acting = resolveActing(call, true);
        if (isAnswer(acting)) return acting;
        const { fields } = call;
        const brand = brandByAppId(state, acting, fields.appid, 'body');
        const member = memberOf(state, brand, fields.openid);
        if (member?.authorize_state !== 'AUTHORIZED') return notAuthorized();
        // Points are settled now: nothing is pending for the member any more.
        if (member.points_commit_status === 'PENDING') member.points_commit_status = 'FINISHED';
        state.v3.pointsNotices.set(`${acting.merchant.mchId}|${fields.transaction_id}`, fields);
        return v3NoContent(`points ${fields.transaction_id} +${fields.increased_points}`);
      },
    },
    {
      method: 'GET',
      path: `${base}/user-authorizations/{openid}`,
      pathFields: { openid },
      fields: { appid, sub_mchid: subMchid },
      process(call) {
        const acting = resolveActing(call, true, 'query');
        if (isAnswer(acting)) return acting;
        const brand = brandByAppId(state, acting, call.fields.appid, 'query');
        const member = memberOf(state, brand, call.fields.openid);
        const authorize_state = member?.authorize_state ?? 'UNAUTHORIZED';
        return v3Ok(
          {
            openid: call.fields.openid,
            authorize_state,
            ...(member?.authorize_time ? { authorize_time: member.authorize_time } : {}),
            ...(member?.deauthorize_time ? { deauthorize_time: member.deauthorize_time } : {}),
          },
          authorize_state,
        );
      },
    },
    {
      method: 'GET',
      path: `${base}/users/{openid}/points/commit_status`,
      pathFields: { openid },
      fields: { brandid: int({ min: 1 }), appid, sub_mchid: subMchid },
      process(call) {
        const acting = resolveActing(call, true, 'query');
        if (isAnswer(acting)) return acting;
        const brand = brandFor(state, acting, call.fields.brandid as number, call.fields.appid, 'query');
        if (!isBrand(brand)) return brand;
        // The sources disagree on 200-with-body and 204 here; the sandbox answers the body, which says more.
        const status = memberOf(state, brand, call.fields.openid)?.points_commit_status ?? 'FINISHED';
        return v3Ok({ points_commit_status: status }, status);
      },
    },
  ];
}
