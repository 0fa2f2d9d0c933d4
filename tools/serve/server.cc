// The HTTP and UDP side of `ebsim serve` (Boost.Beast over Asio), shaped like Beast's
// example/http/server/async: a session per connection, a listener per port, and handlers that
// turn requests into calls of the LiveService (tools/serve/live_service.h), which holds the
// simulation. One io_context thread runs the listeners and the clock: every request first brings
// simulated time up to the wall clock, so what a client reads is what the simulation holds at
// that instant.

#include "tools/serve/server.h"

#include <spdlog/logger.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "tools/serve/live_service.h"

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
constexpr auto kClockTick = std::chrono::milliseconds(20);

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

// An error the HTTP layer answers itself (the request never reached the API), in the Query
// error envelope; the connection then closes.
Response protocolError(http::status status, const std::string& code, const std::string& message) {
  return plain(11, false, status, "text/xml",
               errorEnvelope(ApiError(static_cast<int>(status), code, message), ""));
}

// One connection: read a request, answer it, and again while the client keeps it alive.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, const Handler& handler, std::size_t maxBody)
      : stream_(std::move(socket)), handler_(handler), maxBody_(maxBody) {}

  void start() { read(); }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(maxBody_);
    parser_->header_limit(kHeaderLimit);
    stream_.expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpSession::onRead, shared_from_this()));
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

// One TCP port: accepts connections and gives each a session with the port's handler.
class HttpListener {
 public:
  HttpListener(net::io_context& io, Handler handler, std::size_t maxBody)
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
      if (!ec) std::make_shared<HttpSession>(std::move(socket), handler_, maxBody_)->start();
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

// The EB API port: POST / (or GET /?...), SigV4 checked when configured.
class ApiHandler {
 public:
  explicit ApiHandler(LiveService& service) : service_(service) {}

  Response operator()(const Request& req) const {
    service_.catchUp();
    if (req.method() != http::verb::post && req.method() != http::verb::get) {
      return protocolError(http::status::method_not_allowed, "InvalidAction",
                           "Use POST / (or GET / with a query string).");
    }
    if (service_.checksSignatures()) {
      if (const auto refused = service_.refusal(signedRequestOf(req))) {
        return xmlReply(req, refused->status, errorEnvelope(*refused, ""));
      }
    }
    ApiReply reply = service_.handleApi(req.target(), req.body());
    return xmlReply(req, reply.status, std::move(reply.body));
  }

 private:
  static SignedRequest signedRequestOf(const Request& req) {
    SignedRequest signedRequest{req.method_string(), req.target(), {}, req.body()};
    for (const auto& field : req) {
      signedRequest.headers.emplace_back(field.name_string(), field.value());
    }
    return signedRequest;
  }
  static Response xmlReply(const Request& req, int status, std::string body) {
    return plain(req.version(), req.keep_alive(), static_cast<http::status>(status), "text/xml",
                 std::move(body));
  }

  LiveService& service_;
};

// Appends ,"name":"value" (JSON string escapes: a Host header can hold anything); nothing for
// an empty value.
void appendJsonField(std::string& body, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  body.append(",\"").append(name).append("\":\"");
  for (const char c : value) {
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
}

// The data plane port: every load balancer, chosen by the Host header; a JSON line per answer.
class DataPlaneHandler {
 public:
  explicit DataPlaneHandler(LiveService& service) : service_(service) {}

  Response operator()(const Request& req) {
    service_.catchUp();
    service_.route(req[http::field::host], answer_);
    Response res = plain(req.version(), req.keep_alive(), static_cast<http::status>(answer_.status),
                         "application/json", json(answer_));
    if (!answer_.instanceId.empty()) res.set("X-Ebsim-Instance", answer_.instanceId);
    return res;
  }

 private:
  static std::string json(const LiveCloud::Answer& a) {
    std::string body;
    body.reserve(160);
    body.append("{\"status\":").append(std::to_string(a.status));
    appendJsonField(body, "environment", a.environment);
    appendJsonField(body, "instance", a.instanceId);
    appendJsonField(body, "zone", a.zone);
    appendJsonField(body, "version", a.version);
    appendJsonField(body, "reason", a.reason);
    body += "}\n";
    return body;
  }

  LiveService& service_;
  LiveCloud::Answer answer_;  // storage reused across requests
};

// Simulated time also moves between requests, so that timers (deployments) run at the wall's
// pace while nobody asks.
class ClockTicker {
 public:
  ClockTicker(net::io_context& io, LiveService& service) : timer_(io), service_(service) {}

  void start() {
    timer_.expires_after(kClockTick);
    timer_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      service_.catchUp();
      start();
    });
  }
  void stop() { timer_.cancel(); }

