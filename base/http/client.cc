#include "base/http/client.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstdint>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "httplib.h"

namespace vigil::http {
namespace {

absl::Status BadUrl(std::string_view url, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("malformed URL \"", AV(url), "\": ", AV(why)));
}

bool ValidHeaderName(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (c <= ' ' || c >= 0x7f || c == ':') return false;
  }
  return true;
}

bool ValidHeaderValue(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool HasHeader(const HeaderList& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return absl::EqualsIgnoreCase(AV(h.first), AV(name)); });
}

std::string HostPort(const Url& url) {
  if (url.host.find(':') != std::string::npos) return absl::StrCat("[", url.host, "]:", url.port);
  return absl::StrCat(url.host, ":", url.port);
}

// Longest timeout handed to cpp-httplib, which multiplies seconds by 1000 in an int.
constexpr absl::Duration kMaxTimeout = absl::Hours(24);

void SetTimeouts(httplib::ClientImpl& client, absl::Duration timeout) {
  int64_t usec = absl::ToInt64Microseconds(std::min(timeout, kMaxTimeout));
  time_t sec = static_cast<time_t>(usec / 1000000);
  time_t rest = static_cast<time_t>(usec % 1000000);
  client.set_connection_timeout(sec, rest);
  client.set_read_timeout(sec, rest);
  client.set_write_timeout(sec, rest);
}

std::string DescribeError(httplib::Error error, absl::Duration timeout) {
  switch (error) {
    case httplib::Error::Connection:
      return "could not connect (connection refused, host unreachable or name not resolved)";
    case httplib::Error::ConnectionTimeout:
      return absl::StrCat("connecting timed out after ", absl::FormatDuration(timeout));
    case httplib::Error::Read:
      return absl::StrCat("no complete response (the connection closed, or no data for ", absl::FormatDuration(timeout),
                          ")");
    case httplib::Error::Write:
      return absl::StrCat("could not send the request (the connection closed, or it stalled for ",
                          absl::FormatDuration(timeout), ")");
    default:
      return httplib::to_string(error);
  }
}

}  // namespace

std::string ClientResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(AV(key), AV(name))) return value;
  }
  return "";
}

bool IsRetryableStatus(int status) { return status >= 500 || status == 429; }

absl::StatusOr<Url> ParseUrl(std::string_view url) {
  for (unsigned char c : url) {
    if (c <= ' ' || c == 0x7f) return BadUrl(url, "contains whitespace or a control character");
  }
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) {
    return BadUrl(url, "missing scheme (expected http://host[:port]/path)");
  }
  Url out;
  out.scheme = absl::AsciiStrToLower(AV(url.substr(0, scheme_end)));
  if (out.scheme != "http") {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported URL scheme \"", out.scheme, "\" in \"", AV(url), "\": only http:// is supported"));
  }
  std::string_view rest = url.substr(scheme_end + 3);
  size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target = authority_end == std::string_view::npos ? "" : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return BadUrl(url, "credentials in URLs are not supported; send an Authorization header");
  }
  if (authority.empty()) return BadUrl(url, "missing host");

  std::string_view host = authority;
  std::string_view port;
  if (authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return BadUrl(url, "unterminated IPv6 literal");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return BadUrl(url, "unexpected characters after the IPv6 literal");
      port = after.substr(1);
      if (port.empty()) return BadUrl(url, "empty port");
    }
    std::string literal(host);
    in6_addr unused;
    if (inet_pton(AF_INET6, literal.c_str(), &unused) != 1) {
      return BadUrl(url, absl::StrCat("\"", literal, "\" is not an IPv6 address"));
    }
  } else {
    size_t colon = authority.find(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
      if (port.empty()) return BadUrl(url, "empty port");
    }
    if (host.empty()) return BadUrl(url, "missing host");
    for (unsigned char c : host) {
      if (!absl::ascii_isalnum(c) && c != '.' && c != '-' && c != '_') {
        return BadUrl(url, absl::StrCat("invalid character in host \"", AV(host), "\""));
      }
    }
  }
  out.host = std::string(host);
  out.port = 80;
  if (!port.empty()) {
    int n = 0;
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), absl::ascii_isdigit) ||
        !absl::SimpleAtoi(AV(port), &n) || n < 1 || n > 65535) {
      return BadUrl(url, absl::StrCat("invalid port \"", AV(port), "\" (expected 1 to 65535)"));
    }
    out.port = n;
  }
  size_t fragment = target.find('#');
  if (fragment != std::string_view::npos) target = target.substr(0, fragment);
  if (target.empty() || target.front() == '?') {
    out.target = absl::StrCat("/", AV(target));
  } else {
    out.target = std::string(target);
  }
  return out;
}

class HttplibClient::Impl {
 public:
  explicit Impl(HttplibClientOptions options) : options_(std::move(options)) {}

  absl::StatusOr<ClientResponse> Send(const std::string& method, const std::string& url, const HeaderList& headers,
                                      std::string body, absl::Duration timeout);
  absl::StatusOr<ClientResponse> SendStream(const std::string& url, const HeaderList& headers, ChunkSource next_chunk,
                                            absl::Duration timeout);

