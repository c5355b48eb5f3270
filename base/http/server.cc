#include "base/http/server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "base/http/connection_stream.h"
#include "base/http/gzip.h"
#include "base/http/inflating_body_reader.h"
#include "base/http/listener.h"
#include "base/http/query_string.h"
#include "base/http/wire_body_reader.h"
#include "base/log/log.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "httplib.h"
#include "re2/re2.h"

namespace vigil::http {
namespace {

using internal::ConnectionStream;
using internal::DrainBeforeClose;
using internal::JoinHostPort;
using internal::ListenAddress;
using internal::OpenListener;
using internal::ParseListenAddress;
using internal::SocketAddress;
using internal::WaitFor;
using internal::WireBodyReader;

// Carries a response's real Content-Type past cpp-httplib's own compression step (see ConfigureTransport).
constexpr char kDeferredContentType[] = "X-Vigil-Deferred-Content-Type";
// Matches any path, newlines included: the one route registered with cpp-httplib per method.
constexpr char kAnyPath[] = R"([\s\S]*)";
// Bytes a request may carry beyond max_request_bytes on the wire: request line, headers, chunk framing.
constexpr size_t kHeaderAllowance = size_t{1} << 20;
// How many times its decoded limit a streaming body may take on the wire: chunk framing and compression add
// bytes, but only a degenerate body (1-byte chunks, gzip of empty blocks) comes near this.
constexpr uint64_t kStreamWireFactor = 8;
// Requests served on one keep-alive connection before the server closes it.
constexpr size_t kMaxRequestsPerConnection = 1000;
// Longest wait for a client to stop sending before a connection with unread request bytes is closed.
constexpr absl::Duration kMaxDrain = absl::Seconds(1);

// One connection being served. `busy` is guarded by the server's mutex; the rest belongs to the connection's
// thread.
struct Connection {
  int fd = -1;
  std::string peer;  // "ip:port"
  bool busy = false;
  bool close_after_response = false;
  absl::Time request_start;
  ConnectionStream* stream = nullptr;
};

// The connection the current thread is serving. cpp-httplib runs a request's handler, post-routing hook and
// logger on the thread that called process_request, so they find their connection here.
thread_local Connection* t_connection = nullptr;

void MarkConnectionForClose() {
  if (t_connection != nullptr) t_connection->close_after_response = true;
}

std::string_view StatusText(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 416:
      return "Range Not Satisfiable";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return status >= 500 ? "Server Error" : "Client Error";
  }
}

Response TextResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

bool IsHttplibPseudoHeader(const std::string& name) {
  // cpp-httplib stores the socket's addresses among the request headers under these names.
  return absl::EqualsIgnoreCase(name, "REMOTE_ADDR") || absl::EqualsIgnoreCase(name, "REMOTE_PORT") ||
         absl::EqualsIgnoreCase(name, "LOCAL_ADDR") || absl::EqualsIgnoreCase(name, "LOCAL_PORT");
}

bool HasControlChars(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

bool ValidHeaderName(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (c <= ' ' || c >= 0x7f || c == ':') return false;
  }
  return true;
}

// The content codings cpp-httplib 0.11.4 decodes in a request body before the handler sees it.
bool HttplibDecodes(const std::string& content_encoding) {
  return content_encoding == "gzip" || content_encoding == "deflate" ||
         content_encoding.find("br") != std::string::npos;
}

bool MethodServes(std::string_view route_method, std::string_view request_method) {
  return route_method == request_method || (route_method == "GET" && request_method == "HEAD");
}

// The most bytes a streaming request with a decoded-body limit of `limit` (0: none) may read from the socket.
size_t StreamWireLimit(uint64_t limit) {
  constexpr uint64_t kMax = std::numeric_limits<size_t>::max();
  if (limit == 0 || limit > (kMax - kHeaderAllowance) / kStreamWireFactor) return kMax;
  return static_cast<size_t>(limit * kStreamWireFactor + kHeaderAllowance);
}

// Decides the response of a streaming request whose body failed (see Server::PostStream): 413 over the limit
// unless the handler said 413 itself; otherwise the handler's own error response, or 400.
void ApplyBodyError(const absl::Status& status, bool over_limit, uint64_t limit, Response* out) {
  if (over_limit) {
    if (out->status != 413) *out = TextResponse(413, BodyTooLargeMessage(limit) + "\n");
    return;
  }
  if (out->status < 400) {
    *out = TextResponse(400, absl::StrCat("could not read the request body: ", status.message(), "\n"));
  }
}

}  // namespace

bool HeaderNameLess::operator()(std::string_view a, std::string_view b) const {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    unsigned char ca = absl::ascii_tolower(static_cast<unsigned char>(a[i]));
    unsigned char cb = absl::ascii_tolower(static_cast<unsigned char>(b[i]));
    if (ca != cb) return ca < cb;
  }
  return a.size() < b.size();
}

std::string Request::Param(std::string_view name) const {
  auto it = params.find(std::string(name));
  return it == params.end() ? std::string() : it->second;
}

std::vector<std::string> Request::Params(std::string_view name) const {
  std::vector<std::string> out;
  auto [begin, end] = params.equal_range(std::string(name));
  for (auto it = begin; it != end; ++it) out.push_back(it->second);
  return out;
}

