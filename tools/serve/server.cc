// The HTTP side of `ebsim serve` (Boost.Beast over Asio). One io_context thread runs both
// listeners and the clock: every request first brings simulated time up to the wall clock, so
// what a client reads is what the simulation holds at that instant.

#include "tools/serve/server.h"

#include <array>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "runner/scenario_parser.h"
#include "runner/scenario_runner.h"
#include "tools/serve/dns_wire.h"
#include "tools/serve/eb_api.h"
#include "tools/serve/journal.h"
#include "tools/serve/live_cloud.h"
#include "tools/serve/sigv4.h"

namespace ebsim::serve {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using udp = net::ip::udp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using Handler = std::function<Response(const Request&)>;

constexpr auto kIdleTimeout = std::chrono::seconds(30);  // a client that sends too slowly
constexpr std::size_t kHeaderLimit = 16 * 1024;

Response plain(unsigned version, bool keepAlive, http::status status, std::string contentType,
               std::string body) {
  Response res{status, version};
  res.set(http::field::server, "ebsim");
  res.set(http::field::content_type, contentType);
  res.keep_alive(keepAlive);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

// An error the HTTP layer answers itself (the request never reached a handler), in the Query
// error envelope.
Response protocolError(http::status status, const std::string& code, const std::string& message) {
  return plain(11, false, status, "text/xml",
               errorEnvelope(ApiError(static_cast<int>(status), code, message), ""));
}

// One connection: read a request, answer it, and again while the client keeps it alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Handler& handler, std::size_t maxBody)
      : stream_(std::move(socket)), handler_(handler), maxBody_(maxBody) {}

  void start() { read(); }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(maxBody_);
    parser_->header_limit(kHeaderLimit);
    stream_.expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::onRead, shared_from_this()));
  }

  void onRead(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == net::error::operation_aborted) {
      return close();
    }
    if (ec == http::error::body_limit) {
      return write(
          protocolError(http::status::payload_too_large, "RequestEntityTooLarge",
                        "The request body exceeds " + std::to_string(maxBody_) + " bytes."));
    }
    if (ec) {
      // Not HTTP (garbage bytes, a broken header): a 400, then the connection closes.
      return write(protocolError(http::status::bad_request, "MalformedRequest",
                                 "The request is not valid HTTP: " + ec.message() + "."));
    }
    Response res;
    try {
      res = handler_(parser_->get());
    } catch (const std::exception& e) {
      res = protocolError(http::status::internal_server_error, "InternalFailure", e.what());
    }
    write(std::move(res));
  }

  void write(Response res) {
    auto owned = std::make_shared<Response>(std::move(res));
    stream_.expires_after(kIdleTimeout);
    http::async_write(stream_, *owned,
                      [self = shared_from_this(), owned](beast::error_code ec, std::size_t) {
                        if (ec || !owned->keep_alive()) return self->close();
                        self->read();
                      });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const Handler& handler_;
  std::size_t maxBody_;
};

class Listener {
 public:
  Listener(net::io_context& io, Handler handler, std::size_t maxBody)
      : acceptor_(io), handler_(std::move(handler)), maxBody_(maxBody) {}

  // Opens and listens; returns the bound port. Throws boost::system::system_error.
  unsigned short listen(const std::string& host, unsigned short port) {
    const tcp::endpoint endpoint(net::ip::make_address(host), port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
    accept();
    return acceptor_.local_endpoint().port();
  }
  void stop() {
    beast::error_code ignored;
    acceptor_.close(ignored);
  }

 private:
  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted) return;
      if (!ec) std::make_shared<Session>(std::move(socket), handler_, maxBody_)->start();
      accept();  // one failed accept (e.g. out of descriptors) does not stop the server
    });
  }

  tcp::acceptor acceptor_;
  Handler handler_;
  std::size_t maxBody_;
};

// The DNS server on UDP (--dns-port): each datagram is one query, answered at once.
class DnsListener {
 public:
  using Answer = std::function<std::string(std::string_view query)>;
  DnsListener(net::io_context& io, Answer answer) : socket_(io), answer_(std::move(answer)) {}

  // Binds; returns the bound port. Throws boost::system::system_error.
  unsigned short listen(const std::string& host, unsigned short port) {
    const udp::endpoint endpoint(net::ip::make_address(host), port);
    socket_.open(endpoint.protocol());
    socket_.bind(endpoint);
    socket_.non_blocking(true);  // a reply that does not fit the send buffer is dropped
    receive();
    return socket_.local_endpoint().port();
  }
  void stop() {
    beast::error_code ignored;
    socket_.close(ignored);
  }

