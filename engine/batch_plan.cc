#include "engine/batch_plan.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace ebsim::engine {

BatchPlan planBatches(int instances, BatchSizeType type, int batchSize) {
  if (instances < 0) throw std::invalid_argument("instance count must be >= 0");
  if (type == BatchSizeType::kPercentage && (batchSize < 1 || batchSize > 100)) {
    throw std::invalid_argument("BatchSize " + std::to_string(batchSize) +
                                " is out of range for BatchSizeType Percentage (1-100)");
  }
  if (type == BatchSizeType::kFixed && batchSize < 1) {
    throw std::invalid_argument("BatchSize " + std::to_string(batchSize) +
                                " is out of range for BatchSizeType Fixed (at least 1)");
  }
  BatchPlan plan;
  plan.instances = instances;
  if (instances == 0) return plan;
  if (type == BatchSizeType::kPercentage) {
    const long long scaled = static_cast<long long>(instances) * batchSize;
    plan.batchSize = std::max(1, static_cast<int>((scaled + 99) / 100));
  } else {
    plan.batchSize = std::min(batchSize, instances);
  }
  plan.batchCount = instances / plan.batchSize + (instances % plan.batchSize != 0 ? 1 : 0);
  for (int left = instances; left > 0; left -= plan.batchSize) {
    plan.sizes.push_back(std::min(left, plan.batchSize));
  }
  return plan;
}

}  // namespace ebsim::engine
