// Streaming routes (Server::PostStream) over real connections: framing, encodings, 100-continue, limits,
// broken clients, and what happens to the connection afterwards.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "base/http/gzip.h"
#include "base/http/server.h"
#include "base/strings/absl_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace vigil::http {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Pseudo-random bytes: incompressible, generated without files.
std::string Noise(size_t n, uint64_t seed = 7) {
  std::string s(n, '\0');
  uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
  for (char& c : s) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  return s;
}

uint32_t Crc(std::string_view data, uint32_t crc = 0) {
  return static_cast<uint32_t>(crc32(crc, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

// What a streaming handler saw of one body.
struct Seen {
  uint64_t bytes = 0;
  uint32_t crc = 0;
  size_t max_piece = 0;
  absl::Status status;
};

// A connection written and read by hand, for what cpp-httplib's client cannot do (interim responses, half
// bodies, malformed framing).
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  }
  ~RawConnection() {
    if (sender_.joinable()) sender_.join();
    Close();
  }
  void Send(std::string_view bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;  // The server closed; the test checks what it answered.
      sent += static_cast<size_t>(n);
    }
  }
  // Sends on a thread, for bodies the server may stop reading while the test reads its response.
  void SendInBackground(std::string bytes) {
    sender_ = std::thread([this, bytes = std::move(bytes)] { Send(bytes); });
  }
  // Reads until `marker` has arrived (returning everything up to and including it) or the connection ends.
  std::string ReadThrough(std::string_view marker) {
    for (;;) {
      size_t at = buffer_.find(marker);
      if (at != std::string::npos) {
        std::string out = buffer_.substr(0, at + marker.size());
        buffer_.erase(0, at + marker.size());
        return out;
      }
      if (!Fill()) return std::exchange(buffer_, "");
    }
  }
  std::string ReadToEnd() {
    while (Fill()) {
    }
    return std::exchange(buffer_, "");
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  bool Fill() {
    char buf[16384];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }
  int fd_ = -1;
  std::string buffer_;
  std::thread sender_;
};

std::string Chunked(std::string_view body, size_t piece) {
  std::string out;
  for (size_t i = 0; i < body.size(); i += piece) {
    size_t n = std::min(piece, body.size() - i);
    absl::StrAppend(&out, absl::Hex(n), "\r\n", AV(body.substr(i, n)), "\r\n");
  }
  return out + "0\r\n\r\n";
}

class StreamTest : public ::testing::Test {
 protected:
  void TearDown() override { server_.reset(); }

  Server& NewServer(ServerOptions options = {}) {
    options.listen_address = "127.0.0.1:0";
    options.access_log = false;
    server_ = std::make_unique<Server>(std::move(options));
    return *server_;
  }
  void Start() {
    absl::Status status = server_->Start();
    ASSERT_TRUE(status.ok()) << status;
  }
  std::unique_ptr<httplib::Client> Client() {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    c->set_decompress(false);
    return c;
  }

  // A handler that reads the whole body, records what it saw and answers "<bytes> <crc>".
  StreamHandler Counting() {
    return [this](const Request& req, BodyReader* body, Response* resp) {
      Seen seen;
      std::string piece;
      while (body->Read(&piece)) {
        seen.bytes += piece.size();
        seen.crc = Crc(piece, seen.crc);
        seen.max_piece = std::max(seen.max_piece, piece.size());
      }
      seen.status = body->status();
      resp->body = absl::StrCat(seen.bytes, " ", seen.crc);
      resp->headers.emplace_back("X-Body-Empty", req.body.empty() ? "yes" : "no");
      resp->headers.emplace_back("X-Encoding", req.Header("Content-Encoding"));
      resp->headers.emplace_back("X-Param", req.Param("source"));
      absl::MutexLock lock(&mu_);
      seen_.push_back(seen);
      calls_++;
    };
  }
  std::vector<Seen> seen() {
    absl::MutexLock lock(&mu_);
    return seen_;
  }
  // Waits until the streaming handlers have run `n` times in all.
  void AwaitCalls(int n) {
    absl::MutexLock lock(&mu_);
    awaited_calls_ = n;
    mu_.Await(absl::Condition(this, &StreamTest::CallsReached));
  }
  bool CallsReached() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return calls_ >= awaited_calls_; }

  std::unique_ptr<Server> server_;
  absl::Mutex mu_;
  std::vector<Seen> seen_ ABSL_GUARDED_BY(mu_);
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  int awaited_calls_ ABSL_GUARDED_BY(mu_) = 0;
};

