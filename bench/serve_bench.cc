// The data plane of `ebsim serve` without sockets: LiveCloud::route() for one request to an
// environment of N instances. Its cost should not grow with N (a few hash lookups in caches
// kept from change notifications), and should stay within a small multiple of the baseline, one
// hash lookup of a CNAME-sized string key, measured in the same run.

#include <benchmark/benchmark.h>

#include <string>
#include <unordered_map>

#include "tools/serve/eb_api.h"
#include "tools/serve/live_cloud.h"

namespace {

using ebsim::serve::EbApi;
using ebsim::serve::LiveCloud;

void BM_HashLookupBaseline(benchmark::State& state) {
  std::unordered_map<std::string, int> map;
  for (int i = 0; i < 100; ++i)
    map.emplace("env-" + std::to_string(i) + ".elasticbeanstalk.com", i);
  const std::string key = "env-42.elasticbeanstalk.com";
  for (auto _ : state) benchmark::DoNotOptimize(map.find(key));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HashLookupBaseline);

void BM_DataPlaneRoute(benchmark::State& state) {
  const auto instances = std::to_string(state.range(0));
  LiveCloud cloud;
  EbApi api(cloud, 1'700'000'000'000);
  api.handle("", "Action=CreateApplication&ApplicationName=shop");
  const auto created =
      api.handle("",
                 "Action=CreateEnvironment&ApplicationName=shop&EnvironmentName=shop"
                 "&OptionSettings.member.1.Namespace=aws%3Aautoscaling%3Aasg"
                 "&OptionSettings.member.1.OptionName=MinSize&OptionSettings.member.1.Value=" +
                     instances +
                     "&OptionSettings.member.2.Namespace=aws%3Aautoscaling%3Aasg"
                     "&OptionSettings.member.2.OptionName=MaxSize&OptionSettings.member.2.Value=" +
                     instances);
  if (created.status != 200) return state.SkipWithError("CreateEnvironment failed");
  cloud.advanceTo(cloud.now() + ebsim::sim::Duration::minutes(20));
  const std::string host = "shop.us-east-1.elasticbeanstalk.com";
  LiveCloud::Answer answer;
  std::int64_t failed = 0;
  for (auto _ : state) {
    cloud.route(host, answer);
    failed += answer.status != 200;
  }
  state.SetItemsProcessed(state.iterations());
  if (failed > 0) state.SkipWithError("a request failed");
}
BENCHMARK(BM_DataPlaneRoute)->Arg(4)->Arg(100)->Arg(1000);

}  // namespace

BENCHMARK_MAIN();
