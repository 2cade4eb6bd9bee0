import { array, boolean, integer, objectOf, oneOf, optional, string } from '@wxpark/core';
import { plateTypes, vehicleTypes } from './fields.ts';

// Every field and value here is from the 提交停车场进件申请 schema (TheNorthMemory/wechatpay-openapi
// docs/v3/parking/reminders/application.yaml, updated 2026-06-29): it lists no required field inside
// charging_rule, so none is required here. The unit of the durations is not stated (the examples, 30 and
// 60, read as minutes); amounts are integers, as every fee in these APIs is in fen.

/** 收费规则类型. */
export type ChargingRuleType =
  | 'CHARGING_RULE_UNKNOWN'
  | 'CHARGING_RULE_FIXED_INTERVAL'
  | 'CHARGING_RULE_SEGMENT'
  | 'CHARGING_RULE_PER_ENTRY';
/** 日期类型. */
export type DayType = 'DAY_TYPE_UNKNOWN' | 'DAY_TYPE_WEEKDAY' | 'DAY_TYPE_HOLIDAY' | 'DAY_TYPE_ALL_DAY';

/** When and to which cars a charging rule applies: the fields every rule list shares. */
export interface ChargingTimeBand {
  /** 日期类型. */
  day_type?: DayType;
  /** 时段开始时间: `HH:mm`. */
  start_time?: string;
  /** 时段结束时间: `HH:mm`. */
  end_time?: string;
  /** 车辆类型. */
  vehicle_type?: (typeof vehicleTypes)[number];
  /** 车牌类型. */
  plate_type?: (typeof plateTypes)[number];
}

/** 按时段间隔收费 (`CHARGING_RULE_FIXED_INTERVAL`): one time band. */
export interface FixedIntervalRule extends ChargingTimeBand {
  /** 首段收费时长. */
  first_duration?: number;
  /** 首段收费金额 (fen). */
  first_amount?: number;
  /** 间隔收费时长. */
  interval_duration?: number;
  /** 间隔收费金额 (fen). */
  interval_amount?: number;
  /** 间隔时段收费封顶 (fen). */
  interval_max_amount?: number;
  /** 单日最大收款金额 (fen). */
  max_fee_per_day?: number;
  /** 免费时段收取模式. */
  free_period_charging_mode?:
    | 'FREE_PERIOD_CHARGING_UNKNOWN'
    | 'FREE_PERIOD_CHARGING_ONCE_PER_ENTRY'
    | 'FREE_PERIOD_CHARGING_ONCE_PER_24_HOURS'
    | 'FREE_PERIOD_CHARGING_ONCE_PER_CALENDAR_DAY'
    | 'FREE_PERIOD_CHARGING_CUMULATIVE_QUOTA_CALCULATION';
  /** 免费时段计算方式. */
  free_period_calculation_mode?:
    | 'FREE_PERIOD_CAL_UNKNOWN'
    | 'FREE_PERIOD_CAL_CONCURRENT_START'
    | 'FREE_PERIOD_CAL_SEQUENTIAL_START';
  /** 新能源是否免停. */
  is_green_vehicle_free_parking?: boolean;
  /** 首段收费模式. */
  first_duration_mode?:
    | 'FIRST_DURATION_MODE_UNKNOWN'
    | 'FIRST_DURATION_MODE_ONLY_FIRST_DURATION'
    | 'FIRST_DURATION_MODE_EVERY_FIRST_DURATION';
}

/** 按停车时长分段收费 (`CHARGING_RULE_SEGMENT`): one duration segment. */
export interface DurationSegmentRule extends ChargingTimeBand {
  /** 收费模式: by interval, or once. */
  charge_mode?: 'UNKNOWN' | 'INTERVAL' | 'ONE_TIME';
  /** 停车时长起始. */
  duration_from?: number;
  /** 停车时长结束. */
  duration_to?: number;
  /** 固定收费金额 (fen). */
  fixed_amount?: number;
  /** 间隔时段. */
  interval_min?: number;
  /** 间隔收费金额 (fen). */
  interval_amount?: number;
  /** 间隔时段收费封顶 (fen). */
  interval_max_amount?: number;
  /** 单日最大收款金额 (fen). */
  max_fee_per_day?: number;
}

/** 按次收费 (`CHARGING_RULE_PER_ENTRY`): one time band. */
export interface PreEntryRule extends ChargingTimeBand {
  /** 收费金额 (fen). */
  amount?: number;
  /** 单日最大收款金额 (fen). */
  max_fee_per_day?: number;
}

/** 收费规则 of a 停车场 (提交停车场申请). */
export interface ChargingRule {
  /** 收费规则类型: which of the rule lists below applies. */
  rule_type?: ChargingRuleType;
  /** 收费金额限制类型. */
  fee_limit_type?: 'FEE_LIMIT_UNKNOWN' | 'FEE_LIMIT_AGGREGATE' | 'FEE_LIMIT_SINGLE';
  /** 计费周期类型. */
  daily_limit_type?: 'DAILY_LIMIT_UNKNOWN' | 'DAILY_LIMIT_ROLLING_24H' | 'DAILY_LIMIT_CALENDAR_DAY';
  /** 不满一小时取整方式. */
  time_rounding_type?: 'TIME_ROUND_UNKNOWN' | 'TIME_ROUND_DOWN' | 'TIME_ROUND_UP';
  /** 入场免费时间. */
  free_entry_duration?: number;
  /** 出场免费时间. */
  free_exit_duration?: number;
  /** 按时段间隔收费的规则. */
  fixed_interval_rule?: FixedIntervalRule[];
  /** 按停车时长分段收费的规则. */
  duration_segment_rule?: DurationSegmentRule[];
  /** 按次收费的规则. */
  pre_entry_rule?: PreEntryRule[];
  /** 节假日模式 (`MODY` is WeChat's spelling). */
  holiday_mode?:
    | 'HOLIDAY_MODE_UNKNOWN'
    | 'HOLIDAY_MODE_LEGAL_MODY'
    | 'HOLIDAY_MODE_CALENDAR_MODY'
    | 'HOLIDAY_MODE_FINANCIAL_MODY';
  /** 累计限额模式. */
  aggregate_limit_mode?:
    | 'AGGREGATE_LIMIT_MODE_UNKNOWN'
    | 'AGGREGATE_LIMIT_MODE_NORMAL'
    | 'AGGREGATE_LIMIT_MODE_MIN';
  /** 首次计费时间模式. */
  first_charge_time_mode?:
    | 'FIRST_CHARGE_TIME_MODE_UNKNOWN'
    | 'FIRST_CHARGE_TIME_MODE_ENTER'
    | 'FIRST_CHARGE_TIME_MODE_AFTER_FREE';
}