TEST_F(StreamTest, ContentLengthBodyArrivesWholeInBoundedPieces) {
  Server& server = NewServer();
  server.PostStream("/api/v1/import", Counting());
  Start();
  const std::string body = Noise(5 << 20);
  httplib::Result r = Client()->Post("/api/v1/import?source=test", body, "application/openmetrics-text");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, absl::StrCat(body.size(), " ", Crc(body)));
  EXPECT_EQ(r->get_header_value("X-Body-Empty"), "yes");
  EXPECT_EQ(r->get_header_value("X-Param"), "test");
  ASSERT_EQ(seen().size(), 1u);
  EXPECT_TRUE(seen()[0].status.ok()) << seen()[0].status;
  EXPECT_LE(seen()[0].max_piece, kMaxBodyPiece);
}

TEST_F(StreamTest, ChunkedBodyArrivesWhole) {
  Server& server = NewServer();
  server.PostStream("/api/v1/import", Counting());
  Start();
  const std::string body = Noise(4 << 20);
  httplib::Result r = Client()->Post(
      "/api/v1/import",
      [&](size_t offset, httplib::DataSink& sink) {
        if (offset < body.size()) {
          sink.write(body.data() + offset, std::min<size_t>(100001, body.size() - offset));
        } else {
          sink.done();
        }
        return true;
      },
      "application/octet-stream");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, absl::StrCat(body.size(), " ", Crc(body)));
}

TEST_F(StreamTest, GzipBodyIsDecodedAsReadAndOtherCodingsPassThrough) {
  Server& server = NewServer();
  server.PostStream("/api/v1/import", Counting());
  Start();
  std::string text;
  for (int i = 0; text.size() < (3 << 20); ++i) absl::StrAppend(&text, "up{instance=\"host-", i % 97, "\"} ", i, "\n");
  absl::StatusOr<std::string> gz = GzipCompress(text);
  ASSERT_TRUE(gz.ok());
  // Chunked and gzipped, as `curl -T - -H 'Content-Encoding: gzip'` sends it.
  httplib::Result r = Client()->Post(
      "/api/v1/import", httplib::Headers{{"Content-Encoding", "gzip"}},
      [&](size_t offset, httplib::DataSink& sink) {
        if (offset < gz->size()) {
          sink.write(gz->data() + offset, std::min<size_t>(7777, gz->size() - offset));
        } else {
          sink.done();
        }
        return true;
      },
      "text/plain");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, absl::StrCat(text.size(), " ", Crc(text)));
  EXPECT_EQ(r->get_header_value("X-Encoding"), "");

  r = Client()->Post("/api/v1/import", httplib::Headers{{"Content-Encoding", "snappy"}}, *gz, "text/plain");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->body, absl::StrCat(gz->size(), " ", Crc(*gz)));
  EXPECT_EQ(r->get_header_value("X-Encoding"), "snappy");
}

TEST_F(StreamTest, CorruptGzipIsAReaderErrorAnd400) {
  Server& server = NewServer();
  server.PostStream("/api/v1/import", Counting());
  Start();
  httplib::Result r =
      Client()->Post("/api/v1/import", httplib::Headers{{"Content-Encoding", "gzip"}}, "not gzip at all", "text/plain");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, StartsWith("could not read the request body: gzip request body: corrupt data"));
  EXPECT_EQ(r->get_header_value("Connection"), "close");
  ASSERT_EQ(seen().size(), 1u);
  EXPECT_TRUE(absl::IsInvalidArgument(seen()[0].status)) << seen()[0].status;
}