bool Request::HasParam(std::string_view name) const { return params.count(std::string(name)) > 0; }

std::string Request::Header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

class Server::Impl {
 public:
  explicit Impl(ServerOptions options) : options_(std::move(options)) {}
  ~Impl() { Shutdown(absl::ZeroDuration()); }

  // Adds a route served by `handler`, or for a streaming route by `stream_handler` with `max_stream_bytes`.
  void AddRoute(std::string_view method, std::string_view pattern, Handler handler,
                StreamHandler stream_handler = nullptr, uint64_t max_stream_bytes = 0);
  uint64_t default_stream_limit() const { return options_.max_stream_bytes; }
  Response Handle(Request request) const;
  absl::Status Start();
  int port() const { return port_.load(); }
  void Shutdown(absl::Duration grace);

 private:
  // cpp-httplib's request parsing, routing and response writing, driven by Vigil's connection handling
  // (AcceptLoop and ServeConnection): cpp-httplib's own accept loop and thread pool are not used.
  class Transport final : public httplib::Server {
   public:
    // cpp-httplib's streamed responses stop when its listening socket is unset ("shutting down"): set while
    // the server runs, unset by Shutdown.
    void AdoptListener(int fd) { svr_sock_ = fd; }
    void ReleaseListener() { svr_sock_ = INVALID_SOCKET; }
    bool ServeOne(httplib::Stream& stream, bool close_connection, bool& connection_closed) {
      return process_request(stream, close_connection, connection_closed, nullptr);
    }
  };

  struct Route {
    std::string method;
    std::string pattern;
    std::unique_ptr<RE2> regex;
    Handler handler;               // Null for a streaming route.
    StreamHandler stream_handler;  // Set for a streaming route only.
    uint64_t max_stream_bytes = 0;
  };

  struct RouteMatch {
    std::shared_ptr<const Route> route;  // Null: `response` says why (404 or 405).
    std::vector<std::string> captures;
    Response response;
  };

  RouteMatch Match(const std::string& method, const std::string& path) const;
  // Runs the route's handler; `body` is the streaming route's body (null for other routes).
  Response Invoke(const Route& route, const Request& request, BodyReader* body) const;
  void ConfigureTransport();
  // Run by each worker thread until Shutdown: takes a turn waiting in accept(2), then serves the connection it
  // accepted to its end.
  void AcceptLoop();
  // Waits, as an idle follower on top of the stack, while kAcceptingWorkers others wait in accept(2); false once
  // the server stops.
  bool AwaitAcceptTurn();
  // Called after accept(2) returns: when no worker is left waiting in it, wakes the most recently idle follower
  // to take its place.
  void EndAcceptTurn();
  bool ServeConnection(int fd);
  void Dispatch(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader);
  // Serves a request of a streaming route, reading its body from the connection as the handler asks.
  void DispatchStream(const httplib::Request& req, const Route& route, Request request, bool chunked,
                      uint64_t content_length, httplib::Response& res);
  // The 100-continue decision: 100, or 413 (with `res` filled) for a body announced larger than allowed.
  int ExpectContinue(const httplib::Request& req, httplib::Response& res) const;
  void Encode(const httplib::Request& req, Response out, httplib::Response& res) const;
  void AccessLog(const httplib::Request& req, const httplib::Response& res) const;
  bool Drained() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return busy_ == 0; }

  const ServerOptions options_;

  // Replaced, never modified, when a route is added: a request routes on the snapshot it took.
  using RouteList = std::vector<std::shared_ptr<const Route>>;
  mutable absl::Mutex routes_mu_;
  std::shared_ptr<const RouteList> routes_ ABSL_GUARDED_BY(routes_mu_) = std::make_shared<RouteList>();
  absl::Status route_error_ ABSL_GUARDED_BY(routes_mu_);

  // Start/Shutdown; held for the whole of each so they never interleave.
  absl::Mutex lifecycle_mu_;
  enum class State { kNew, kRunning, kStopped };
  State state_ ABSL_GUARDED_BY(lifecycle_mu_) = State::kNew;
  std::unique_ptr<Transport> transport_;  // Set by Start, before the worker threads exist.
  int listener_ = -1;                     // Set by Start, closed by Shutdown once the workers are gone.
  std::vector<std::thread> workers_;

  // Two workers wait in accept(2); the others wait on their own condition variable, most recently idle on top,
  // and one is woken only when both accepting workers are busy. The kernel wakes the longest-waiting of the
  // threads blocked in accept: with all 64 workers there, every connection went to the coldest thread (caches,
  // allocator state); with two, consecutive connections alternate between two warm ones (query '1' by curl:
  // 0.32 -> 0.22 ms on a 2-vCPU VM), and no wake-up of a follower is paid unless connections overlap.
  static constexpr int kAcceptingWorkers = 2;
  struct Follower {
    absl::CondVar wake;
    bool promoted = false;
  };
  absl::Mutex accept_mu_;
  int accepting_ ABSL_GUARDED_BY(accept_mu_) = 0;
  std::vector<Follower*> idle_ ABSL_GUARDED_BY(accept_mu_);
  std::string bound_address_;
  std::atomic<int> port_{0};
  std::atomic<bool> stopping_{false};

  // Open connections and how many are mid-request.
  absl::Mutex mu_;
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  int busy_ ABSL_GUARDED_BY(mu_) = 0;
  std::set<Connection*> connections_ ABSL_GUARDED_BY(mu_);
};

