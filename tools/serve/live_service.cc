#include "tools/serve/live_service.h"

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <ostream>

#include "runner/scenario_parser.h"
#include "runner/scenario_runner.h"
#include "tools/serve/dns_wire.h"

namespace ebsim::serve {

namespace {

std::int64_t wallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What is wrong with the options that CLI11 does not check, or nullopt.
std::optional<std::string> optionsProblem(const ServeOptions& options) {
  if (!(options.speed > 0)) return "--speed must be positive";
  if (options.accessKey.id.empty() != options.accessKey.secret.empty()) {
    return "--access-key-id and --secret-access-key must both be non-empty";
  }
  return std::nullopt;
}

}  // namespace

std::unique_ptr<LiveService> LiveService::open(const ServeOptions& options, spdlog::logger& log,
                                               std::ostream& err) {
  if (const auto problem = optionsProblem(options)) {
    err << "ebsim serve: " << *problem << "\n";
    return nullptr;
  }
  Journal journal(options.stateDir);
  try {
    journal.load();
  } catch (const std::exception& e) {
    err << "ebsim serve: " << e.what() << "\n";
    return nullptr;
  }
  if (journal.epochMs() == 0) journal.setEpochMs(wallMs());
  auto world = worldOf(options, err);
  if (!world) return nullptr;
  std::unique_ptr<LiveService> service(
      new LiveService(options, std::move(journal), std::move(*world), log));
  service->replayJournal(options.stateDir);
  service->clock_.startPacing();
  return service;
}

// The default world, or the one --scenario describes (its diagnostics printed to `err`).
std::optional<LiveService::World> LiveService::worldOf(const ServeOptions& options,
                                                       std::ostream& err) {
  World world;
  if (options.scenario.empty()) return world;
  const auto parsed = scenario::parseScenarioFile(options.scenario);
  for (const auto& d : parsed.diagnostics) err << d.format() << "\n";
  if (!parsed.ok()) return std::nullopt;
  world.options = scenario::cloudOptionsOf(*parsed.scenario);
  world.region = parsed.scenario->region;
  return world;
}

LiveService::LiveService(const ServeOptions& options, Journal journal, World world,
                         spdlog::logger& log)
    : log_(log),
      journal_(std::move(journal)),
      cloud_(options.seed, world.region, std::move(world.options)),
      api_(cloud_, journal_.epochMs()),
      clock_(cloud_, options.speed, log) {
  if (!options.accessKey.id.empty()) verifier_.emplace(options.accessKey, world.region);
}

// Each kept call again at its simulated time (the world is deterministic), then on to the time
// the server last stopped at.
void LiveService::replayJournal(const std::string& stateDir) {
  for (const auto& call : journal_.calls()) {
    clock_.advanceTo(sim::SimTime::fromNanos(call.atNanos));
    const ApiReply reply = api_.handle(call.query, call.body);
    if (reply.status != 200) {
      log_.warn("a kept {} call failed on replay ({})", reply.action, reply.status);
    }
  }
  clock_.advanceTo(sim::SimTime::fromNanos(journal_.stoppedAtNanos()));
  if (!journal_.calls().empty()) {
    log_.info("restored {} calls from {}/state.json", journal_.calls().size(), stateDir);
  }
}

std::optional<ApiError> LiveService::refusal(const SignedRequest& request) const {
  if (!verifier_) return std::nullopt;
  return verifier_->verify(request, wallMs() / 1000);
}

ApiReply LiveService::handleApi(std::string_view target, std::string_view body) {
  const auto mark = target.find('?');
  const std::string_view query =
      mark == std::string_view::npos ? std::string_view{} : target.substr(mark + 1);
  ApiReply reply = api_.handle(query, body);
  log_.debug("API {}: {}", reply.action.empty() ? "(no action)" : reply.action, reply.status);
  if (reply.status == 200 && isMutating(reply.action)) {
    try {
      journal_.record({cloud_.now().nanos(), std::string(query), std::string(body)});
    } catch (const std::exception& e) {
      log_.error("could not keep the state: {}", e.what());
    }
  }
  return reply;
}

void LiveService::route(std::string_view host, LiveCloud::Answer& out) {
  cloud_.route(host, out);
  log_.trace("data plane: {} {}", host, out.status);
}

std::string LiveService::answerDns(std::string_view query,
                                   const std::string& dataPlaneAddress) const {
  return answerDnsQuery(query, [&](const std::string& name, std::uint16_t type) {
    return cloud_.dnsLookup(name, type, dataPlaneAddress);
  });
}

sim::SimTime LiveService::stop() {
  try {
    journal_.stop(cloud_.now().nanos());
  } catch (const std::exception& e) {
    log_.error("could not keep the state: {}", e.what());
  }
  return cloud_.now();
}

}  // namespace ebsim::serve
