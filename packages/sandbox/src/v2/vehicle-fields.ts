import type { FieldRule } from './fields.ts';

/** 交易场景 accepted by 用户入场通知. */
export const notificationScenes = ['PARKING', 'PARKING SPACE'] as const;

/**
 * 交易场景 accepted by 用户状态查询 and 申请扣款. The partner pages disagree with each other on GAS and
 * BRIDGE, so both modes accept all five rather than refuse what WeChat may take.
 */
export const vehicleScenes = ['PARKING', 'PARKING SPACE', 'GAS', 'HIGHWAY', 'BRIDGE'] as const;

/** `version`: 3.0 for PARKING, 2.0 for the other scenes per the official pages; either is accepted. */
export const versionRule: FieldRule = { name: 'version', required: true, values: ['3.0', '2.0'] };

/**
 * 用户状态 as each API reports it. 用户入场通知 knows only NORMAL and BLOCK; 用户状态查询 has no BLOCK and
 * reports a plate in arrears as OVERDUE.
 */
export function notificationUserState(state: string): 'NORMAL' | 'BLOCK' {
  return state === 'NORMAL' ? 'NORMAL' : 'BLOCK';
}

export function queryUserState(state: string): string {
  return state === 'BLOCK' ? 'OVERDUE' : state;
}