void Server::Impl::AddRoute(std::string_view method, std::string_view pattern, Handler handler,
                            StreamHandler stream_handler, uint64_t max_stream_bytes) {
  auto route = std::make_shared<Route>();
  route->method = std::string(method);
  route->pattern = std::string(pattern);
  route->handler = std::move(handler);
  route->stream_handler = std::move(stream_handler);
  route->max_stream_bytes = max_stream_bytes;
  // Latin-1: a percent-decoded path is bytes, not necessarily UTF-8, and "[^/]+" must match any of them.
  RE2::Options re_options(RE2::Latin1);
  re_options.set_log_errors(false);
  route->regex = std::make_unique<RE2>(route->pattern, re_options);
  if (!route->regex->ok()) {
    absl::Status error = absl::InvalidArgumentError(absl::StrCat("invalid route pattern \"", route->pattern, "\" for ",
                                                                 route->method, ": ", route->regex->error()));
    log::Error("http route not added", {{"err", error}});
    absl::MutexLock lock(&routes_mu_);
    if (route_error_.ok()) route_error_ = error;
    return;
  }
  absl::MutexLock lock(&routes_mu_);
  auto routes = std::make_shared<RouteList>(*routes_);
  routes->push_back(std::move(route));
  routes_ = std::move(routes);
}

Server::Impl::RouteMatch Server::Impl::Match(const std::string& method, const std::string& path) const {
  RouteMatch result;
  std::set<std::string> allowed;
  std::shared_ptr<const RouteList> routes;
  {
    absl::ReaderMutexLock lock(&routes_mu_);
    routes = routes_;
  }
  std::vector<re2::StringPiece> groups;
  for (const auto& route : *routes) {
    groups.assign(1 + route->regex->NumberOfCapturingGroups(), re2::StringPiece());
    if (!route->regex->Match(path, 0, path.size(), RE2::ANCHOR_BOTH, groups.data(), static_cast<int>(groups.size()))) {
      continue;
    }
    if (MethodServes(route->method, method)) {
      result.route = route;
      for (const re2::StringPiece& g : groups) result.captures.emplace_back(g.data(), g.size());
      return result;
    }
    allowed.insert(route->method);
    if (route->method == "GET") allowed.insert("HEAD");
  }
  if (allowed.empty()) {
    result.response = TextResponse(404, "404 page not found\n");
  } else {
    result.response = TextResponse(405, absl::StrCat("method ", method, " not allowed for ", path, "\n"));
    result.response.headers.emplace_back("Allow", absl::StrJoin(allowed, ", "));
  }
  return result;
}

Response Server::Impl::Invoke(const Route& route, const Request& request, BodyReader* body) const {
  Response out;
  // The one catch-all boundary: a throwing handler must not take the server down. It is logged, never
  // swallowed, and the client gets a 500.
  try {
    if (route.stream_handler) {
      route.stream_handler(request, body, &out);
    } else {
      route.handler(request, &out);
    }
  } catch (const std::exception& e) {
    log::Error("http handler threw an exception",
               {{"method", request.method}, {"path", request.path}, {"route", route.pattern}, {"err", e.what()}});
    out = TextResponse(500, "internal server error\n");
  } catch (...) {
    log::Error("http handler threw an exception", {{"method", request.method},
                                                   {"path", request.path},
                                                   {"route", route.pattern},
                                                   {"err", "exception of a type not derived from std::exception"}});
    out = TextResponse(500, "internal server error\n");
  }
  if (out.status < 200 || out.status > 599) {
    log::Error("http handler set an invalid status",
               {{"method", request.method}, {"path", request.path}, {"status", out.status}});
    out = TextResponse(500, "internal server error\n");
  }
  return out;
}

namespace {

// Handle's callers (tests) read the body: a streamed one is collected.
Response Collected(Response r) {
  if (!r.body_stream) return r;
  std::string piece;
  for (bool more = true; more;) {
    piece.clear();
    more = r.body_stream(&piece);
    r.body.append(piece);
  }
  r.body_stream = nullptr;
  return r;
}

}  // namespace

Response Server::Impl::Handle(Request request) const {
  RouteMatch match = Match(request.method, request.path);
  if (match.route == nullptr) return std::move(match.response);
  request.path_matches = std::move(match.captures);
  const Route& route = *match.route;
  if (!route.stream_handler) return Collected(Invoke(route, request, nullptr));
  StringBodyReader source(std::move(request.body));
  request.body.clear();
  LimitedBodyReader body(&source, route.max_stream_bytes);
  Response out = Invoke(route, request, &body);
  if (body.limit_exceeded() || !body.status().ok()) {
    ApplyBodyError(body.status(), body.limit_exceeded(), route.max_stream_bytes, &out);
  }
  return out;
}

