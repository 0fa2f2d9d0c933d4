#include "engine/enhanced_health.h"

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

using ebsim::engine::EnvironmentHealth;
using ebsim::engine::EnvironmentObservation;
using ebsim::engine::HealthAssessor;
using ebsim::engine::HealthColor;
using ebsim::engine::HealthStatus;
using ebsim::engine::InstanceObservation;
using ebsim::sim::Duration;
using ebsim::sim::SimTime;
using Causes = std::vector<std::string>;

namespace {

SimTime at(std::int64_t seconds) { return SimTime::zero() + Duration::seconds(seconds); }

// An instance launched at 0 that is running, reporting, answering and in service on "v1",
// deployment 1.
InstanceObservation healthyInstance(int n) {
  InstanceObservation i;
  i.id = "i-" + std::to_string(n);
  i.launchedAt = at(0);
  i.running = true;
  i.reporting = true;
  i.answering = true;
  i.checkPassing = true;
  i.loadBalancerHealthy = true;
  i.version = "v1";
  i.deploymentId = 1;
  return i;
}

// n healthy instances at t = 1000 s, long after launch; the default command timeout 600 + 240 s.
EnvironmentObservation fleet(int n) {
  EnvironmentObservation env;
  env.now = at(1000);
  env.expectedVersion = "v1";
  env.deploymentId = 1;
  env.minSize = 1;
  env.commandTimeout = Duration::seconds(840);
  for (int k = 1; k <= n; ++k) env.instances.push_back(healthyInstance(k));
  return env;
}

void failChecks(InstanceObservation& i) {
  i.checkPassing = false;
  i.answering = false;
}

// `times` refreshes of the same observation, 10 s apart (the agent's interval, eb-reference
// 5.2), starting at env.now; env.now is left at the last one. Returns the last result.
EnvironmentHealth refreshRepeatedly(HealthAssessor& assessor, EnvironmentObservation& env,
                                    int times) {
  EnvironmentHealth health = assessor.refresh(env);
  for (int k = 1; k < times; ++k) {
    env.now += Duration::seconds(10);
    health = assessor.refresh(env);
  }
  return health;
}

}  // namespace

TEST_CASE("eb-reference 7.3 and 5.4: status names and colours", "[engine][health]") {
  using S = HealthStatus;
  const std::vector<std::pair<S, std::string>> names = {
      {S::kNoData, "NoData"},      {S::kUnknown, "Unknown"},
      {S::kPending, "Pending"},    {S::kOk, "Ok"},
      {S::kInfo, "Info"},          {S::kWarning, "Warning"},
      {S::kDegraded, "Degraded"},  {S::kSevere, "Severe"},
      {S::kSuspended, "Suspended"}};
  for (const auto& [status, name] : names) CHECK(toString(status) == name);

  CHECK(colorOf(S::kOk) == HealthColor::kGreen);
  CHECK(colorOf(S::kInfo) == HealthColor::kGreen);
  CHECK(colorOf(S::kWarning) == HealthColor::kYellow);
  CHECK(colorOf(S::kDegraded) == HealthColor::kRed);
  CHECK(colorOf(S::kSevere) == HealthColor::kRed);
  CHECK(colorOf(S::kPending) == HealthColor::kGrey);
  CHECK(colorOf(S::kUnknown) == HealthColor::kGrey);
  CHECK(colorOf(S::kNoData) == HealthColor::kGrey);
  CHECK(colorOf(S::kSuspended) == HealthColor::kGrey);
}

