import { randomDigits } from '../ids.ts';
import type { SandboxState } from '../state.ts';
import type { V3Endpoint } from './endpoint.ts';
import { anyRecord, fieldProblem, int, list, oneOf, optional, record, text } from './fields.ts';
import { parkingLotTypes } from './reminder-fields.ts';
import { v3Error, v3NoContent, v3Ok } from './reply.ts';
import type { StoredApplication } from './state.ts';

const base = '/v3/parking/reminders';
const coordinate = text({ maxLength: 16, pattern: /^-?\d{1,3}(\.\d+)?$/, patternName: '十进制经纬度' });

const parkingLot = record({
  parking_lot_name: text({ maxLength: 128 }),
  out_parking_lot_id: text({ maxLength: 64 }),
  parking_lot_address: text({ maxLength: 256 }),
  longitude: coordinate,
  latitude: coordinate,
  parking_lot_type: oneOf(parkingLotTypes),
  phone_number: text({ maxLength: 20 }),
  parking_sign_url: optional(text({ maxLength: 512 })),
  // 停车服务开通申请 (POST /v3/parking/reminders/application), official page: at most 6 texts of up to 512
  // characters each.
  notification_text_list: optional(list(text({ maxLength: 512 }), { maxItems: 6 })),
  payment_mini_prog_appid: optional(text({ maxLength: 32 })),
  payment_path: text({ maxLength: 256 }),
  parking_order_mini_prog_appid: optional(text({ maxLength: 32 })),
  parking_order_path: optional(text({ maxLength: 256 })),
  charging_rule: optional(anyRecord()),
});

const applicationKeys = {
  parking_lot_audit_no: text({ maxLength: 64 }),
  out_parking_lot_id: text({ maxLength: 64 }),
};

function describe(application: StoredApplication) {
  const { mchId: _mchId, ...answer } = application;
  return answer;
}

/** The merchant's configured lot with this 商户停车场ID, if any. */
function lotIdFor(state: SandboxState, mchId: string, outId: string): string | undefined {
  return state.config.parkingLots?.find((l) => l.mchId === mchId && l.out_parking_lot_id === outId)
    ?.wx_parking_lot_id;
}

function findApplication(state: SandboxState, mchId: string, fields: Record<string, unknown>) {
  const application = state.v3.applications.get(fields.parking_lot_audit_no as string);
  const matches =
    application?.mchId === mchId && application.parking_lot.out_parking_lot_id === fields.out_parking_lot_id;
  return matches ? application : undefined;
}

/**
 * The lot endpoints of the 停车缴费服务: lot query and the application flow. Applications stay
 * AUDIT_STATUS_PENDING: the sandbox never reviews them (configure `parkingLots` for enabled lots).
 */
export function parkingLotEndpoints(state: SandboxState): V3Endpoint[] {
  return [
    {
      method: 'GET',
      path: `${base}/parking-lot`,
      fields: {
        out_parking_lot_id: optional(text({ maxLength: 64 })),
        wx_parking_lot_id: optional(text({ maxLength: 64 })),
      },
      process({ merchant, fields }) {
        if (fields.out_parking_lot_id === undefined && fields.wx_parking_lot_id === undefined) {
          throw fieldProblem(
            'out_parking_lot_id',
            '',
            'out_parking_lot_id 与 wx_parking_lot_id 至少填写一个',
            'query',
          );
        }
        const lot = state.config.parkingLots?.find(
          (l) =>
            l.mchId === merchant.mchId &&
            (fields.wx_parking_lot_id === undefined || l.wx_parking_lot_id === fields.wx_parking_lot_id) &&
            (fields.out_parking_lot_id === undefined || l.out_parking_lot_id === fields.out_parking_lot_id),
        );
        if (!lot) return v3Error(404, 'RESOURCE_NOT_EXISTS', '停车场不存在');
        const { mchId: _mchId, ...answer } = lot;
        return v3Ok(answer, `lot ${lot.wx_parking_lot_id}`);
      },
    },
    {
      method: 'POST',
      path: `${base}/application`,
      fields: { parking_lot: parkingLot },
      process({ merchant, fields }) {
        const lot = fields.parking_lot as Record<string, unknown>;
        const pending = [...state.v3.applications.values()].some(
          (a) =>
            a.mchId === merchant.mchId &&
            a.audit_status === 'AUDIT_STATUS_PENDING' &&
            a.parking_lot.out_parking_lot_id === lot.out_parking_lot_id,
        );
        if (pending) return v3Error(400, 'INVALID_REQUEST', '该停车场已有审核中的申请');
        const application: StoredApplication = {
          mchId: merchant.mchId,
          parking_lot_audit_no: randomDigits(20),
          audit_status: 'AUDIT_STATUS_PENDING',
          submit_time: Math.floor(Date.now() / 1000),
          parking_lot: lot,
        };
        state.v3.applications.set(application.parking_lot_audit_no, application);
        return v3Ok(
          { parking_lot_audit_no: application.parking_lot_audit_no },
          `application ${application.parking_lot_audit_no}`,
        );
      },
    },
    {
      method: 'GET',
      path: `${base}/application/query`,
      fields: applicationKeys,
      process({ merchant, fields }) {
        const application = findApplication(state, merchant.mchId, fields);
        if (!application) return v3Error(404, 'RESOURCE_NOT_EXISTS', '停车场申请不存在');
        return v3Ok({ application: describe(application) }, application.audit_status);
      },
    },
    {
      method: 'POST',
      path: `${base}/application/withdraw`,
      fields: applicationKeys,
      process({ merchant, fields }) {
        const application = findApplication(state, merchant.mchId, fields);
        if (!application) return v3Error(404, 'RESOURCE_NOT_EXISTS', '停车场申请不存在');
        if (application.audit_status !== 'AUDIT_STATUS_PENDING') {
          return v3Error(400, 'INVALID_REQUEST', `申请状态为${application.audit_status}，不可撤回`);
        }
        application.audit_status = 'AUDIT_STATUS_WITHDRAWN';
        return v3NoContent(`withdrawn ${application.parking_lot_audit_no}`);
      },
    },
    {
      method: 'GET',
      path: `${base}/applications`,
      fields: {
        out_parking_lot_id: text({ maxLength: 64 }),
        offset: optional(int({ min: 0 })),
        limit: optional(int({ min: 1, max: 100 })),
      },
      process({ merchant, fields }) {
        const offset = (fields.offset as number | undefined) ?? 0;
        const limit = (fields.limit as number | undefined) ?? 10;
        const all = [...state.v3.applications.values()].filter(
          (a) => a.mchId === merchant.mchId && a.parking_lot.out_parking_lot_id === fields.out_parking_lot_id,
        );
        const wxId = lotIdFor(state, merchant.mchId, fields.out_parking_lot_id as string);
        return v3Ok(
          {
            application_list: all.slice(offset, offset + limit).map(describe),
            ...(wxId === undefined ? {} : { wx_parking_lot_id: wxId }),
          },
          `${all.length} application(s)`,
        );
      },
    },
  ];
}