void Server::Impl::Dispatch(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader) {
  // Vigil serves whole bodies only; with no ranges, cpp-httplib sends the body as it is. The request object
  // belongs to cpp-httplib's process_request, which declares it non-const, so clearing the field is defined.
  const_cast<httplib::Request&>(req).ranges.clear();

  Request request;
  request.method = req.method;
  request.path = req.path;
  for (const auto& [name, value] : req.headers) {
    if (!IsHttplibPseudoHeader(name)) request.headers.emplace(name, value);
  }
  request.remote_addr = t_connection != nullptr ? t_connection->peer : JoinHostPort(req.remote_addr, req.remote_port);

  // Whether the request carries a body (RFC 9112 section 6.3: without Transfer-Encoding or Content-Length, a
  // request has none).
  bool chunked = absl::EqualsIgnoreCase(req.get_header_value("Transfer-Encoding"), "chunked");
  uint64_t content_length = 0;
  if (req.has_header("Content-Length") &&
      !absl::SimpleAtoi(AV(req.get_header_value("Content-Length")), &content_length)) {
    MarkConnectionForClose();
    Encode(req, TextResponse(400, "invalid Content-Length\n"), res);
    return;
  }
  bool has_body = chunked || content_length > 0;

  RouteMatch match = Match(request.method, request.path);
  if (match.route == nullptr) {
    // The body is not read; the connection cannot be reused after it.
    if (has_body) MarkConnectionForClose();
    Encode(req, std::move(match.response), res);
    return;
  }
  request.path_matches = std::move(match.captures);

  if (match.route->stream_handler) {
    size_t question = req.target.find('?');
    if (question != std::string::npos)
      ParseQueryString(std::string_view(req.target).substr(question + 1), &request.params);
    DispatchStream(req, *match.route, std::move(request), chunked, content_length, res);
    return;
  }

  if (has_body && reader == nullptr) {
    // cpp-httplib never reads a GET, HEAD or OPTIONS body; its bytes would be taken for the next request.
    MarkConnectionForClose();
  } else if (has_body) {
    const size_t limit = options_.max_request_bytes;
    auto too_large = [&] {
      MarkConnectionForClose();
      Encode(req, TextResponse(413, absl::StrCat("request body too large: limit is ", limit, " bytes\n")), res);
    };
    if (!chunked && content_length > limit) {
      too_large();
      return;
    }
    bool over_limit = false;
    bool ok = (*reader)([&](const char* data, size_t n) {
      if (n > limit - request.body.size()) {
        over_limit = true;
        return false;
      }
      request.body.append(data, n);
      return true;
    });
    if (!ok) {
      bool wire_limit = t_connection != nullptr && t_connection->stream->limit_hit();
      if (over_limit || wire_limit || res.status == 413) {
        too_large();
      } else {
        MarkConnectionForClose();
        Encode(req,
               TextResponse(400,
                            "could not read the request body: malformed, truncated, timed out, or "
                            "wrongly encoded for its Content-Encoding\n"),
               res);
      }
      return;
    }
    std::string encoding = req.get_header_value("Content-Encoding");
    if (HttplibDecodes(encoding)) request.headers.erase("Content-Encoding");
  }

  // Form fields first, then the query string: Param() prefers the body, as Go's FormValue does.
  if ((request.method == "POST" || request.method == "PUT" || request.method == "PATCH") &&
      absl::StartsWithIgnoreCase(AV(request.Header("Content-Type")), "application/x-www-form-urlencoded")) {
    ParseQueryString(request.body, &request.params);
  }
  size_t question = req.target.find('?');
  if (question != std::string::npos)
    ParseQueryString(std::string_view(req.target).substr(question + 1), &request.params);

  Encode(req, Invoke(*match.route, request, nullptr), res);
}

