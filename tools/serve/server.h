#pragma once

// `ebsim serve`: the EB Query API and the load balancers' data plane over HTTP (and DNS over
// UDP), on one io_context thread that also drives the virtual clock at --speed times the wall
// clock. server.cc is the only code that includes Boost.Beast; what the ports answer is
// LiveService's (tools/serve/live_service.h).

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>

#include "tools/serve/sigv4.h"

namespace spdlog {
class logger;
}

namespace ebsim::serve {

struct ServeOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 4580;    // the EB API; 0: any free port
  unsigned short lbPort = 8080;  // the data plane; 0: any free port
  int dnsPort = -1;              // the DNS server on UDP: -1 none; 0 any free port
  double speed = 60;             // simulated seconds per wall second
  std::string stateDir;          // "": nothing kept across restarts
  std::string scenario;          // a scenario file whose versions, timings and region to use
  std::uint64_t seed = 1;
  std::size_t maxBodyBytes = 1 << 20;  // larger requests get 413 and are closed
  // Set: every API request must carry a valid SigV4 signature by this key (tools/serve/sigv4.h),
  // or it gets AWS's 403. Empty id: signatures are accepted unchecked.
  AccessKey accessKey;
};

// Serves until SIGINT or SIGTERM; returns the process exit code. Logs one info line containing
// "listening" (with the ports) to `log` once the ports accept connections; warnings and errors
// while serving go to `log` too. Errors that stop it from starting (bad options, a port in use,
// an unreadable state directory, an invalid scenario) go to `err`, with exit code 2.
int serve(const ServeOptions& options, spdlog::logger& log, std::ostream& err);

}  // namespace ebsim::serve