TEST_F(StreamTest, ExpectContinueIsAnsweredThenTheBodyStreams) {
  Server& server = NewServer();
  server.PostStream("/api/v1/import", Counting());
  Start();
  const std::string body = Noise(3 << 20);
  RawConnection conn(server.port());
  conn.Send(absl::StrCat("POST /api/v1/import HTTP/1.1\r\nHost: t\r\nContent-Length: ", body.size(),
                         "\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"));
  // Nothing of the body is sent before the interim response.
  EXPECT_EQ(conn.ReadThrough("\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n");
  conn.Send(body);
  std::string response = conn.ReadToEnd();
  EXPECT_THAT(response, StartsWith("HTTP/1.1 200 "));
  EXPECT_THAT(response, testing::EndsWith(absl::StrCat("\r\n\r\n", body.size(), " ", Crc(body))));
}

TEST_F(StreamTest, OversizedContentLengthIsRefusedBeforeTheHandlerAndBeforeContinue) {
  Server& server = NewServer();
  server.PostStream("/api/v1/import", Counting(), 1000);
  Start();
  RawConnection conn(server.port());
  conn.Send(
      "POST /api/v1/import HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n"
      "Expect: 100-continue\r\n\r\n");
  std::string response = conn.ReadToEnd();
  EXPECT_THAT(response, StartsWith("HTTP/1.1 413 "));
  EXPECT_THAT(response, HasSubstr("\r\nConnection: close\r\n"));
  EXPECT_THAT(response, testing::EndsWith("\r\n\r\nrequest body too large: limit is 1000 bytes\n"));

  httplib::Result r = Client()->Post("/api/v1/import", std::string(1001, 'x'), "text/plain");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(seen().empty());

  // Exactly the limit is fine.
  r = Client()->Post("/api/v1/import", std::string(1000, 'x'), "text/plain");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
}

TEST_F(StreamTest, BodyOverTheLimitFailsTheReaderAndIs413) {
  Server& server = NewServer({.max_stream_bytes = 64 << 10});
  server.PostStream("/default-limit", Counting());
  server.PostStream("/own-413", [](const Request&, BodyReader* body, Response* resp) {
    std::string piece;
    uint64_t n = 0;
    while (body->Read(&piece)) n += piece.size();
    resp->status = absl::IsResourceExhausted(body->status()) ? 413 : 200;
    resp->body = absl::StrCat("imported ", n, " bytes before the limit\n");
  });
  Start();
  const std::string body = Noise(200 << 10);
  for (std::string path : {"/default-limit", "/own-413"}) {
    SCOPED_TRACE(path);
    RawConnection conn(server.port());
    // Chunked: the size is not known up front, so the reader finds out.
    conn.SendInBackground(
        absl::StrCat("POST ", path, " HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n", Chunked(body, 4096)));
    std::string response = conn.ReadToEnd();
    EXPECT_THAT(response, StartsWith("HTTP/1.1 413 "));
    EXPECT_THAT(response, HasSubstr("\r\nConnection: close\r\n"));
    if (path == "/default-limit") {
      EXPECT_THAT(response, testing::EndsWith("\r\n\r\nrequest body too large: limit is 65536 bytes\n"));
    } else {
      EXPECT_THAT(response, testing::EndsWith("\r\n\r\nimported 65536 bytes before the limit\n"));
    }
  }
  ASSERT_EQ(seen().size(), 1u);
  EXPECT_EQ(seen()[0].bytes, 64u << 10);
  EXPECT_EQ(seen()[0].status, absl::ResourceExhaustedError("request body too large: limit is 65536 bytes"));

  // A gzip body is limited after decoding: a small bomb is stopped at the limit.
  absl::StatusOr<std::string> bomb = GzipCompress(std::string(10 << 20, '\0'));
  ASSERT_TRUE(bomb.ok());
  httplib::Result r =
      Client()->Post("/default-limit", httplib::Headers{{"Content-Encoding", "gzip"}}, *bomb, "text/plain");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 413);
  ASSERT_EQ(seen().size(), 2u);
  EXPECT_EQ(seen()[1].bytes, 64u << 10);
}

TEST_F(StreamTest, ClientVanishingMidBodyFailsTheReaderAndTheServerKeepsServing) {
  Server& server = NewServer();
  server.PostStream("/api/v1/import", Counting());
  server.Get("/ping", [](const Request&, Response* resp) { resp->body = "pong"; });
  Start();
  {
    RawConnection conn(server.port());
    conn.Send("POST /api/v1/import HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\n\r\n");
    conn.Send(Noise(100000));
  }  // Closed with 9.9 MB still to come.
  AwaitCalls(1);
  ASSERT_EQ(seen().size(), 1u);
  EXPECT_EQ(seen()[0].bytes, 100000u);
  EXPECT_TRUE(absl::IsUnavailable(seen()[0].status)) << seen()[0].status;
  EXPECT_THAT(seen()[0].status.message(), HasSubstr("closed the connection in the body after 100000 of 10000000"));

  httplib::Result r = Client()->Get("/ping");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->body, "pong");
}