void Server::Impl::DispatchStream(const httplib::Request& req, const Route& route, Request request, bool chunked,
                                  uint64_t content_length, httplib::Response& res) {
  Connection* conn = t_connection;
  if (conn == nullptr || conn->stream == nullptr) {
    // cpp-httplib runs routing on the connection's thread, inside ServeConnection; nothing else reaches here.
    log::Error("http streaming request outside a connection", {{"path", req.path}});
    MarkConnectionForClose();
    Encode(req, TextResponse(500, "internal server error\n"), res);
    return;
  }
  std::string transfer_encoding = req.get_header_value("Transfer-Encoding");
  if (!transfer_encoding.empty() && !chunked) {
    MarkConnectionForClose();
    Encode(req,
           TextResponse(501, absl::StrCat("unsupported Transfer-Encoding \"", absl::CEscape(transfer_encoding),
                                          "\": only chunked is supported\n")),
           res);
    return;
  }
  // Both framings at once (RFC 9112 section 6.3): chunked wins, and the connection is not trusted further.
  if (chunked && req.has_header("Content-Length")) MarkConnectionForClose();
  const uint64_t limit = route.max_stream_bytes;
  InflatingBodyReader::Format format;
  const bool decode = InflatingBodyReader::FormatOf(req.get_header_value("Content-Encoding"), &format);
  if (limit != 0 && !chunked && !decode && content_length > limit) {
    MarkConnectionForClose();
    Encode(req, TextResponse(413, BodyTooLargeMessage(limit) + "\n"), res);
    return;
  }

  // The buffered-request cap set by ServeConnection does not apply to a streamed body.
  conn->stream->set_read_limit(StreamWireLimit(limit));
  WireBodyReader wire =
      chunked ? WireBodyReader::Chunked(conn->stream) : WireBodyReader::WithLength(conn->stream, content_length);
  std::optional<InflatingBodyReader> inflating;
  BodyReader* source = &wire;
  if (decode) {
    inflating.emplace(&wire, format);
    source = &*inflating;
    request.headers.erase("Content-Encoding");
  }
  LimitedBodyReader body(source, limit);
  Response out = Invoke(route, request, &body);

  absl::Status body_status = body.status();
  const bool over_limit = body.limit_exceeded() || absl::IsResourceExhausted(wire.status());
  if (over_limit || !body_status.ok()) {
    // Over the limit even if the handler stopped at the piece that reached it, before Read reported it.
    if (over_limit && body_status.ok()) body_status = absl::ResourceExhaustedError(BodyTooLargeMessage(limit));
    log::Info(
        "http request body failed",
        {{"method", request.method}, {"path", request.path}, {"body_bytes", body.bytes_read()}, {"err", body_status}});
    ApplyBodyError(body_status, over_limit, limit, &out);
    MarkConnectionForClose();
  } else if (!wire.finished()) {
    // The handler answered without reading the whole body; the rest is not drained.
    MarkConnectionForClose();
  }
  Encode(req, std::move(out), res);
}

int Server::Impl::ExpectContinue(const httplib::Request& req, httplib::Response& res) const {
  uint64_t content_length = 0;
  if (!absl::SimpleAtoi(AV(req.get_header_value("Content-Length")), &content_length)) return 100;
  uint64_t limit = options_.max_request_bytes;
  RouteMatch match = Match(req.method, req.path);
  if (match.route != nullptr && match.route->stream_handler) {
    // As DispatchStream: only an unencoded body with a Content-Length (and no chunked framing) is judged now.
    InflatingBodyReader::Format format;
    if (match.route->max_stream_bytes == 0 || req.has_header("Transfer-Encoding") ||
        InflatingBodyReader::FormatOf(req.get_header_value("Content-Encoding"), &format)) {
      return 100;
    }
    limit = match.route->max_stream_bytes;
  }
  if (content_length <= limit) return 100;
  MarkConnectionForClose();
  res.status = 413;
  res.set_content(BodyTooLargeMessage(limit) + "\n", "text/plain; charset=utf-8");
  return 413;
}

void Server::Impl::Encode(const httplib::Request& req, Response out, httplib::Response& res) const {
  res.status = out.status;
  std::string content_type = std::move(out.content_type);
  bool handler_encoded = false;
  for (auto& [name, value] : out.headers) {
    if (absl::EqualsIgnoreCase(name, "Content-Type")) {
      if (content_type.empty()) content_type = value;
      continue;
    }
    if (absl::EqualsIgnoreCase(name, "Content-Length") || absl::EqualsIgnoreCase(name, "Transfer-Encoding") ||
        absl::EqualsIgnoreCase(name, "Connection") || absl::EqualsIgnoreCase(name, "Keep-Alive")) {
      continue;
    }
    if (!ValidHeaderName(name) || HasControlChars(value)) {
      log::Error("http handler set an invalid header; dropped", {{"path", req.path}, {"header", name}});
      continue;
    }
    if (absl::EqualsIgnoreCase(name, "Content-Encoding")) handler_encoded = true;
    res.headers.emplace(std::move(name), std::move(value));
  }
  if (out.status == 204 || out.status == 304) {
    out.body.clear();
    out.body_stream = nullptr;
  }
  if (content_type.empty() && (!out.body.empty() || out.body_stream)) content_type = "text/plain; charset=utf-8";
  if (HasControlChars(content_type)) content_type = "application/octet-stream";

  if (out.body_stream) {
    const bool gzip = !handler_encoded && AcceptsGzip(req.get_header_value("Accept-Encoding"));
    // cpp-httplib decides whether to gzip a chunked stream itself when it writes it, after PostRouting has set
    // the real Content-Type, from Accept-Encoding alone (q-values ignored). The decision was made above, with
    // q-values; hide the header from cpp-httplib so the stream is not compressed twice. The request object is
    // cpp-httplib's own non-const local for this request, and nothing reads the header after this point.
    const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
    if (!handler_encoded) res.headers.emplace("Vary", "Accept-Encoding");
    if (gzip) res.headers.emplace("Content-Encoding", "gzip");
    struct StreamState {
      std::function<bool(std::string*)> next;
      std::unique_ptr<GzipCompressor> gzip;
      std::string piece, compressed;
      bool done = false;
    };
    auto state = std::make_shared<StreamState>();
    state->next = std::move(out.body_stream);
    if (gzip) state->gzip = std::make_unique<GzipCompressor>();
    const std::string path = req.path;
    // An empty content type keeps cpp-httplib from compressing the stream itself; the real one is set in
    // PostRouting, as for plain bodies.
    res.set_chunked_content_provider("", [state, path](size_t, httplib::DataSink& sink) {
      if (state->done) {
        sink.done();
        return true;
      }
      state->piece.clear();
      const bool more = state->next(&state->piece);
      const std::string* send = &state->piece;
      if (state->gzip != nullptr) {
        state->compressed.clear();
        absl::Status s = more ? state->gzip->Append(state->piece, &state->compressed)
                              : state->gzip->Finish(state->piece, &state->compressed);
        if (!s.ok()) {
          log::Error("http response stream not compressed; connection dropped", {{"path", path}, {"err", s}});
          return false;
        }
        send = &state->compressed;
      }
      if (!send->empty() && !sink.write(send->data(), send->size())) return false;
      if (!more) {
        state->done = true;
        sink.done();
      }
      return true;
    });
    res.headers.emplace(kDeferredContentType, content_type);
    return;
  }

  if (!handler_encoded && !out.body.empty() && out.body.size() >= options_.min_gzip_bytes) {
    res.headers.emplace("Vary", "Accept-Encoding");
    if (AcceptsGzip(req.get_header_value("Accept-Encoding"))) {
      absl::StatusOr<std::string> compressed = GzipCompress(out.body);
      if (compressed.ok()) {
        out.body = *std::move(compressed);
        res.headers.emplace("Content-Encoding", "gzip");
      } else {
        log::Error("http response not compressed", {{"path", req.path}, {"err", compressed.status()}});
      }
    }
  }
  res.body = std::move(out.body);
  // cpp-httplib would compress the body again if it saw a text/* or JSON Content-Type (ignoring q-values and
  // any existing Content-Encoding), so the real one is set only after its compression step; see PostRouting.
  res.headers.emplace(kDeferredContentType, content_type);
}

