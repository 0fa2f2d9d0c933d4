#pragma once

// Engine: the deployment engine, as Elastic Beanstalk runs it, written against the ports only.
//
// This first slice holds applications, versions and load-balanced environments. Creating one
// takes EB's steps, with its literal events (eb-reference.md 7.5):
//   createEnvironment is starting. -> Using <bucket> as Amazon S3 storage bucket for
//   environment data. -> Created load balancer named: ... -> Created target group named: ...
//   -> Created Auto Scaling group named: ... -> Waiting for EC2 instances to launch. This may
//   take a few minutes. -> Added EC2 instance '<id>' to Auto Scaling Group '<name>'. (each) ->
//   Successfully launched environment: <env> -> Environment health has transitioned from
//   Pending to Ok. ... (enhanced) or Environment health has been set to GREEN (basic).
// If the instances are not healthy within the command timeout (+240 s), it ends with
// "Create environment operation is complete, but with errors." and health Red.
// Every AWS call is retried (engine/retry.h). Deployments come in the next slice (issue 4).

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "engine/environment.h"
#include "engine/event_log.h"
#include "engine/ports/autoscaling_api.h"
#include "engine/ports/clock.h"
#include "engine/ports/ec2_api.h"
#include "engine/ports/elb_api.h"
#include "engine/ports/outcome.h"
#include "engine/ports/random.h"
#include "engine/ports/route53_api.h"
#include "engine/ports/s3_api.h"
#include "engine/ports/ssm_api.h"
#include "engine/retry.h"

namespace ebsim::engine {

struct EnginePorts {
  ports::Clock& clock;
  ports::Random& random;
  ports::Ec2Api& ec2;
  ports::SsmApi& ssm;
  ports::ElbApi& elb;
  ports::AutoScalingApi& autoscaling;
  ports::Route53Api& route53;
  ports::S3Api& s3;
  std::string region = "us-east-1";
  std::string accountId = "123456789012";
  std::string hostedZoneId;   // the <region>.elasticbeanstalk.com zone
  std::string storageBucket;  // elasticbeanstalk-<region>-<account>
};

struct CreateEnvironmentRequest {
  std::string ApplicationName;
  std::string EnvironmentName;
  std::string CNAMEPrefix;   // default: the environment name
  std::string VersionLabel;  // "" : the sample application
  EnvironmentConfig Config;
};

class Engine {
 public:
  explicit Engine(EnginePorts ports);
  ~Engine();  // timers it started capture `this`: the clock must not fire them afterwards
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  EventLog& events() { return events_; }
  const EventLog& events() const { return events_; }
  void setRetryPolicy(RetryPolicy policy) { retry_ = policy; }

  // Applications and versions (eb-reference 7.2). Errors carry EB's codes and messages.
  ports::Outcome<ports::Empty> createApplication(const std::string& name);
  // The bundle is s3://<storage bucket>/<key>; "" key: the sample application.
  ports::Outcome<ports::Empty> createApplicationVersion(const std::string& application,
                                                        const std::string& label,
                                                        const std::string& bundleKey);

  // Accepts the request (status Launching, health Grey) and builds the environment in the
  // background; describe() follows it to Ready.
  ports::Outcome<EnvironmentDescription> createEnvironment(CreateEnvironmentRequest request);
  std::optional<EnvironmentDescription> describe(const std::string& environmentName) const;
  // Called after every status or health change of any environment.
  void onChange(std::function<void(const EnvironmentDescription&)> listener);

 private:
  struct Application;
  struct Env;

  Env* find(const std::string& name);
  void emit(Env& env, Severity severity, std::string message);
  void setState(Env& env, EnvironmentStatus status, HealthColor health);
  template <typename T>
  void aws(std::function<void(ports::Callback<T>)> call, ports::Callback<T> done);

  // Creation steps, each continuing the next once its call answers.
  void createLoadBalancer(const std::string& env);
  void createTargetGroup(const std::string& env);
  void createGroup(const std::string& env);
  void waitForInstances(const std::string& env);
  void pointCname(const std::string& env);
  void launchFailed(Env& env, const std::string& why);

  std::string newEnvironmentId();
  std::string newRequestId();

  EnginePorts ports_;
  RetryPolicy retry_;
  EventLog events_;
  std::map<std::string, std::unique_ptr<Application>> applications_;
  std::map<std::string, std::unique_ptr<Env>> environments_;  // by name
  std::vector<std::function<void(const EnvironmentDescription&)>> listeners_;
  std::uint64_t idCounter_ = 0;
};

}  // namespace ebsim::engine