TEST_CASE("eb-reference 1.1: HealthCheckSuccessThreshold, the lowest status counted healthy",
          "[engine][health]") {
  using S = HealthStatus;
  CHECK(meetsThreshold(S::kOk, S::kOk));
  CHECK(meetsThreshold(S::kInfo, S::kOk));  // Info counts as Ok
  CHECK_FALSE(meetsThreshold(S::kWarning, S::kOk));
  CHECK(meetsThreshold(S::kWarning, S::kWarning));
  CHECK_FALSE(meetsThreshold(S::kDegraded, S::kWarning));
  CHECK(meetsThreshold(S::kDegraded, S::kDegraded));
  CHECK_FALSE(meetsThreshold(S::kSevere, S::kDegraded));
  CHECK(meetsThreshold(S::kSevere, S::kSevere));
  CHECK(meetsThreshold(S::kOk, S::kSevere));
  // Grey statuses carry no evidence of health.
  for (S grey : {S::kPending, S::kUnknown, S::kNoData, S::kSuspended}) {
    CHECK_FALSE(meetsThreshold(grey, S::kSevere));
  }
  CHECK_THROWS_WITH(
      meetsThreshold(S::kOk, S::kInfo),
      "HealthCheckSuccessThreshold must be Ok, Warning, Degraded or Severe, not Info");
  CHECK_THROWS_AS(meetsThreshold(S::kOk, S::kPending), std::invalid_argument);
}

TEST_CASE("eb-reference 5.4: a healthy fleet is Ok and Green, with InstancesHealth counts",
          "[engine][health]") {
  HealthAssessor assessor;
  const EnvironmentHealth h = assessor.refresh(fleet(3));
  CHECK(h.status == HealthStatus::kOk);
  CHECK(h.color == HealthColor::kGreen);
  CHECK(h.causes.empty());
  REQUIRE(h.instances.size() == 3);
  CHECK(h.instances[0].id == "i-1");
  CHECK(h.instances[2].id == "i-3");
  CHECK(h.instances[1].status == HealthStatus::kOk);
  CHECK(h.instances[1].causes.empty());
  CHECK(h.counts.at(HealthStatus::kOk) == 3);
  CHECK(h.counts.at(HealthStatus::kSevere) == 0);
  CHECK(h.counts.at(HealthStatus::kPending) == 0);
  CHECK(h.counts.size() == 8);  // InstanceHealthSummary: every status but Suspended
}

TEST_CASE("eb-reference 5.4: a booting instance is Pending within the command timeout, then NoData",
          "[engine][health]") {
  HealthAssessor assessor;
  EnvironmentObservation env = fleet(3);
  InstanceObservation& booting = env.instances[2];
  booting.launchedAt = at(970);
  booting.running = false;
  booting.reporting = false;
  booting.checkPassing = false;
  booting.answering = false;
  booting.loadBalancerHealthy = false;

  EnvironmentHealth h = assessor.refresh(env);  // 30 s after launch
  CHECK(h.instances[2].status == HealthStatus::kPending);
  CHECK(h.instances[2].causes == Causes{"Initialization in progress (running for 30 seconds)."});
  // A replacement booting outside an operation: Info only, the other two serve.
  CHECK(h.status == HealthStatus::kInfo);
  CHECK(h.causes == Causes{"Initialization in progress on 1 out of 3 instances."});
  CHECK(h.counts.at(HealthStatus::kPending) == 1);

  booting.running = true;   // the agent never reports
  env.now = at(970 + 840);  // exactly the timeout: still Pending
  CHECK(assessor.refresh(env).instances[2].status == HealthStatus::kPending);
  env.now = at(970 + 841);
  h = assessor.refresh(env);
  CHECK(h.instances[2].status == HealthStatus::kNoData);
  CHECK(h.instances[2].causes ==
        Causes{"The health agent has sent no data since the instance launched 14 minutes ago."});
  CHECK(h.status == HealthStatus::kWarning);
  CHECK(h.causes == Causes{"No data from the health agent on 1 out of 3 instances."});
}

TEST_CASE("eb-reference 5.4: an agent that stops reporting is Unknown, and a silent fleet too",
          "[engine][health]") {
  HealthAssessor assessor;
  EnvironmentObservation env = fleet(1);
  env.instances[0].loadBalancerHealthy.reset();  // SingleInstance: no load balancer
  CHECK(assessor.refresh(env).status == HealthStatus::kOk);

  env.instances[0].reporting = false;  // the app still serves
  env.now += Duration::seconds(10);
  const EnvironmentHealth h = assessor.refresh(env);
  CHECK(h.instances[0].status == HealthStatus::kUnknown);
  CHECK(h.instances[0].causes == Causes{"The health agent has stopped sending data."});
  CHECK(h.status == HealthStatus::kUnknown);
  CHECK(h.color == HealthColor::kGrey);
  CHECK(h.causes == Causes{"None of the instances are sending data."});
}