// "09:00" in the schema's examples, at most 5 characters; 24:00 is let through as an end of day.
const clock = optional(
  string({ maxLength: 5, pattern: /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/, patternName: 'HH:mm' }),
);
const count = optional(integer({ min: 0 }));
const dayType = optional(
  oneOf(['DAY_TYPE_UNKNOWN', 'DAY_TYPE_WEEKDAY', 'DAY_TYPE_HOLIDAY', 'DAY_TYPE_ALL_DAY']),
);
const band = {
  day_type: dayType,
  start_time: clock,
  end_time: clock,
  vehicle_type: optional(oneOf(vehicleTypes)),
  plate_type: optional(oneOf(plateTypes)),
};

/** The rules of {@link ChargingRule}. */
export const chargingRule = objectOf<ChargingRule>()({
  rule_type: optional(
    oneOf([
      'CHARGING_RULE_UNKNOWN',
      'CHARGING_RULE_FIXED_INTERVAL',
      'CHARGING_RULE_SEGMENT',
      'CHARGING_RULE_PER_ENTRY',
    ]),
  ),
  fee_limit_type: optional(oneOf(['FEE_LIMIT_UNKNOWN', 'FEE_LIMIT_AGGREGATE', 'FEE_LIMIT_SINGLE'])),
  daily_limit_type: optional(
    oneOf(['DAILY_LIMIT_UNKNOWN', 'DAILY_LIMIT_ROLLING_24H', 'DAILY_LIMIT_CALENDAR_DAY']),
  ),
  time_rounding_type: optional(oneOf(['TIME_ROUND_UNKNOWN', 'TIME_ROUND_DOWN', 'TIME_ROUND_UP'])),
  free_entry_duration: count,
  free_exit_duration: count,
  fixed_interval_rule: optional(
    array(
      objectOf<FixedIntervalRule>()({
        ...band,
        first_duration: count,
        first_amount: count,
        interval_duration: count,
        interval_amount: count,
        interval_max_amount: count,
        max_fee_per_day: count,
        free_period_charging_mode: optional(
          oneOf([
            'FREE_PERIOD_CHARGING_UNKNOWN',
            'FREE_PERIOD_CHARGING_ONCE_PER_ENTRY',
            'FREE_PERIOD_CHARGING_ONCE_PER_24_HOURS',
            'FREE_PERIOD_CHARGING_ONCE_PER_CALENDAR_DAY',
            'FREE_PERIOD_CHARGING_CUMULATIVE_QUOTA_CALCULATION',
          ]),
        ),
        free_period_calculation_mode: optional(
          oneOf([
            'FREE_PERIOD_CAL_UNKNOWN',
            'FREE_PERIOD_CAL_CONCURRENT_START',
            'FREE_PERIOD_CAL_SEQUENTIAL_START',
          ]),
        ),
        is_green_vehicle_free_parking: optional(boolean()),
        first_duration_mode: optional(
          oneOf([
            'FIRST_DURATION_MODE_UNKNOWN',
            'FIRST_DURATION_MODE_ONLY_FIRST_DURATION',
            'FIRST_DURATION_MODE_EVERY_FIRST_DURATION',
          ]),
        ),
      }),
    ),
  ),
  duration_segment_rule: optional(
    array(
      objectOf<DurationSegmentRule>()({
        ...band,
        charge_mode: optional(oneOf(['UNKNOWN', 'INTERVAL', 'ONE_TIME'])),
        duration_from: count,
        duration_to: count,
        fixed_amount: count,
        interval_min: count,
        interval_amount: count,
        interval_max_amount: count,
        max_fee_per_day: count,
      }),
    ),
  ),
  pre_entry_rule: optional(
    array(objectOf<PreEntryRule>()({ ...band, amount: count, max_fee_per_day: count })),
  ),
  holiday_mode: optional(
    oneOf([
      'HOLIDAY_MODE_UNKNOWN',
      'HOLIDAY_MODE_LEGAL_MODY',
      'HOLIDAY_MODE_CALENDAR_MODY',
      'HOLIDAY_MODE_FINANCIAL_MODY',
    ]),
  ),
  aggregate_limit_mode: optional(
    oneOf(['AGGREGATE_LIMIT_MODE_UNKNOWN', 'AGGREGATE_LIMIT_MODE_NORMAL', 'AGGREGATE_LIMIT_MODE_MIN']),
  ),
  first_charge_time_mode: optional(
    oneOf([
      'FIRST_CHARGE_TIME_MODE_UNKNOWN',
      'FIRST_CHARGE_TIME_MODE_ENTER',
      'FIRST_CHARGE_TIME_MODE_AFTER_FREE',
    ]),
  ),
});