void Server::Impl::AccessLog(const httplib::Request& req, const httplib::Response& res) const {
  log::Level level = res.status >= 500 ? log::Level::kWarn : res.status >= 400 ? log::Level::kInfo : log::Level::kDebug;
  if (!log::Enabled(level)) return;
  const Connection* conn = t_connection;
  absl::Duration duration = conn != nullptr ? absl::Now() - conn->request_start : absl::ZeroDuration();
  std::string remote = conn != nullptr ? conn->peer : JoinHostPort(req.remote_addr, req.remote_port);
  uint64_t bytes = req.method == "HEAD" ? 0 : res.body.size();
  log::Log(level, "http request",
           {{"method", req.method},
            {"path", req.path},
            {"status", res.status},
            {"bytes", bytes},
            {"duration", duration},
            {"remote", remote}});
}

void Server::Impl::ConfigureTransport() {
  Transport& t = *transport_;
  t.set_payload_max_length(options_.max_request_bytes);
  t.set_keep_alive_max_count(kMaxRequestsPerConnection);
  // Only for the Keep-Alive header cpp-httplib writes; ServeConnection does the waiting.
  const absl::Duration day = absl::Hours(24);
  t.set_keep_alive_timeout(
      std::max<time_t>(1, absl::ToInt64Seconds(absl::Ceil(std::min(options_.idle_timeout, day), absl::Seconds(1)))));

  auto plain = [this](const httplib::Request& req, httplib::Response& res) { Dispatch(req, res, nullptr); };
  auto with_body = [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
    Dispatch(req, res, &reader);
  };
  t.Get(kAnyPath, plain);
  t.Options(kAnyPath, plain);
  t.Post(kAnyPath, httplib::Server::HandlerWithContentReader(with_body));
  t.Put(kAnyPath, httplib::Server::HandlerWithContentReader(with_body));
  t.Patch(kAnyPath, httplib::Server::HandlerWithContentReader(with_body));
  t.Delete(kAnyPath, httplib::Server::HandlerWithContentReader(with_body));

  // A client that waits for "100 Continue" before sending a too large body is refused before it sends it.
  t.set_expect_100_continue_handler(
      [this](const httplib::Request& req, httplib::Response& res) { return ExpectContinue(req, res); });
  // Runs after cpp-httplib's compression step and before the headers are written: restores the Content-Type
  // (see Encode) and closes the connection when the request asked for it.
  t.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    auto it = res.headers.find(kDeferredContentType);
    if (it != res.headers.end()) {
      std::string content_type = std::move(it->second);
      res.headers.erase(kDeferredContentType);
      res.headers.erase("Content-Type");
      if (!content_type.empty()) res.headers.emplace("Content-Type", std::move(content_type));
    }
    // Byte ranges are not served (Dispatch drops them); do not advertise them.
    res.headers.erase("Accept-Ranges");
    if (t_connection != nullptr && t_connection->close_after_response) {
      res.headers.erase("Keep-Alive");
      res.headers.erase("Connection");
      res.headers.emplace("Connection", "close");
    }
  });
  // Responses cpp-httplib produces itself (a malformed request line, an unsatisfiable Range, ...) get a body
  // that says what happened. Vigil's own responses (marked by the deferred Content-Type) are left alone.
  t.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    if (res.has_header(kDeferredContentType) || !res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    res.set_content(absl::StrCat(res.status, " ", AV(StatusText(res.status)), "\n"), "text/plain; charset=utf-8");
    return httplib::Server::HandlerResponse::Handled;
  }));
  t.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "exception of a type not derived from std::exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
      // `what` already says it.
    }
    log::Error("http request failed with an exception", {{"method", req.method}, {"path", req.path}, {"err", what}});
    res.status = 500;
    res.headers.clear();
    res.set_content("internal server error\n", "text/plain; charset=utf-8");
  });
  if (options_.access_log) {
    t.set_logger([this](const httplib::Request& req, const httplib::Response& res) { AccessLog(req, res); });
  }
}