 private:
  // Checks what Send and SendStream share: the URL, the timeout and the header fields.
  absl::StatusOr<Url> Validate(const std::string& method, const std::string& url, const HeaderList& headers,
                               absl::Duration timeout) const;
  // A connection for `key` from the pool (unless `fresh`), or a new one; `reused` says which.
  std::unique_ptr<httplib::ClientImpl> Take(const std::string& key, const Url& url, bool fresh, bool* reused);
  void Return(const std::string& key, std::unique_ptr<httplib::ClientImpl> client);
  // Sends one request: with `body`, or when `source` is set with a chunked body it produces.
  absl::StatusOr<ClientResponse> SendOnce(httplib::ClientImpl& client, const std::string& method,
                                          const std::string& url, const Url& parsed, const HeaderList& headers,
                                          std::string body, const ChunkSource* source, absl::Duration timeout,
                                          httplib::Error* error);

  const HttplibClientOptions options_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::vector<std::unique_ptr<httplib::ClientImpl>>> idle_ ABSL_GUARDED_BY(mu_);
};

std::unique_ptr<httplib::ClientImpl> HttplibClient::Impl::Take(const std::string& key, const Url& url, bool fresh,
                                                               bool* reused) {
  if (!fresh) {
    absl::MutexLock lock(&mu_);
    auto it = idle_.find(key);
    if (it != idle_.end() && !it->second.empty()) {
      std::unique_ptr<httplib::ClientImpl> client = std::move(it->second.back());
      it->second.pop_back();
      *reused = client->is_socket_open() != 0;
      return client;
    }
  }
  auto client = std::make_unique<httplib::ClientImpl>(url.host, url.port);
  client->set_keep_alive(true);
  // Requests go out as separate writes (headers, then body); without this, Nagle plus the peer's delayed ACK
  // stalls each request by ~40 ms.
  client->set_tcp_nodelay(true);
  client->set_url_encode(false);  // Targets are sent exactly as the caller wrote them.
  client->set_decompress(false);  // Bodies are returned as sent; see ClientResponse::body.
  client->set_follow_location(false);
  *reused = false;
  return client;
}

void HttplibClient::Impl::Return(const std::string& key, std::unique_ptr<httplib::ClientImpl> client) {
  if (client->is_socket_open() == 0) return;  // Nothing worth keeping.
  absl::MutexLock lock(&mu_);
  auto& pool = idle_[key];
  if (pool.size() < options_.max_idle_connections_per_host) pool.push_back(std::move(client));
}

absl::StatusOr<ClientResponse> HttplibClient::Impl::SendOnce(httplib::ClientImpl& client, const std::string& method,
                                                             const std::string& url, const Url& parsed,
                                                             const HeaderList& headers, std::string body,
                                                             const ChunkSource* source, absl::Duration timeout,
                                                             httplib::Error* error) {
  SetTimeouts(client, timeout);
  // A streamed body may take any time to send; its response is due `timeout` after the body is complete.
  absl::Time deadline = source != nullptr ? absl::InfiniteFuture() : absl::Now() + timeout;

  httplib::Request req;
  req.method = method;
  req.path = parsed.target;
  for (const auto& [name, value] : headers) req.headers.emplace(name, value);
  if (!HasHeader(headers, "User-Agent")) req.headers.emplace("User-Agent", options_.user_agent);
  if ((!body.empty() || source != nullptr) && !HasHeader(headers, "Content-Type")) {
    req.headers.emplace("Content-Type", "application/octet-stream");
  }
  req.body = std::move(body);

  absl::Status source_error;
  std::string chunk;  // Reused for every piece.
  if (source != nullptr) {
    // cpp-httplib 0.11.4 sends a request body from a content provider only through these Request members
    // (public, though named as private), as its own Post(path, provider_without_length, ...) sets them; that
    // Post would read the whole response into memory, so the request is built here instead.
    req.headers.emplace("Transfer-Encoding", "chunked");
    req.is_chunked_content_provider_ = true;
    req.content_provider_ = [&](size_t, size_t, httplib::DataSink& sink) {
      for (;;) {
        chunk.clear();
        absl::StatusOr<bool> more = (*source)(&chunk);
        if (!more.ok()) {
          // cpp-httplib then closes the connection without the last chunk: the server sees a broken body.
          source_error = more.status();
          return false;
        }
        if (!*more) {
          deadline = absl::Now() + timeout;
          sink.done();
          return true;
        }
        // An empty write would end the body without its last chunk.
        if (chunk.empty()) continue;
        // A failed write is reported by cpp-httplib itself (Error::Write).
        sink.write(chunk.data(), chunk.size());
        return true;
      }
    };
  }

  std::string received;
  bool too_large = false;
  bool too_late = false;
  const size_t limit = options_.max_response_bytes;
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    if (n > limit - received.size()) {
      too_large = true;
      return false;
    }
    if (absl::Now() > deadline) {
      too_late = true;
      return false;
    }
    received.append(data, n);
    return true;
  };

  httplib::Response res;
  *error = httplib::Error::Success;
  if (!client.send(req, res, *error)) {
    if (!source_error.ok()) {
      return absl::Status(
          source_error.code(),
          absl::StrCat(method, " ", url, ": the request body's source failed: ", source_error.message()));
    }
    if (too_large) {
      return absl::ResourceExhaustedError(
          absl::StrCat(method, " ", url, ": response body larger than the limit of ", limit, " bytes"));
    }
    if (too_late) {
      return absl::UnavailableError(
          absl::StrCat(method, " ", url, ": the response did not arrive within ", absl::FormatDuration(timeout)));
    }
    return absl::UnavailableError(absl::StrCat(method, " ", url, ": ", DescribeError(*error, timeout)));
  }
  ClientResponse out;
  out.status = res.status;
  out.body = std::move(received);
  out.headers.reserve(res.headers.size());
  for (const auto& [name, value] : res.headers) out.headers.emplace_back(name, value);
  return out;
}