 private:
  net::steady_timer timer_;
  LiveService& service_;
};

// The ports, the clock's ticks and the signals that stop them, on one io_context thread.
class LiveServer {
 public:
  LiveServer(const ServeOptions& options, LiveService& service)
      : options_(options),
        api_(io_, ApiHandler(service), options.maxBodyBytes),
        dataPlane_(io_, DataPlaneHandler(service), options.maxBodyBytes),
        dns_(io_,
             [this, &service](std::string_view query) {
               service.catchUp();
               return service.answerDns(query, dataPlaneAddress_);
             }),
        ticker_(io_, service),
        signals_(io_, SIGINT, SIGTERM) {}

  // Opens the ports and starts the clock; false after printing to `err` why not.
  bool start(std::ostream& err) {
    apiPort_ = listenHttp(api_, options_.port, "--port", err);
    if (apiPort_ < 0) return false;
    lbPort_ = listenHttp(dataPlane_, options_.lbPort, "--lb-port", err);
    if (lbPort_ < 0) return false;
    // Every load balancer's DNS name answers with the data plane's address.
    dataPlaneAddress_ =
        net::ip::make_address(options_.host).is_unspecified() ? "127.0.0.1" : options_.host;
    if (options_.dnsPort >= 0 && !listenDns(err)) return false;
    ticker_.start();
    signals_.async_wait([this](beast::error_code, int) { stop(); });
    return true;
  }

  // What the server says once its ports accept connections (tests and scripts read the ports).
  std::string listeningLine() const {
    std::string line = "listening on http://" + options_.host + ":" + std::to_string(apiPort_) +
                       "/ (Elastic Beanstalk API) and http://" + options_.host + ":" +
                       std::to_string(lbPort_) + "/ (load balancers, by Host)";
    if (dnsPort_ >= 0) line += ", DNS on udp://" + options_.host + ":" + std::to_string(dnsPort_);
    return line;
  }

  void run() { io_.run(); }  // until SIGINT or SIGTERM

 private:
  int listenHttp(HttpListener& listener, unsigned short port, const char* what, std::ostream& err) {
    try {
      return listener.listen(options_.host, port);
    } catch (const boost::system::system_error& e) {
      err << "ebsim serve: cannot listen on " << options_.host << ":" << port << " (" << what
          << "): " << e.code().message() << "\n";
      return -1;
    }
  }

  bool listenDns(std::ostream& err) {
    try {
      dnsPort_ = dns_.listen(options_.host, static_cast<unsigned short>(options_.dnsPort));
      return true;
    } catch (const boost::system::system_error& e) {
      err << "ebsim serve: cannot listen on udp " << options_.host << ":" << options_.dnsPort
          << " (--dns-port): " << e.code().message() << "\n";
      return false;
    }
  }

  void stop() {
    api_.stop();
    dataPlane_.stop();
    dns_.stop();
    ticker_.stop();
    io_.stop();
  }

  const ServeOptions& options_;
  net::io_context io_{1};
  HttpListener api_;
  HttpListener dataPlane_;
  DnsListener dns_;
  ClockTicker ticker_;
  net::signal_set signals_;
  std::string dataPlaneAddress_;
  int apiPort_ = -1;
  int lbPort_ = -1;
  int dnsPort_ = -1;
};

}  // namespace

int serve(const ServeOptions& options, spdlog::logger& log, std::ostream& err) {
  const auto service = LiveService::open(options, log, err);
  if (!service) return 2;
  LiveServer server(options, *service);
  if (!server.start(err)) return 2;
  log.info("{}, speed {:g}x", server.listeningLine(), options.speed);
  server.run();
  log.info("stopped at simulated {:g} s", service->stop().toSecondsF());
  return 0;
}

}  // namespace ebsim::serve
