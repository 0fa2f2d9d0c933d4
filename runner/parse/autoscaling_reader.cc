#include "runner/parse/autoscaling_reader.h"

namespace ebsim::scenario::parse {

using sim::Duration;

namespace {

// "upper" and "lower" thresholds, lower <= upper.
void readThresholds(ObjectReader& t, TriggerSpec& trigger) {
  const NumRange thresholds{0, 20000000, false};
  const auto upper = t.number("upper", thresholds, " (eb-reference 6)");
  const auto lower = t.number("lower", thresholds, " (eb-reference 6)");
  if (upper) trigger.upper = *upper;
  if (lower) trigger.lower = *lower;
  if ((upper || lower) && trigger.lower > trigger.upper) {
    t.reader().error(t.path(lower ? "lower" : "upper"),
                     "expected lower <= upper, got lower " + formatNumber(trigger.lower) +
                         " and upper " + formatNumber(trigger.upper));
  }
}

TriggerSpec readTrigger(ObjectReader& t) {
  TriggerSpec trigger;
  static const EnumTable<std::string> kMetrics =
      namesTable({"CPUUtilization", "NetworkIn", "NetworkOut", "DiskReadOps", "DiskWriteOps",
                  "DiskReadBytes", "DiskWriteBytes", "Latency", "RequestCount", "HealthyHostCount",
                  "UnhealthyHostCount", "TargetResponseTime"});
  static const EnumTable<std::string> kStatistics =
      namesTable({"Minimum", "Maximum", "Sum", "Average"});
  if (auto m = t.enumeration("metric", kMetrics)) trigger.metric = *m;
  if (auto s = t.enumeration("statistic", kStatistics)) trigger.statistic = *s;
  const DurRange periods = DurRange::between(Duration::minutes(1), Duration::minutes(600));
  if (auto p = t.duration("period", periods, " (eb-reference 6)")) trigger.period = *p;
  if (auto p = t.duration("breach_duration", periods, " (eb-reference 6)")) {
    trigger.breachDuration = *p;
  }
  readThresholds(t, trigger);
  const IntRange increments{-10000, 10000};
  if (auto i = t.integer("upper_increment", increments)) {
    trigger.upperIncrement = static_cast<int>(*i);
  }
  if (auto i = t.integer("lower_increment", increments)) {
    trigger.lowerIncrement = static_cast<int>(*i);
  }
  t.finish();
  return trigger;
}

}  // namespace

void readAutoscaling(ObjectReader& a, EnvironmentSpec& e, bool single) {
  if (ObjectReader t = a.object("trigger"); t.present()) {
    if (single) {
      a.reader().error(t.path(),
                       "a SingleInstance environment does not scale (eb-reference 6); remove "
                       "\"trigger\"");
    }
    e.trigger = readTrigger(t);
  }
  e.cooldown = a.duration("cooldown", DurRange::between(Duration::zero(), Duration::seconds(10000)),
                          " (eb-reference 6)");
  static const EnumTable<ports::HealthCheckType> kCheckTypes = {
      {"EC2", ports::HealthCheckType::kEc2}, {"ELB", ports::HealthCheckType::kElb}};
  if (auto h = a.enumeration("health_check_type", kCheckTypes)) {
    if (single && *h == ports::HealthCheckType::kElb) {
      a.reader().error(a.path("health_check_type"),
                       "a SingleInstance environment has no load balancer to check "
                       "(eb-reference 6)");
    }
    e.autoScalingHealthCheck = *h;
  }
  a.finish();
}

}  // namespace ebsim::scenario::parse
