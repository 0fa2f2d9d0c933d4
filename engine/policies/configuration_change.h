#pragma once

// What a configuration update rolls out, shared by RollingUpdate and ImmutableUpdate.

#include <string>

#include "engine/environment.h"

namespace ebsim::engine {

struct ConfigurationChange {
  ConfigurationUpdate update;           // the whole change, in-place parts included
  std::string targetType;               // the instance type rolled out ("" : none)
  std::string previousType;             // the instance type it replaces
  RollingUpdateSettings rollingUpdate;  // with EB's defaults filled in
};

}  // namespace ebsim::engine