void Server::Impl::AcceptLoop() {
  const auto timeval_of = [](absl::Duration d) { return absl::ToTimeval(std::min(d, absl::Hours(24))); };
  const timeval read_timeout = timeval_of(options_.read_timeout);
  const timeval write_timeout = timeval_of(options_.write_timeout);
  while (AwaitAcceptTurn()) {
    const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    EndAcceptTurn();
    if (fd < 0) {
      const int err = errno;
      if (stopping_.load()) return;
      if (err == EINTR || err == ECONNABORTED || err == EPROTO) continue;
      if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        // Out of descriptors or memory: the connection waits in the backlog until others close.
        log::Warn("http server cannot accept a connection", {{"address", bound_address_}, {"err", strerror(err)}});
        absl::SleepFor(absl::Milliseconds(100));
        continue;
      }
      log::Error("http server stopped accepting connections after an accept error",
                 {{"address", bound_address_}, {"err", strerror(err)}});
      return;
    }
    // ConnectionStream waits with poll(2) before each read and whenever a send would block; the socket timeouts
    // bound a read or write that blocks anyway.
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &read_timeout, sizeof(read_timeout));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &write_timeout, sizeof(write_timeout));
    ServeConnection(fd);
  }
}

bool Server::Impl::AwaitAcceptTurn() {
  absl::MutexLock lock(&accept_mu_);
  Follower self;
  while (accepting_ >= kAcceptingWorkers && !stopping_.load()) {
    self.promoted = false;
    idle_.push_back(&self);
    while (!self.promoted && !stopping_.load()) self.wake.Wait(&accept_mu_);
    if (self.promoted) return !stopping_.load();  // The promoter counted this worker in accepting_.
    idle_.erase(std::find(idle_.begin(), idle_.end(), &self));
  }
  if (stopping_.load()) return false;
  ++accepting_;
  return true;
}

void Server::Impl::EndAcceptTurn() {
  absl::MutexLock lock(&accept_mu_);
  --accepting_;
  if (accepting_ > 0 || idle_.empty()) return;
  Follower* next = idle_.back();
  idle_.pop_back();
  next->promoted = true;
  ++accepting_;
  next->wake.Signal();
}

bool Server::Impl::ServeConnection(int fd) {
  Connection conn;
  conn.fd = fd;
  {
    std::string ip;
    int port = 0;
    SocketAddress(fd, false, &ip, &port);
    conn.peer = JoinHostPort(ip, port);
  }
  {
    absl::MutexLock lock(&mu_);
    if (draining_) {
      ::close(fd);
      return false;
    }
    connections_.insert(&conn);
  }
  // cpp-httplib writes the headers and the body with separate writes; without this, Nagle's algorithm and the
  // client's delayed ACK add tens of milliseconds to every response.
  int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));

  ConnectionStream stream(fd, options_.read_timeout, options_.write_timeout);
  conn.stream = &stream;
  const size_t read_limit = options_.max_request_bytes > std::numeric_limits<size_t>::max() - kHeaderAllowance
                                ? std::numeric_limits<size_t>::max()
                                : options_.max_request_bytes + kHeaderAllowance;
  bool ok = true;
  bool unread_input = false;
  for (size_t served = 0;; ++served) {
    absl::Duration wait = served == 0 ? options_.read_timeout : options_.idle_timeout;
    if (!stream.HasBuffered() && !WaitFor(fd, POLLIN, wait)) break;
    {
      absl::MutexLock lock(&mu_);
      if (draining_) break;
      conn.busy = true;
      ++busy_;
    }
    conn.close_after_response = false;
    conn.request_start = absl::Now();
    stream.StartRequest(read_limit);
    bool last = served + 1 >= kMaxRequestsPerConnection;
    bool client_closes = false;
    t_connection = &conn;
    ok = transport_->ServeOne(stream, last, client_closes);
    // The response (headers and body) leaves in one send where it fits.
    if (!stream.Flush()) ok = false;
    t_connection = nullptr;
    bool draining;
    {
      absl::MutexLock lock(&mu_);
      conn.busy = false;
      --busy_;
      // Shutdown shuts only connections idle when it starts; one busy then must notice here, before it waits
      // for a next request that may never come.
      draining = draining_;
    }
    if (stream.limit_hit() || conn.close_after_response) {
      unread_input = true;
      break;
    }
    if (!ok || client_closes || last || draining) break;
  }
  // Still registered (and not busy), so a Shutdown meanwhile cuts the drain short.
  if (unread_input) DrainBeforeClose(fd, std::min(options_.read_timeout, kMaxDrain));
  {
    absl::MutexLock lock(&mu_);
    connections_.erase(&conn);
  }
  ::close(fd);
  return ok;
}

