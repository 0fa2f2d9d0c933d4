#pragma once

// Deployment options (aws:elasticbeanstalk:command and :trafficsplitting) as an environment's
// "deployment" and a deploy or blue_green entry give them, and the rules that tie them to the
// environment: which policies its type supports, how large a batch can be. See
// https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/using-features.rolling-version-deploy.html

#include <string>

#include "engine/environment.h"
#include "runner/parse/json_reader.h"
#include "runner/parse/object_reader.h"
#include "runner/scenario.h"

namespace ebsim::scenario::parse {

const EnumTable<engine::DeploymentPolicy>& policyNames();

// eb-reference 1.1, support matrix: SingleInstance environments take AllAtOnce and Immutable;
// TrafficSplitting needs an application load balancer. "" when supported.
std::string policyProblem(engine::DeploymentPolicy policy, engine::EnvironmentType type,
                          ports::LoadBalancerType lb);

// Reads the options' keys from `o` without finishing it: deploy and blue_green entries have
// more keys.
DeploymentOptions readDeploymentOptions(ObjectReader& o);

// eb-reference 1.1: BatchSize is 1-100 for Percentage, 1 to the group's MaxSize for Fixed.
// `d` are the options given at `path`, `defaults` the environment's (for a deploy entry).
void checkBatch(JsonReader& reader, const DeploymentOptions& d, const DeploymentOptions* defaults,
                int maxInstances, const std::string& path);

}  // namespace ebsim::scenario::parse
