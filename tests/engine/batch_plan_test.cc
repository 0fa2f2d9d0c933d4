#include "engine/batch_plan.h"

#include <catch2/catch.hpp>

using ebsim::engine::BatchSizeType;
using ebsim::engine::planBatches;

// eb-reference.md section 1.2 and scenario-format.md "Where the open questions of EB were
// settled": b = max(1, ceil(N * pct / 100)), ceil(N / b) batches, the last may be short.
TEST_CASE("eb-reference 1.2: observed percentage batches", "[engine][batches]") {
  // EB CLI issue 50: 30 % of 2 instances => 1 per batch, 2 batches.
  auto p = planBatches(2, BatchSizeType::kPercentage, 30);
  CHECK(p.batchSize == 1);
  CHECK(p.batchCount == 2);
  // 2025 log: 30 % of 3 => three one-instance batches.
  p = planBatches(3, BatchSizeType::kPercentage, 30);
  CHECK(p.batchSize == 1);
  CHECK(p.batchCount == 3);
  // Guide: 25 % of 8 => 2 per batch, 4 batches.
  p = planBatches(8, BatchSizeType::kPercentage, 25);
  CHECK(p.batchSize == 2);
  CHECK(p.sizes == std::vector<int>{2, 2, 2, 2});
}

TEST_CASE("eb-reference 1.2: rounding up, short last batch, 100 percent", "[engine][batches]") {
  auto p = planBatches(10, BatchSizeType::kPercentage, 25);  // ceil(2.5) = 3
  CHECK(p.batchSize == 3);
  CHECK(p.sizes == std::vector<int>{3, 3, 3, 1});
  p = planBatches(5, BatchSizeType::kPercentage, 100);  // the API default: one batch
  CHECK(p.sizes == std::vector<int>{5});
  p = planBatches(40, BatchSizeType::kPercentage, 1);  // ceil(0.4) = 1, never 0
  CHECK(p.batchSize == 1);
  CHECK(p.batchCount == 40);
}

TEST_CASE("eb-reference 1.2: fixed batches are capped at the group's count", "[engine][batches]") {
  auto p = planBatches(8, BatchSizeType::kFixed, 3);
  CHECK(p.sizes == std::vector<int>{3, 3, 2});
  p = planBatches(4, BatchSizeType::kFixed, 10);
  CHECK(p.batchSize == 4);
  CHECK(p.batchCount == 1);
}

TEST_CASE("batch plans reject values outside EB's ranges", "[engine][batches]") {
  CHECK_THROWS_WITH(planBatches(4, BatchSizeType::kPercentage, 0),
                    "BatchSize 0 is out of range for BatchSizeType Percentage (1-100)");
  CHECK_THROWS_AS(planBatches(4, BatchSizeType::kPercentage, 101), std::invalid_argument);
  CHECK_THROWS_AS(planBatches(4, BatchSizeType::kFixed, 0), std::invalid_argument);
  CHECK_THROWS_AS(planBatches(-1, BatchSizeType::kFixed, 1), std::invalid_argument);
  const auto empty = planBatches(0, BatchSizeType::kPercentage, 30);
  CHECK(empty.batchCount == 0);
  CHECK(empty.sizes.empty());
}