absl::Status Server::Impl::Start() {
  absl::MutexLock lifecycle(&lifecycle_mu_);
  if (state_ == State::kRunning) return absl::FailedPreconditionError("http server already started");
  if (state_ == State::kStopped) return absl::FailedPreconditionError("http server was shut down; it cannot restart");
  {
    absl::ReaderMutexLock lock(&routes_mu_);
    VIGIL_RETURN_IF_ERROR(route_error_);
  }
  VIGIL_ASSIGN_OR_RETURN(ListenAddress addr, ParseListenAddress(options_.listen_address));
  auto positive = [&](std::string_view name, absl::Duration d) -> absl::Status {
    if (d > absl::ZeroDuration()) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat("http server option ", AV(name), " must be positive"));
  };
  VIGIL_RETURN_IF_ERROR(positive("read_timeout", options_.read_timeout));
  VIGIL_RETURN_IF_ERROR(positive("write_timeout", options_.write_timeout));
  VIGIL_RETURN_IF_ERROR(positive("idle_timeout", options_.idle_timeout));

  VIGIL_ASSIGN_OR_RETURN(int fd, OpenListener(options_.listen_address, addr));
  std::string local_ip;
  int local_port = 0;
  SocketAddress(fd, true, &local_ip, &local_port);
  port_.store(local_port);
  bound_address_ = JoinHostPort(local_ip, local_port);

  transport_ = std::make_unique<Transport>();
  ConfigureTransport();
  listener_ = fd;
  transport_->AdoptListener(fd);
  // The worker that accepts a connection serves it itself (see AcceptLoop): no hand-off from an accepting thread
  // to a worker (a thread wake-up, tens of microseconds on a virtual machine) sits on a new connection's path.
  const size_t workers = options_.worker_threads > 0
                             ? options_.worker_threads
                             : std::max<size_t>(8, std::max(2u, std::thread::hardware_concurrency()) - 1);
  workers_.reserve(workers);
  for (size_t i = 0; i < workers; ++i) workers_.emplace_back([this] { AcceptLoop(); });
  state_ = State::kRunning;
  log::Info("http server listening", {{"address", bound_address_}});
  return absl::OkStatus();
}

void Server::Impl::Shutdown(absl::Duration grace) {
  absl::MutexLock lifecycle(&lifecycle_mu_);
  if (state_ != State::kRunning) {
    state_ = State::kStopped;
    return;
  }
  stopping_.store(true);
  // Wakes the workers waiting in accept(2) (which then fails with EINVAL) and refuses new connections; the idle
  // followers are woken below. The descriptor stays open until the workers are gone, so none can accept on a
  // reused descriptor number.
  ::shutdown(listener_, SHUT_RDWR);
  transport_->ReleaseListener();
  {
    absl::MutexLock lock(&accept_mu_);
    for (Follower* f : idle_) f->wake.Signal();
  }
  {
    absl::MutexLock lock(&mu_);
    draining_ = true;
    log::Info("http server shutting down", {{"address", bound_address_}, {"in_flight", busy_}, {"grace", grace}});
    for (Connection* conn : connections_) {
      if (!conn->busy) ::shutdown(conn->fd, SHUT_RDWR);
    }
    if (!mu_.AwaitWithTimeout(absl::Condition(this, &Impl::Drained), grace)) {
      log::Warn("http server grace period over; cutting off requests still in progress",
                {{"address", bound_address_}, {"in_flight", busy_}});
      for (Connection* conn : connections_) ::shutdown(conn->fd, SHUT_RDWR);
    }
  }
  // Returns once the workers have finished every connection.
  for (std::thread& w : workers_) w.join();
  workers_.clear();
  ::close(listener_);
  listener_ = -1;
  transport_.reset();
  state_ = State::kStopped;
  log::Info("http server stopped", {{"address", bound_address_}});
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Server::~Server() = default;

void Server::Get(std::string_view pattern, Handler handler) { impl_->AddRoute("GET", pattern, std::move(handler)); }
void Server::Post(std::string_view pattern, Handler handler) { impl_->AddRoute("POST", pattern, std::move(handler)); }
void Server::Put(std::string_view pattern, Handler handler) { impl_->AddRoute("PUT", pattern, std::move(handler)); }
void Server::Delete(std::string_view pattern, Handler handler) {
  impl_->AddRoute("DELETE", pattern, std::move(handler));
}
void Server::PostStream(std::string_view pattern, StreamHandler handler) {
  impl_->AddRoute("POST", pattern, nullptr, std::move(handler), impl_->default_stream_limit());
}
void Server::PostStream(std::string_view pattern, StreamHandler handler, uint64_t max_stream_bytes) {
  impl_->AddRoute("POST", pattern, nullptr, std::move(handler), max_stream_bytes);
}
Response Server::Handle(Request request) const { return impl_->Handle(std::move(request)); }
absl::Status Server::Start() { return impl_->Start(); }
int Server::port() const { return impl_->port(); }
void Server::Shutdown(absl::Duration grace) { impl_->Shutdown(grace); }

}  // namespace vigil::http
