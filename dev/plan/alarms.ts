import { logicalIdOf, resourcesOfType, type CloudFormationTemplate } from "../aws/rules.ts";
import type { TimelinePoint } from "./simulation.ts";

/** A CloudWatch alarm of the template, on a metric the plan has a series for. */
export interface PlanAlarm {
  logicalId: string;
  description: string;
  metric: string;
  /** The queue or function the alarm watches (its logical id). */
  subject: string;
  statistic: string;
  periodSeconds: number;
  evaluationPeriods: number;
  threshold: number;
  comparison: string;
}

export interface AlarmVerdict {
  alarm: string;
  metric: string;
  /** Seconds since the first arrival when it would go to ALARM, or null when it stays OK. */
  firesAtSeconds: number | null;
}

/** Which series of the timeline stands for a CloudWatch metric, per subject. */
export interface AlarmSubjects {
  ingressQueue: string;
  deadLetterQueue?: string;
  /** Logical ids of the functions that consume the ingress queue. */
  consumers: string[];
}

const QUEUE_METRICS: Record<string, keyof TimelinePoint> = {
  ApproximateNumberOfMessagesVisible: "queueVisible",
  ApproximateNumberOfMessagesNotVisible: "queueInFlight",
  ApproximateAgeOfOldestMessage: "oldestAgeSeconds",
};
const FUNCTION_METRICS: Record<string, keyof TimelinePoint> = { Throttles: "throttles", Errors: "errors", ConcurrentExecutions: "concurrency" };

/** The template's alarms on SQS and Lambda metrics (others are not the plan's to judge). */
export function alarmsOf(template: CloudFormationTemplate): PlanAlarm[] {
  return resourcesOfType(template, "AWS::CloudWatch::Alarm").flatMap(([logicalId, properties]) => {
    const namespace = String(properties.Namespace ?? "");
    if (namespace !== "AWS/SQS" && namespace !== "AWS/Lambda") return [];
    const dimensions = (properties.Dimensions as Array<{ Name: string; Value: unknown }> | undefined) ?? [];
    const dimension = dimensions.find((candidate) => candidate.Name === (namespace === "AWS/SQS" ? "QueueName" : "FunctionName"));
    const subject = dimension && logicalIdOf(dimension.Value, `${logicalId}.Dimensions`, true);
    if (!subject) return [];
    return [{
      logicalId,
      description: String(properties.AlarmDescription ?? ""),
      metric: String(properties.MetricName),
      subject,
      statistic: String(properties.Statistic ?? "Average"),
      periodSeconds: Number(properties.Period ?? 60),
      evaluationPeriods: Number(properties.EvaluationPeriods ?? 1),
      threshold: Number(properties.Threshold ?? 0),
      comparison: String(properties.ComparisonOperator ?? "GreaterThanThreshold"),
    }];
  });
}

/**
 * Whether each alarm would fire during the run: the timeline's one-second samples grouped into
 * the alarm's periods, its statistic per period, ALARM after EvaluationPeriods breaching periods
 * in a row (DatapointsToAlarm taken as equal to it). An alarm on a queue or function the run has
 * no series for is left out.
 */
export function alarmVerdicts(alarms: readonly PlanAlarm[], subjects: AlarmSubjects, timeline: readonly TimelinePoint[]): AlarmVerdict[] {
  return alarms.flatMap((alarm): AlarmVerdict[] => {
    const series = seriesFor(alarm, subjects);
    if (!series) return [];
    let breaching = 0;
    for (let start = 0; start < timeline.length; start += alarm.periodSeconds) {
      const values = timeline.slice(start, start + alarm.periodSeconds).map(series);
      if (breaches(statistic(alarm.statistic, values), alarm)) breaching += 1;
      else breaching = 0;
      if (breaching >= alarm.evaluationPeriods) {
        return [{ alarm: alarm.logicalId, metric: alarm.metric, firesAtSeconds: Math.min(timeline.length, start + alarm.periodSeconds) }];
      }
    }
    return [{ alarm: alarm.logicalId, metric: alarm.metric, firesAtSeconds: null }];
  });
}

function seriesFor(alarm: PlanAlarm, subjects: AlarmSubjects): ((point: TimelinePoint) => number) | undefined {
  if (alarm.subject === subjects.deadLetterQueue && alarm.metric === "ApproximateNumberOfMessagesVisible") return (point) => point.deadLettered;
  const queueKey = alarm.subject === subjects.ingressQueue ? QUEUE_METRICS[alarm.metric] : undefined;
  const functionKey = subjects.consumers.includes(alarm.subject) ? FUNCTION_METRICS[alarm.metric] : undefined;
  const key = queueKey ?? functionKey;
  return key ? (point) => Number(point[key]) : undefined;
}

function statistic(name: string, values: number[]): number {
  if (values.length === 0) return 0;
  switch (name) {
    case "Maximum":
      return Math.max(...values);
    case "Minimum":
      return Math.min(...values);
    case "Sum":
      return values.reduce((sum, value) => sum + value, 0);
    case "SampleCount":
      return values.length;
    default:
      return values.reduce((sum, value) => sum + value, 0) / values.length;
  }
}

function breaches(value: number, { comparison, threshold }: PlanAlarm): boolean {
  switch (comparison) {
    case "GreaterThanOrEqualToThreshold":
      return value >= threshold;
    case "LessThanThreshold":
      return value < threshold;
    case "LessThanOrEqualToThreshold":
      return value <= threshold;
    default:
      return value > threshold;
  }
}