TEST_CASE("eb-reference 5.4: a command executing is Info, Warning past the command timeout",
          "[engine][health]") {
  HealthAssessor assessor;
  EnvironmentObservation env = fleet(3);
  env.instances[0].commandStartedAt = env.now - Duration::seconds(30);
  EnvironmentHealth h = assessor.refresh(env);
  CHECK(h.instances[0].status == HealthStatus::kInfo);
  CHECK(h.instances[0].causes ==
        Causes{"Application deployment in progress (running for 30 seconds)."});
  CHECK(h.status == HealthStatus::kInfo);
  CHECK(h.color == HealthColor::kGreen);
  CHECK(h.causes == Causes{"Command is executing on 1 out of 3 instances"});

  env.instances[0].commandStartedAt = env.now - Duration::seconds(900);
  h = assessor.refresh(env);
  CHECK(h.instances[0].status == HealthStatus::kWarning);
  CHECK(h.instances[0].causes ==
        Causes{"Application deployment is taking longer than the command timeout (running for 15 "
               "minutes)."});
  CHECK(h.status == HealthStatus::kWarning);
  CHECK(h.color == HealthColor::kYellow);
  CHECK(h.causes == Causes{"Command is taking longer than the command timeout on 1 out of 3 "
                           "instances."});
}

TEST_CASE("eb-reference 5.4: failures during a running command are expected and not counted",
          "[engine][health]") {
  HealthAssessor assessor;
  EnvironmentObservation env = fleet(3);
  env.instances[0].commandStartedAt = env.now;
  failChecks(env.instances[0]);  // the app restarts
  EnvironmentHealth h = refreshRepeatedly(assessor, env, 5);
  CHECK(h.instances[0].status == HealthStatus::kInfo);
  CHECK(h.status == HealthStatus::kInfo);

  env.instances[0].commandStartedAt.reset();  // done, but the first check after it fails
  env.now += Duration::seconds(10);
  h = assessor.refresh(env);
  CHECK(h.instances[0].status == HealthStatus::kWarning);  // one failure, not three
  CHECK(h.status == HealthStatus::kOk);
}

TEST_CASE("eb-reference 5.4: 2 failures do not lower environment health", "[engine][health]") {
  HealthAssessor assessor;
  EnvironmentObservation env = fleet(5);
  failChecks(env.instances[0]);
  const EnvironmentHealth h = refreshRepeatedly(assessor, env, 2);
  // The instance shows its problem, capped at Warning until confirmed.
  CHECK(h.instances[0].status == HealthStatus::kWarning);
  CHECK(h.instances[0].causes == Causes{"Application is not answering requests.",
                                        "Load balancer health checks are failing."});
  CHECK(h.status == HealthStatus::kOk);
  CHECK(h.causes.empty());
}

TEST_CASE("eb-reference 5.4: 3 failures within one minute lower environment health",
          "[engine][health]") {
  HealthAssessor assessor;
  EnvironmentObservation env = fleet(5);
  failChecks(env.instances[0]);
  const EnvironmentHealth h = refreshRepeatedly(assessor, env, 3);  // at 1000, 1010, 1020 s
  CHECK(h.instances[0].status == HealthStatus::kSevere);
  CHECK(h.status == HealthStatus::kWarning);  // 1 of 5 is 20 %
  CHECK(h.color == HealthColor::kYellow);
  CHECK(h.causes == Causes{"Impaired services on 1 out of 5 instances"});
  CHECK(h.counts.at(HealthStatus::kSevere) == 1);
  CHECK(h.counts.at(HealthStatus::kOk) == 4);
}

TEST_CASE("eb-reference 5.4: 3 failures spanning exactly one minute count", "[engine][health]") {
  HealthAssessor assessor;
  EnvironmentObservation env = fleet(5);
  EnvironmentHealth h;
  for (int t = 1000; t <= 1060; t += 10) {
    env.now = at(t);
    env.instances[0] = healthyInstance(1);
    if (t == 1000 || t == 1030 || t == 1060) failChecks(env.instances[0]);
    h = assessor.refresh(env);
  }
  CHECK(h.instances[0].status == HealthStatus::kSevere);  // the window includes its ends
  CHECK(h.status == HealthStatus::kWarning);
}

