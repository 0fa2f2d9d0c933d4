#pragma once

// Batch arithmetic of rolling deployments (eb-reference.md section 1.2; settled in
// scenario-format.md, "Where the open questions of EB were settled"):
//   Percentage: b = max(1, ceil(N * pct / 100)) of the group's count N at deploy start;
//   Fixed:      b = min(size, N);
//   ceil(N / b) batches, the last one possibly short.

#include <vector>

namespace ebsim::engine {

enum class BatchSizeType { kPercentage, kFixed };

struct BatchPlan {
  int instances = 0;       // N, the group's count at deploy start
  int batchSize = 0;       // b
  int batchCount = 0;      // ceil(N / b); 0 when N == 0
  std::vector<int> sizes;  // size of each batch, in order; sums to N
};

// Throws std::invalid_argument for N < 0, a percentage outside 1..100 or a fixed size < 1.
BatchPlan planBatches(int instances, BatchSizeType type, int batchSize);

}  // namespace ebsim::engine