 private:
  void receive() {
    socket_.async_receive_from(
        net::buffer(buffer_), peer_, [this](beast::error_code ec, std::size_t size) {
          if (ec == net::error::operation_aborted) return;
          if (!ec) {
            const std::string reply = answer_(std::string_view(buffer_.data(), size));
            beast::error_code ignored;  // UDP: a lost reply is the client's to retry
            if (!reply.empty()) socket_.send_to(net::buffer(reply), peer_, 0, ignored);
          }
          receive();
        });
  }

  udp::socket socket_;
  Answer answer_;
  udp::endpoint peer_;
  std::array<char, 4096> buffer_{};  // larger queries are truncated: FORMERR, not a crash
};

std::int64_t wallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int serve(const ServeOptions& options, std::ostream& out, std::ostream& err) {
  if (!(options.speed > 0)) {
    err << "ebsim serve: --speed must be positive\n";
    return 2;
  }
  if (options.accessKey.id.empty() != options.accessKey.secret.empty()) {
    err << "ebsim serve: --access-key-id and --secret-access-key must both be non-empty\n";
    return 2;
  }
  Journal journal(options.stateDir);
  try {
    journal.load();
  } catch (const std::exception& e) {
    err << "ebsim serve: " << e.what() << "\n";
    return 2;
  }
  if (journal.epochMs() == 0) journal.setEpochMs(wallMs());
  emu::CloudOptions cloudOptions;
  std::string region = "us-east-1";
  if (!options.scenario.empty()) {
    const auto parsed = scenario::parseScenarioFile(options.scenario);
    for (const auto& d : parsed.diagnostics) err << d.format() << "\n";
    if (!parsed.ok()) return 2;
    cloudOptions = scenario::cloudOptionsOf(*parsed.scenario);
    region = parsed.scenario->region;
  }
  LiveCloud cloud(options.seed, region, std::move(cloudOptions));
  EbApi api(cloud, journal.epochMs());
  // Runs the simulation to `t`. An exception out of a simulated event is a bug of ours: it is
  // reported, and the server goes on serving (the event that threw is gone).
  auto advance = [&](sim::SimTime t) {
    try {
      cloud.advanceTo(t);
    } catch (const std::exception& e) {
      err << "ebsim serve: internal error in the simulation at " << cloud.now().toSecondsF()
          << " s: " << e.what() << "\n";
    }
  };
  // Replay what was kept: each call at its simulated time (the world is deterministic).
  for (const auto& call : journal.calls()) {
    advance(sim::SimTime::fromNanos(call.atNanos));
    const ApiReply reply = api.handle(call.query, call.body);
    if (reply.status != 200) {
      err << "ebsim serve: warning: a kept " << reply.action << " call failed on replay ("
          << reply.status << ")\n";
    }
  }
  advance(sim::SimTime::fromNanos(journal.stoppedAtNanos()));
  if (!journal.calls().empty()) {
    out << "ebsim serve: restored " << journal.calls().size() << " calls from " << options.stateDir
        << "/state.json\n";
  }

  // Simulated time follows the wall clock from here.
  const auto wallStart = std::chrono::steady_clock::now();
  const sim::SimTime simStart = cloud.now();
  auto catchUp = [&] {
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count();
    const auto target =
        simStart + sim::Duration::nanos(static_cast<std::int64_t>(wall * options.speed * 1e9));
    advance(target);
  };

  std::optional<SigV4Verifier> verifier;
  if (!options.accessKey.id.empty()) verifier.emplace(options.accessKey, region);
  Handler apiHandler = [&](const Request& req) {
    catchUp();
    if (req.method() != http::verb::post && req.method() != http::verb::get) {
      return protocolError(http::status::method_not_allowed, "InvalidAction",
                           "Use POST / (or GET / with a query string).");
    }
    const std::string_view target = req.target();
    if (verifier) {
      SignedRequest signedRequest{req.method_string(), target, {}, req.body()};
      for (const auto& field : req) {
        signedRequest.headers.emplace_back(field.name_string(), field.value());
      }
      if (const auto refused = verifier->verify(signedRequest, wallMs() / 1000)) {
        return plain(req.version(), req.keep_alive(), static_cast<http::status>(refused->status),
                     "text/xml", errorEnvelope(*refused, ""));
      }
    }
    const auto mark = target.find('?');
    const std::string_view query =
        mark == std::string_view::npos ? std::string_view{} : target.substr(mark + 1);
    const ApiReply reply = api.handle(query, req.body());
    if (reply.status == 200 && isMutating(reply.action)) {
      try {
        journal.record({cloud.now().nanos(), std::string(query), req.body()});
      } catch (const std::exception& e) {
        err << "ebsim serve: could not keep the state: " << e.what() << "\n";
      }
    }
    return plain(req.version(), req.keep_alive(), static_cast<http::status>(reply.status),
                 "text/xml", reply.body);
  };
  LiveCloud::Answer answer;
  Handler lbHandler = [&](const Request& req) {
    catchUp();
    cloud.route(req[http::field::host], answer);  // `answer`: storage reused across requests
    const LiveCloud::Answer& a = answer;
    std::string body;
    body.reserve(160);
    body.append("{\"status\":").append(std::to_string(a.status));
    auto field = [&body](std::string_view name, std::string_view value) {
      if (value.empty()) return;
      body.append(",\"").append(name).append("\":\"");
      for (const char c : value) {  // JSON string escapes (a Host header can hold anything)
        if (c == '"' || c == '\\') {
          body += '\\';
          body += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          body.append("\\u00");
          body += kHex[(c >> 4) & 15];
          body += kHex[c & 15];
        } else {
          body += c;
        }
      }
      body += '"';
    };
    field("environment", a.environment);
    field("instance", a.instanceId);
    field("zone", a.zone);
    field("version", a.version);
    field("reason", a.reason);
    body += "}\n";
    Response res = plain(req.version(), req.keep_alive(), static_cast<http::status>(a.status),
                         "application/json", std::move(body));
    if (!a.instanceId.empty()) res.set("X-Ebsim-Instance", a.instanceId);
    return res;
  };

  net::io_context io(1);
  Listener apiListener(io, apiHandler, options.maxBodyBytes);
  Listener lbListener(io, lbHandler, options.maxBodyBytes);
  auto listen = [&](Listener& listener, unsigned short port, const char* what) -> int {
    try {
      return listener.listen(options.host, port);
    } catch (const boost::system::system_error& e) {
      err << "ebsim serve: cannot listen on " << options.host << ":" << port << " (" << what
          << "): " << e.code().message() << "\n";
      return -1;
    }
  };
  const int apiPort = listen(apiListener, options.port, "--port");
  if (apiPort < 0) return 2;
  const int lbPort = listen(lbListener, options.lbPort, "--lb-port");
  if (lbPort < 0) return 2;
  // Every load balancer's DNS name answers with the data plane's address.
  const std::string dataPlaneAddress =
      net::ip::make_address(options.host).is_unspecified() ? "127.0.0.1" : options.host;
  DnsListener dnsListener(io, [&](std::string_view query) {
    catchUp();
    return answerDnsQuery(query, [&](const std::string& name, std::uint16_t type) {
      return cloud.dnsLookup(name, type, dataPlaneAddress);
    });
  });
  int dnsPort = -1;
  if (options.dnsPort >= 0) {
    try {
      dnsPort = dnsListener.listen(options.host, static_cast<unsigned short>(options.dnsPort));
    } catch (const boost::system::system_error& e) {
      err << "ebsim serve: cannot listen on udp " << options.host << ":" << options.dnsPort
          << " (--dns-port): " << e.code().message() << "\n";
      return 2;
    }
  }

  // The clock also moves between requests, so timers (deployments) run at the wall's pace.
  net::steady_timer tick(io);
  std::function<void()> schedule = [&] {
    tick.expires_after(std::chrono::milliseconds(20));
    tick.async_wait([&](beast::error_code ec) {
      if (ec) return;
      catchUp();
      schedule();
    });
  };
  schedule();

  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) {
    apiListener.stop();
    lbListener.stop();
    dnsListener.stop();
    tick.cancel();
    io.stop();
  });

  out << "ebsim serve: listening on http://" << options.host << ":" << apiPort
      << "/ (Elastic Beanstalk API) and http://" << options.host << ":" << lbPort
      << "/ (load balancers, by Host)";
  if (dnsPort >= 0) out << ", DNS on udp://" << options.host << ":" << dnsPort;
  out << ", speed " << options.speed << "x" << std::endl;
  io.run();
  try {
    journal.stop(cloud.now().nanos());
  } catch (const std::exception& e) {
    err << "ebsim serve: could not keep the state: " << e.what() << "\n";
  }
  out << "ebsim serve: stopped at simulated " << cloud.now().toSecondsF() << " s" << std::endl;
  return 0;
}

}  // namespace ebsim::serve