TEST_CASE("eb-reference 5.4: 3 failures spread over more than a minute do not lower health",
          "[engine][health]") {
  HealthAssessor assessor;
  EnvironmentObservation env = fleet(5);
  EnvironmentHealth h;
  for (int t = 1000; t <= 1080; t += 10) {
    env.now = at(t);
    env.instances[0] = healthyInstance(1);
    if (t == 1000 || t == 1040 || t == 1080) failChecks(env.instances[0]);
    h = assessor.refresh(env);
  }
  // At 1080 s the window [1020 s, 1080 s] holds 2 failures.
  CHECK(h.instances[0].status == HealthStatus::kWarning);
  CHECK(h.status == HealthStatus::kOk);

  env.now = at(1090);  // a third within the minute: 1040, 1080, 1090
  h = assessor.refresh(env);
  CHECK(h.instances[0].status == HealthStatus::kSevere);
  CHECK(h.causes == Causes{"Impaired services on 1 out of 5 instances"});
}

TEST_CASE("eb-reference 5.4: the same refresh time twice is one failure", "[engine][health]") {
  HealthAssessor assessor;
  EnvironmentObservation env = fleet(5);
  failChecks(env.instances[0]);
  for (int k = 0; k < 3; ++k) assessor.refresh(env);  // all at 1000 s
  CHECK(assessor.refresh(env).status == HealthStatus::kOk);
}

TEST_CASE(
    "ebsim rule (eb-reference 5.4): failing check and app down is Severe, either alone "
    "Degraded",
    "[engine][health]") {
  HealthAssessor assessor;
  EnvironmentObservation env = fleet(5);
  failChecks(env.instances[0]);
  env.instances[1].checkPassing = false;  // e.g. the health URL answers 500
  env.instances[2].answering = false;     // e.g. TCP:80 accepts, the app does not answer
  const EnvironmentHealth h = refreshRepeatedly(assessor, env, 3);
  CHECK(h.instances[0].status == HealthStatus::kSevere);
  CHECK(h.instances[1].status == HealthStatus::kDegraded);
  CHECK(h.instances[1].causes == Causes{"Load balancer health checks are failing."});
  CHECK(h.instances[2].status == HealthStatus::kDegraded);
  CHECK(h.instances[2].causes == Causes{"Application is not answering requests."});
  CHECK(h.status == HealthStatus::kDegraded);  // 3 of 5 is 60 %
  CHECK(h.causes == Causes{"Impaired services on 3 out of 5 instances"});

  // Without a load balancer the check is the agent's own.
  HealthAssessor single;
  EnvironmentObservation one = fleet(1);
  one.instances[0].loadBalancerHealthy.reset();
  one.instances[0].checkPassing = false;
  const EnvironmentHealth s = refreshRepeatedly(single, one, 3);
  CHECK(s.instances[0].causes == Causes{"Health checks are failing."});
  CHECK(s.status == HealthStatus::kSevere);  // every instance impaired
  CHECK(s.causes == Causes{"Impaired services on 1 out of 1 instance",
                           "Active instances: 0 out of 1 instance, below the Auto Scaling "
                           "group's minimum size of 1."});
}

TEST_CASE(
    "ebsim thresholds (eb-reference 5.4): one bad instance is Info, Warning, Degraded or "
    "Severe by fleet size",
    "[engine][health]") {
  const auto oneBadOf = [](int n) {
    HealthAssessor assessor;
    EnvironmentObservation env = fleet(n);
    failChecks(env.instances[0]);
    return refreshRepeatedly(assessor, env, 3);
  };
  EnvironmentHealth h = oneBadOf(20);  // 5 %
  CHECK(h.status == HealthStatus::kInfo);
  CHECK(h.color == HealthColor::kGreen);
  CHECK(h.causes == Causes{"Impaired services on 1 out of 20 instances"});
  CHECK(oneBadOf(11).status == HealthStatus::kInfo);     // 9 %
  CHECK(oneBadOf(10).status == HealthStatus::kWarning);  // 10 %
  CHECK(oneBadOf(5).status == HealthStatus::kWarning);   // 20 %
  CHECK(oneBadOf(4).status == HealthStatus::kDegraded);  // 25 %
  h = oneBadOf(2);
  CHECK(h.status == HealthStatus::kDegraded);
  CHECK(h.color == HealthColor::kRed);
  CHECK(oneBadOf(1).status == HealthStatus::kSevere);  // all
}

