#include "runner/parse/load_balancer_reader.h"

namespace ebsim::scenario::parse {

using sim::Duration;

namespace {

// A network load balancer checks every 10 or 30 s (eb-reference 5.1): another interval is
// reported and dropped.
void checkNetworkInterval(ObjectReader& hc, ports::LoadBalancerType type, HealthCheckOptions& h) {
  if (type == ports::LoadBalancerType::kNetwork && h.interval &&
      *h.interval != Duration::seconds(10) && *h.interval != Duration::seconds(30)) {
    hc.reader().error(hc.path("interval"),
                      "a network load balancer checks every 10s or 30s "
                      "(eb-reference 5.1), got " +
                          sim::formatDuration(*h.interval));
    h.interval.reset();
  }
}

// The timeout must be shorter than the interval, given or default; a network load balancer's
// timeout is not configurable (eb-reference 5.1).
void checkTimeoutFitsInterval(ObjectReader& hc, ports::LoadBalancerType type,
                              const HealthCheckOptions& h) {
  const ports::HealthCheckSettings effective = h.over(ports::defaultHealthCheck(type));
  if (type != ports::LoadBalancerType::kNetwork && (h.interval || h.timeout) &&
      effective.Timeout >= effective.Interval) {
    hc.reader().error(hc.path(h.timeout ? "timeout" : "interval"),
                      "expected the timeout (" + sim::formatDuration(effective.Timeout) +
                          ") to be shorter than the interval (" +
                          sim::formatDuration(effective.Interval) + ")");
  }
}

// eb-reference 5.1: interval 5-300 s, timeout 1-60 s (classic 2-60), thresholds 2-10.
void readHealthCheck(ObjectReader& hc, ports::LoadBalancerType type, HealthCheckOptions& h) {
  if (auto p = hc.str("path")) {
    if (p->front() != '/') {
      hc.reader().error(hc.path("path"), "expected a path starting with '/', got " + quote(*p));
    } else {
      h.path = *p;
    }
  }
  h.interval =
      hc.duration("interval", DurRange::between(Duration::seconds(5), Duration::seconds(300)),
                  " (eb-reference 5.1)");
  const Duration minTimeout =
      type == ports::LoadBalancerType::kClassic ? Duration::seconds(2) : Duration::seconds(1);
  h.timeout = hc.duration("timeout", DurRange::between(minTimeout, Duration::seconds(60)),
                          " (eb-reference 5.1)");
  h.healthyThreshold =
      asInt(hc.integer("healthy_threshold", IntRange{2, 10}, " (eb-reference 5.1)"));
  h.unhealthyThreshold =
      asInt(hc.integer("unhealthy_threshold", IntRange{2, 10}, " (eb-reference 5.1)"));
  checkNetworkInterval(hc, type, h);
  checkTimeoutFitsInterval(hc, type, h);
  hc.finish();
}

}  // namespace

void readLoadBalancer(ObjectReader& lb, EnvironmentSpec& e) {
  static const EnumTable<ports::LoadBalancerType> kTypes = {
      {"application", ports::LoadBalancerType::kApplication},
      {"classic", ports::LoadBalancerType::kClassic},
      {"network", ports::LoadBalancerType::kNetwork}};
  if (auto t = lb.enumeration("type", kTypes)) e.loadBalancerType = *t;
  if (ObjectReader hc = lb.object("health_check"); hc.present()) {
    readHealthCheck(hc, e.loadBalancerType, e.healthCheck);
  }
  // eb-reference 5.1: deregistration delay 0-3600 s.
  e.deregistrationDelay = lb.duration("deregistration_delay",
                                      DurRange::between(Duration::zero(), Duration::seconds(3600)),
                                      " (eb-reference 5.1)");
  lb.finish();
}

}  // namespace ebsim::scenario::parse