absl::StatusOr<Url> HttplibClient::Impl::Validate(const std::string& method, const std::string& url,
                                                  const HeaderList& headers, absl::Duration timeout) const {
  VIGIL_ASSIGN_OR_RETURN(Url parsed, ParseUrl(url));
  if (timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(method, " ", url, ": timeout must be positive"));
  }
  for (const auto& [name, value] : headers) {
    if (!ValidHeaderName(name) || !ValidHeaderValue(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat(method, " ", url, ": invalid header \"", absl::CEscape(name), "\""));
    }
  }
  return parsed;
}

absl::StatusOr<ClientResponse> HttplibClient::Impl::SendStream(const std::string& url, const HeaderList& headers,
                                                               ChunkSource next_chunk, absl::Duration timeout) {
  VIGIL_ASSIGN_OR_RETURN(Url parsed, Validate("POST", url, headers, timeout));
  if (HasHeader(headers, "Content-Length") || HasHeader(headers, "Transfer-Encoding")) {
    return absl::InvalidArgumentError(
        absl::StrCat("POST ", url, ": a streamed body sets Content-Length and Transfer-Encoding itself"));
  }
  if (!next_chunk) return absl::InvalidArgumentError(absl::StrCat("POST ", url, ": no body source"));
  const std::string key = HostPort(parsed);
  // A fresh connection: a pooled one the server closed while idle would fail mid-body, and a body that was
  // partly consumed from its source cannot be sent again.
  bool reused = false;
  std::unique_ptr<httplib::ClientImpl> client = Take(key, parsed, /*fresh=*/true, &reused);
  httplib::Error error = httplib::Error::Success;
  absl::StatusOr<ClientResponse> result =
      SendOnce(*client, "POST", url, parsed, headers, "", &next_chunk, timeout, &error);
  if (result.ok()) Return(key, std::move(client));
  return result;
}

absl::StatusOr<ClientResponse> HttplibClient::Impl::Send(const std::string& method, const std::string& url,
                                                         const HeaderList& headers, std::string body,
                                                         absl::Duration timeout) {
  VIGIL_ASSIGN_OR_RETURN(Url parsed, Validate(method, url, headers, timeout));
  const std::string key = HostPort(parsed);
  // A server may close an idle keep-alive connection just as it is reused; a GET has no side effects, so it
  // is retried once on a fresh connection. A POST is not: the server may have acted on it.
  const int attempts = method == "GET" ? 2 : 1;
  absl::StatusOr<ClientResponse> result;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    bool reused = false;
    std::unique_ptr<httplib::ClientImpl> client = Take(key, parsed, /*fresh=*/false, &reused);
    httplib::Error error = httplib::Error::Success;
    bool last = attempt + 1 == attempts;
    result = SendOnce(*client, method, url, parsed, headers, last ? std::move(body) : body, nullptr, timeout, &error);
    if (result.ok()) {
      Return(key, std::move(client));
      return result;
    }
    // The connection's state is unknown after a failure; it is not reused.
    bool stale_connection = reused && (error == httplib::Error::Read || error == httplib::Error::Write);
    if (!stale_connection) break;
  }
  return result;
}

HttplibClient::HttplibClient(HttplibClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttplibClient::~HttplibClient() = default;

absl::StatusOr<ClientResponse> HttplibClient::Post(const std::string& url, const HeaderList& headers, std::string body,
                                                   absl::Duration timeout) {
  return impl_->Send("POST", url, headers, std::move(body), timeout);
}

absl::StatusOr<ClientResponse> HttplibClient::PostStream(const std::string& url, const HeaderList& headers,
                                                         ChunkSource next_chunk, absl::Duration timeout) {
  return impl_->SendStream(url, headers, std::move(next_chunk), timeout);
}

absl::StatusOr<ClientResponse> HttplibClient::Get(const std::string& url, const HeaderList& headers,
                                                  absl::Duration timeout) {
  return impl_->Send("GET", url, headers, "", timeout);
}

}  // namespace vigil::http