TEST_CASE("eb-reference 5.4: active instances below the group's MinSize is Degraded",
          "[engine][health]") {
  HealthAssessor assessor;
  EnvironmentObservation env = fleet(3);
  env.minSize = 3;
  InstanceObservation& replacement = env.instances[2];  // Auto Scaling's replacement boots
  replacement.launchedAt = at(990);
  replacement.running = false;
  replacement.reporting = false;
  replacement.loadBalancerHealthy = false;
  EnvironmentHealth h = assessor.refresh(env);
  CHECK(h.status == HealthStatus::kDegraded);
  CHECK(h.color == HealthColor::kRed);
  CHECK(h.causes == Causes{"Active instances: 2 out of 3 instances, below the Auto Scaling "
                           "group's minimum size of 3.",
                           "Initialization in progress on 1 out of 3 instances."});

  env.minSize = 2;
  h = assessor.refresh(env);
  CHECK(h.status == HealthStatus::kInfo);
}

TEST_CASE("eb-reference 5.4: no instance healthy in the load balancer is Severe",
          "[engine][health]") {
  HealthAssessor assessor;
  EnvironmentObservation env = fleet(2);
  for (InstanceObservation& i : env.instances) i.loadBalancerHealthy = false;
  EnvironmentHealth h = assessor.refresh(env);
  CHECK(h.status == HealthStatus::kSevere);
  CHECK(h.color == HealthColor::kRed);
  CHECK(h.causes == Causes{"ELB health is failing or not available for all instances."});
  CHECK(h.instances[0].status == HealthStatus::kOk);  // their own checks pass

  env.instances[1].loadBalancerHealthy = true;
  CHECK(assessor.refresh(env).status == HealthStatus::kOk);

  // Known to be load balanced, and no instance at all.
  env.instances.clear();
  env.hasLoadBalancer = true;
  h = assessor.refresh(env);
  CHECK(h.status == HealthStatus::kSevere);
  CHECK(h.causes.size() == 2);  // and the Degraded MinSize cause after it
  CHECK(h.causes[1] ==
        "Active instances: 0 out of 0 instances, below the Auto Scaling group's minimum size of "
        "1.");
}

TEST_CASE("ebsim thresholds (eb-reference 5.4): HTTP 5xx share, Warning 1, Degraded 10, Severe 25",
          "[engine][health]") {
  HealthAssessor assessor;
  EnvironmentObservation env = fleet(5);
  env.instances[0].status5xxPercent = 25;

  EnvironmentHealth h = refreshRepeatedly(assessor, env, 2);  // not confirmed yet: counts 0 %
  CHECK(h.instances[0].status == HealthStatus::kWarning);
  CHECK(h.instances[0].causes == Causes{"25% of the requests are failing with HTTP 5xx"});
  CHECK(h.status == HealthStatus::kOk);

  env.now += Duration::seconds(10);
  h = assessor.refresh(env);
  CHECK(h.instances[0].status == HealthStatus::kSevere);
  CHECK(h.status == HealthStatus::kWarning);  // the mean over 5 instances is 5 %
  CHECK(h.causes == Causes{"5% of the requests are failing with HTTP 5xx"});

  const auto everyInstanceAt = [](double percent) {
    HealthAssessor a;
    EnvironmentObservation e = fleet(4);
    for (InstanceObservation& i : e.instances) i.status5xxPercent = percent;
    return refreshRepeatedly(a, e, 3);
  };
  CHECK(everyInstanceAt(0.5).status == HealthStatus::kOk);
  CHECK(everyInstanceAt(1).status == HealthStatus::kWarning);
  h = everyInstanceAt(9.9);  // rounded down: never shows a threshold it did not reach
  CHECK(h.status == HealthStatus::kWarning);
  CHECK(h.causes == Causes{"9% of the requests are failing with HTTP 5xx"});
  h = everyInstanceAt(10);
  CHECK(h.status == HealthStatus::kDegraded);
  CHECK(h.causes == Causes{"10% of the requests are failing with HTTP 5xx"});
  h = everyInstanceAt(30);
  CHECK(h.status == HealthStatus::kSevere);
  CHECK(h.causes == Causes{"30% of the requests are failing with HTTP 5xx"});
}

