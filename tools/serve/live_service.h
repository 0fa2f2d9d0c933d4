#pragma once

// What `ebsim serve` serves, without sockets (tools/serve/server.cc is the HTTP and UDP side):
// the live cloud with the EB API over it, the journal that keeps the API's calls across
// restarts, the clock paced against the wall, and the SigV4 check. open() checks the options and
// replays what the journal kept; the request methods then answer each port.
//
// The methods do not move the clock themselves: a caller first calls catchUp(), so that what a
// client reads is what the simulation holds at that instant.

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tools/serve/eb_api.h"
#include "tools/serve/journal.h"
#include "tools/serve/live_cloud.h"
#include "tools/serve/paced_clock.h"
#include "tools/serve/server.h"
#include "tools/serve/sigv4.h"

namespace ebsim::serve {

class LiveService {
 public:
  // nullptr after printing to `err` why not (bad options, an unreadable state directory, an
  // invalid scenario): the server's exit code 2. Diagnostics go to `log`.
  static std::unique_ptr<LiveService> open(const ServeOptions& options, spdlog::logger& log,
                                           std::ostream& err);

  LiveService(const LiveService&) = delete;
  LiveService& operator=(const LiveService&) = delete;

  void catchUp() { clock_.catchUp(); }

  // The EB API. With --access-key-id, refusal() is AWS's answer to a request without a valid
  // signature (nullopt for a good one); without, nothing is checked.
  bool checksSignatures() const { return verifier_.has_value(); }
  std::optional<ApiError> refusal(const SignedRequest& request) const;
  // `target`: the request target as received ("/?Action=..."); `body`: the form body. A
  // successful call that changes the state is kept in the journal.
  ApiReply handleApi(std::string_view target, std::string_view body);

  // The data plane: what a request to `host` gets (LiveCloud::route), in `out`'s storage.
  void route(std::string_view host, LiveCloud::Answer& out);

  // DNS: the reply to one query ("" for none); load balancers' names are `dataPlaneAddress`.
  std::string answerDns(std::string_view query, const std::string& dataPlaneAddress) const;

  // Keeps the simulated time the server stops at, and returns it.
  sim::SimTime stop();

 private:
  struct World {
    emu::CloudOptions options;
    std::string region = "us-east-1";
  };
  static std::optional<World> worldOf(const ServeOptions& options, std::ostream& err);
  LiveService(const ServeOptions& options, Journal journal, World world, spdlog::logger& log);
  void replayJournal(const std::string& stateDir);

  spdlog::logger& log_;
  Journal journal_;
  LiveCloud cloud_;
  EbApi api_;
  PacedClock clock_;
  std::optional<SigV4Verifier> verifier_;
};

}  // namespace ebsim::serve