TEST_F(StreamTest, MalformedChunkedFramingIs400AndUnsupportedTransferEncoding501) {
  Server& server = NewServer();
  server.PostStream("/api/v1/import", Counting());
  Start();
  RawConnection conn(server.port());
  conn.Send("POST /api/v1/import HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nxyz\r\n");
  std::string response = conn.ReadToEnd();
  EXPECT_THAT(response, StartsWith("HTTP/1.1 400 "));
  EXPECT_THAT(response, HasSubstr("\r\nConnection: close\r\n"));
  EXPECT_THAT(response, testing::EndsWith("could not read the request body: chunked request body: invalid "
                                          "chunk-size line \"xyz\" after 5 body bytes\n"));
  ASSERT_EQ(seen().size(), 1u);
  EXPECT_TRUE(absl::IsInvalidArgument(seen()[0].status));

  RawConnection other(server.port());
  other.Send("POST /api/v1/import HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\nxxxx");
  response = other.ReadToEnd();
  EXPECT_THAT(response, StartsWith("HTTP/1.1 501 "));
  EXPECT_THAT(response, testing::EndsWith("unsupported Transfer-Encoding \"gzip\": only chunked is supported\n"));
}

TEST_F(StreamTest, FullyReadBodiesKeepTheConnectionAndUnreadOnesCloseIt) {
  Server& server = NewServer();
  server.PostStream("/api/v1/import", Counting());
  server.PostStream("/reject", [](const Request&, BodyReader*, Response* resp) {
    resp->status = 415;
    resp->body = "unsupported media type\n";
  });
  Start();
  // Two pipelined requests on one connection: the first body is read exactly to its end, so the second parses.
  RawConnection conn(server.port());
  conn.Send(absl::StrCat(
      "POST /api/v1/import HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n", Chunked("first body", 3),
      "POST /api/v1/import HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecond"));
  std::string responses = conn.ReadToEnd();
  EXPECT_THAT(responses, StartsWith("HTTP/1.1 200 "));
  EXPECT_THAT(responses, HasSubstr(absl::StrCat("\r\n\r\n10 ", Crc("first body"), "HTTP/1.1 200 ")));
  EXPECT_THAT(responses, testing::EndsWith(absl::StrCat("\r\n\r\n6 ", Crc("second"))));

  // A handler that answers without reading: the rest is not drained, the connection closes after the response.
  httplib::Result r = Client()->Post("/reject", Noise(1 << 20), "application/x-unknown");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 415);
  EXPECT_EQ(r->get_header_value("Connection"), "close");
  r = Client()->Post("/api/v1/import", "still serving", "text/plain");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
}

TEST_F(StreamTest, ShutdownCutsOffAStalledUpload) {
  Server& server = NewServer();
  absl::Notification reading;
  server.PostStream("/api/v1/import", [&](const Request& req, BodyReader* body, Response* resp) {
    std::string piece;
    ASSERT_TRUE(body->Read(&piece));
    reading.Notify();
    Counting()(req, body, resp);  // Blocks until the connection is shut.
  });
  Start();
  RawConnection conn(server.port());
  conn.Send("POST /api/v1/import HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\nfirst bytes");
  reading.WaitForNotification();
  server.Shutdown(absl::ZeroDuration());
  ASSERT_EQ(seen().size(), 1u);
  EXPECT_TRUE(absl::IsUnavailable(seen()[0].status)) << seen()[0].status;
}

TEST_F(StreamTest, ThrowingStreamHandlerIs500) {
  Server& server = NewServer();
  server.PostStream("/boom", [](const Request&, BodyReader* body, Response*) {
    std::string piece;
    body->Read(&piece);
    throw std::runtime_error("boom");
  });
  Start();
  httplib::Result r = Client()->Post("/boom", "abc", "text/plain");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 500);
}

TEST_F(StreamTest, HandleFeedsTheBodyThroughAReaderWithTheRouteLimit) {
  Server& server = NewServer();
  server.PostStream(R"(/import/(\w+))", Counting(), 3 << 20);
  Request request;
  request.method = "POST";
  request.path = "/import/fleet";
  request.body = Noise(2 << 20);
  const std::string body = request.body;
  Response resp = server.Handle(request);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, absl::StrCat(body.size(), " ", Crc(body)));
  ASSERT_EQ(seen().size(), 1u);
  EXPECT_EQ(seen()[0].max_piece, kMaxBodyPiece);

  request.body = Noise(4 << 20);
  resp = server.Handle(request);
  EXPECT_EQ(resp.status, 413);
  EXPECT_EQ(resp.body, "request body too large: limit is 3145728 bytes\n");
  ASSERT_EQ(seen().size(), 2u);
  EXPECT_TRUE(absl::IsResourceExhausted(seen()[1].status));

  request.method = "GET";
  EXPECT_EQ(server.Handle(request).status, 405);
}

}  // namespace
}  // namespace vigil::http