TEST_CASE("eb-reference 5.4: incorrect application version is Warning, with EB's cause",
          "[engine][health]") {
  HealthAssessor assessor;
  EnvironmentObservation env = fleet(5);
  for (int k : {1, 3}) {
    env.instances[k].version = "v2";
    env.instances[k].deploymentId = 2;
  }
  EnvironmentHealth h = assessor.refresh(env);  // immediately: not a failure to confirm
  CHECK(h.status == HealthStatus::kWarning);
  CHECK(h.color == HealthColor::kYellow);
  CHECK(h.causes == Causes{"Incorrect application version found on 2 out of 5 instances. Expected "
                           "version \"v1\" (deployment 1)."});
  CHECK(h.instances[1].status == HealthStatus::kWarning);
  CHECK(h.instances[1].causes == Causes{"Incorrect application version \"v2\" (deployment 2). "
                                        "Expected version \"v1\" (deployment 1)."});
  CHECK(h.instances[0].status == HealthStatus::kOk);

  // A redeploy of the same label is told apart by its deployment id.
  env.instances[1].version = "v1";
  h = assessor.refresh(env);
  CHECK(h.causes == Causes{"Incorrect application version found on 2 out of 5 instances. Expected "
                           "version \"v1\" (deployment 1)."});

  // During an operation versions are mixed by design.
  env.operationStartedAt = env.now - Duration::seconds(60);
  h = assessor.refresh(env);
  CHECK(h.instances[1].status == HealthStatus::kOk);
  CHECK(h.instances[3].status == HealthStatus::kOk);
}

TEST_CASE(
    "eb-reference 5.4: during an operation failures do not lower health until the command "
    "timeout",
    "[engine][health]") {
  HealthAssessor assessor;
  EnvironmentObservation env = fleet(3);
  env.operationStartedAt = at(1000);
  for (InstanceObservation& i : env.instances) {
    failChecks(i);
    i.loadBalancerHealthy = false;
  }
  EnvironmentHealth h = refreshRepeatedly(assessor, env, 13);  // 1000 .. 1120 s
  CHECK(h.instances[0].status == HealthStatus::kSevere);       // instances show what they see
  CHECK(h.status == HealthStatus::kInfo);
  CHECK(h.color == HealthColor::kGreen);
  CHECK(h.causes == Causes{"Environment update in progress (running for 2 minutes)."});

  env.instances[0].commandStartedAt = env.now - Duration::seconds(5);
  h = assessor.refresh(env);
  CHECK(h.causes == Causes{"Command is executing on 1 out of 3 instances"});
  env.instances[0].commandStartedAt.reset();

  while (env.now < at(1000 + 840)) {  // failing on, up to the timeout itself: still in grace
    env.now += Duration::seconds(10);
    h = assessor.refresh(env);
    REQUIRE(h.status == HealthStatus::kInfo);
  }
  env.now = at(1000 + 850);
  h = assessor.refresh(env);
  CHECK(h.status == HealthStatus::kSevere);
  CHECK(h.color == HealthColor::kRed);
  CHECK(h.causes == Causes{"ELB health is failing or not available for all instances.",
                           "Impaired services on 3 out of 3 instances",
                           "Active instances: 0 out of 3 instances, below the Auto Scaling "
                           "group's minimum size of 1.",
                           "Environment update is taking longer than the command timeout "
                           "(running for 14 minutes)."});
}

TEST_CASE("eb-reference 5.4: a healthy operation past the command timeout is Warning",
          "[engine][health]") {
  HealthAssessor assessor;
  EnvironmentObservation env = fleet(2);
  env.operationStartedAt = at(100);  // 900 s ago
  const EnvironmentHealth h = assessor.refresh(env);
  CHECK(h.status == HealthStatus::kWarning);
  CHECK(h.causes == Causes{"Environment update is taking longer than the command timeout "
                           "(running for 15 minutes)."});
}

TEST_CASE("eb-reference 5.4 and 7.5: creation is Pending while every instance bootstraps",
          "[engine][health]") {
  HealthAssessor assessor;
  EnvironmentObservation env = fleet(0);
  env.now = at(10);
  env.operationStartedAt = at(0);
  EnvironmentHealth h = assessor.refresh(env);  // no instance launched yet
  CHECK(h.status == HealthStatus::kPending);
  CHECK(h.color == HealthColor::kGrey);

  env.now = at(45);
  env.instances = {healthyInstance(1), healthyInstance(2)};
  for (InstanceObservation& i : env.instances) {
    i.launchedAt = at(20);
    i.reporting = false;
    i.loadBalancerHealthy = false;
  }
  h = assessor.refresh(env);
  CHECK(h.status == HealthStatus::kPending);
  CHECK(h.causes == Causes{"Initialization in progress (running for 45 seconds)."});

  // "Environment health has transitioned from Pending to Ok" once created.
  env.instances = {healthyInstance(1), healthyInstance(2)};
  env.operationStartedAt.reset();
  env.now = at(200);
  CHECK(assessor.refresh(env).status == HealthStatus::kOk);
}

TEST_CASE("eb-reference 5.4: Suspended when the Auto Scaling group is gone", "[engine][health]") {
  HealthAssessor assessor;
  EnvironmentObservation env = fleet(2);
  env.groupExists = false;
  env.operationStartedAt = env.now;  // even during an operation
  const EnvironmentHealth h = assessor.refresh(env);
  CHECK(h.status == HealthStatus::kSuspended);
  CHECK(h.color == HealthColor::kGrey);
  CHECK(h.causes ==
        Causes{"The Auto Scaling group no longer exists: health monitoring is suspended."});
}

TEST_CASE("eb-reference 5.4: no instances is NoData, or Degraded below MinSize",
          "[engine][health]") {
  HealthAssessor assessor;
  EnvironmentObservation env = fleet(0);
  env.minSize = 0;
  EnvironmentHealth h = assessor.refresh(env);
  CHECK(h.status == HealthStatus::kNoData);
  CHECK(h.color == HealthColor::kGrey);
  CHECK(h.causes == Causes{"There are no instances in the environment."});
  CHECK(h.instances.empty());

  env.minSize = 1;
  h = assessor.refresh(env);
  CHECK(h.status == HealthStatus::kDegraded);
}

TEST_CASE("eb-reference 5.4: the failure history of vanished instances is dropped",
          "[engine][health]") {
  HealthAssessor assessor;
  EnvironmentObservation env = fleet(3);
  failChecks(env.instances[0]);
  refreshRepeatedly(assessor, env, 2);  // i-1 failed at 1000 and 1010 s
  CHECK(assessor.trackedInstances() == 3);

  const InstanceObservation gone = env.instances[0];
  env.instances.erase(env.instances.begin());
  env.now += Duration::seconds(10);
  assessor.refresh(env);
  CHECK(assessor.trackedInstances() == 2);

  // Back with the same id: a kept history would make this its third failure within a minute.
  env.instances.push_back(gone);
  env.now += Duration::seconds(10);
  const EnvironmentHealth h = assessor.refresh(env);
  CHECK(h.instances[2].status == HealthStatus::kWarning);
  CHECK(h.status == HealthStatus::kOk);

  // Churn: memory follows the fleet, not the number of instances ever seen.
  for (int k = 0; k < 200; ++k) {
    env.now += Duration::seconds(10);
    env.instances = {healthyInstance(1000 + k), healthyInstance(2000 + k)};
    failChecks(env.instances[0]);
    assessor.refresh(env);
  }
  CHECK(assessor.trackedInstances() == 2);
}
