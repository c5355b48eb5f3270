#include "base/http/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "base/http/gzip.h"
#include "base/log/log.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace vigil::http {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Collects log lines; notifies when a line containing `watch` arrives.
class CapturingSink : public log::Sink {
 public:
  void Write(std::string_view line) override {
    absl::MutexLock lock(&mu_);
    lines_.emplace_back(line);
    if (!watch_.empty() && line.find(watch_) != std::string_view::npos && !seen_.HasBeenNotified()) seen_.Notify();
  }
  std::vector<std::string> lines() {
    absl::MutexLock lock(&mu_);
    return lines_;
  }
  // Lines containing every one of `parts`.
  std::vector<std::string> Find(std::initializer_list<std::string_view> parts) {
    std::vector<std::string> out;
    for (const std::string& line : lines()) {
      bool all = true;
      for (std::string_view p : parts) all = all && line.find(p) != std::string::npos;
      if (all) out.push_back(line);
    }
    return out;
  }
  void Watch(std::string text) {
    absl::MutexLock lock(&mu_);
    watch_ = std::move(text);
  }
  void WaitForWatched() { seen_.WaitForNotification(); }

 private:
  absl::Mutex mu_;
  std::vector<std::string> lines_;
  std::string watch_;
  absl::Notification seen_;
};

std::string Repeat(std::string_view unit, size_t bytes) {
  std::string s;
  while (s.size() < bytes) s.append(unit);
  s.resize(bytes);
  return s;
}

// Sends `request` bytes on a new connection to 127.0.0.1:`port` and returns everything the server sends
// until it closes the connection.
std::string RawExchange(int port, std::string_view request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  EXPECT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL), static_cast<ssize_t>(request.size()));
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof(buf), 0)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::SetSink(&sink_);
    log::SetLevel(log::Level::kDebug);
  }
  void TearDown() override {
    server_.reset();
    log::SetSink(nullptr);
    log::SetLevel(log::Level::kInfo);
  }

  // Creates server_ listening on an ephemeral port of 127.0.0.1; routes are added by the test, then Start().
  Server& NewServer(ServerOptions options = {}) {
    options.listen_address = "127.0.0.1:0";
    server_ = std::make_unique<Server>(std::move(options));
    return *server_;
  }
  void Start() {
    absl::Status status = server_->Start();
    ASSERT_TRUE(status.ok()) << status;
    ASSERT_GT(server_->port(), 0);
  }
  // A client that shows response bodies as sent (no automatic decompression).
  std::unique_ptr<httplib::Client> Client() {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    c->set_decompress(false);
    c->set_url_encode(false);  // Send request targets exactly as written.
    return c;
  }

  CapturingSink sink_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, RoutesQueryParamsRepeatedParamsCapturesAndHeaders) {
  Server& server = NewServer();
  server.Get(R"(/api/v1/label/([^/]+)/values)", [](const Request& req, Response* resp) {
    resp->content_type = "text/plain";
    resp->body = absl::StrCat("method=", req.method, " path=", req.path, " name=", req.path_matches[1],
                              " match=", absl::StrJoin(req.Params("match[]"), "|"), " start=", req.Param("start"),
                              " has_end=", req.HasParam("end"), " missing=", req.Param("missing"),
                              " header=", req.Header("x-test-header"), " whole=", req.path_matches[0]);
    resp->headers.emplace_back("X-Answer", "42");
  });
  Start();
  httplib::Result r =
      Client()->Get("/api/v1/label/job/values?match[]=up&match[]=%7B__name__%3D%22a%22%7D&start=1+2&end=",
                    httplib::Headers{{"X-Test-Header", "hello"}});
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body,
            "method=GET path=/api/v1/label/job/values name=job match=up|{__name__=\"a\"} start=1 2 has_end=1 "
            "missing= header=hello whole=/api/v1/label/job/values");
  EXPECT_EQ(r->get_header_value("X-Answer"), "42");
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain");
}

TEST_F(ServerTest, FormPostFieldsJoinQueryParamsAndMayExceedEightKilobytes) {
  Server& server = NewServer();
  server.Post("/api/v1/query", [](const Request& req, Response* resp) {
    resp->body = absl::StrCat("query=", req.Param("query").size(), ":", req.Param("query").substr(0, 13),
                              " match=", absl::StrJoin(req.Params("match[]"), "|"), " time=", req.Param("time"),
                              " both=", absl::StrJoin(req.Params("dup"), "|"));
  });
  Start();
  // cpp-httplib alone refuses form bodies above 8 KiB; Prometheus clients send long queries this way.
  std::string long_query = Repeat("rate(x[5m])+", 20000);
  httplib::Result r = Client()->Post("/api/v1/query?time=123&dup=from-query",
                                     absl::StrCat("query=", long_query, "&match[]=a&match[]=b&dup=from-body"),
                                     "application/x-www-form-urlencoded");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  // '+' in a form value decodes to a space.
  EXPECT_EQ(r->body, "query=20000:rate(x[5m]) r match=a|b time=123 both=from-body|from-query");
}

TEST_F(ServerTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  Server& server = NewServer();
  server.Get("/things", [](const Request&, Response* resp) { resp->body = "list"; });
  server.Post("/things", [](const Request&, Response* resp) { resp->body = "created"; });
  server.Delete(R"(/things/(\d+))", [](const Request& req, Response* resp) { resp->body = req.path_matches[1]; });
  Start();
  auto c = Client();

  httplib::Result r = c->Get("/nothing-here");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);

  r = c->Put("/things", "x", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "GET, HEAD, POST");

  r = c->Get("/things/12");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "DELETE");

  r = c->Delete("/things/12");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "12");

  // The pattern must match the whole path.
  r = c->Delete("/things/12/more");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);

  r = c->Head("/things");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Length"), "4");
  EXPECT_EQ(r->body, "");
}

TEST_F(ServerTest, BodyAtTheLimitIsAcceptedAndOneByteMoreIs413) {
  Server& server = NewServer({.max_request_bytes = 1024});
  server.Post("/upload", [](const Request& req, Response* resp) { resp->body = absl::StrCat(req.body.size()); });
  Start();

  httplib::Result r = Client()->Post("/upload", std::string(1024, 'a'), "application/octet-stream");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "1024");

  r = Client()->Post("/upload", std::string(1025, 'a'), "application/octet-stream");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->body, "request body too large: limit is 1024 bytes\n");
}

TEST_F(ServerTest, OversizedBodyAnnouncedWithExpectContinueIsRefusedBeforeItIsSent) {
  Server& server = NewServer({.max_request_bytes = 1024});
  server.Post("/upload", [](const Request& req, Response* resp) { resp->body = absl::StrCat(req.body.size()); });
  Start();
  std::string response = RawExchange(server.port(),
                                     "POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 5000\r\n"
                                     "Expect: 100-continue\r\n\r\n");
  EXPECT_THAT(response, testing::StartsWith("HTTP/1.1 413 "));
  EXPECT_THAT(response, HasSubstr("\r\nConnection: close\r\n"));
  EXPECT_THAT(response, testing::EndsWith("\r\n\r\nrequest body too large: limit is 1024 bytes\n"));
}

TEST_F(ServerTest, MalformedRequestsGetAnExplainingStatus) {
  NewServer();
  Start();
  std::string response = RawExchange(server_->port(), "NONSENSE\r\n\r\n");
  EXPECT_THAT(response, testing::StartsWith("HTTP/1.1 400 "));
  EXPECT_THAT(response, testing::EndsWith("\r\n\r\n400 Bad Request\n"));

  response = RawExchange(server_->port(), "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 12abc\r\n\r\n");
  EXPECT_THAT(response, testing::StartsWith("HTTP/1.1 400 "));
  EXPECT_THAT(response, testing::EndsWith("invalid Content-Length\n"));
}

TEST_F(ServerTest, ChunkedAndCompressedBodiesAreLimitedAfterDecoding) {
  Server& server = NewServer({.max_request_bytes = 1024});
  server.Post("/upload", [](const Request& req, Response* resp) { resp->body = absl::StrCat(req.body.size()); });
  Start();

  // Chunked: no Content-Length to check up front.
  std::string big(4096, 'b');
  httplib::Result r = Client()->Post(
      "/upload",
      [&](size_t offset, httplib::DataSink& sink) {
        if (offset < big.size()) {
          sink.write(big.data() + offset, 512);
        } else {
          sink.done();
        }
        return true;
      },
      "application/octet-stream");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->body, "request body too large: limit is 1024 bytes\n");

  // The limit applies to the decoded bytes exactly: 1024 pass, 1025 do not, chunked or gzipped.
  for (size_t size : {size_t{1024}, size_t{1025}}) {
    SCOPED_TRACE(size);
    std::string body(size, 'c');
    r = Client()->Post(
        "/upload",
        [&](size_t offset, httplib::DataSink& sink) {
          if (offset < body.size()) {
            sink.write(body.data() + offset, std::min<size_t>(100, body.size() - offset));
          } else {
            sink.done();
          }
          return true;
        },
        "application/octet-stream");
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, size == 1024 ? 200 : 413);
    absl::StatusOr<std::string> gz = GzipCompress(body);
    ASSERT_TRUE(gz.ok());
    r = Client()->Post("/upload", httplib::Headers{{"Content-Encoding", "gzip"}}, *gz, "application/octet-stream");
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, size == 1024 ? 200 : 413);
  }

  // 100 KiB of zeros gzip to a few hundred bytes, under the limit on the wire but not once decoded.
  absl::StatusOr<std::string> bomb = GzipCompress(std::string(100 << 10, '\0'));
  ASSERT_TRUE(bomb.ok());
  ASSERT_LT(bomb->size(), 1024u);
  r = Client()->Post("/upload", httplib::Headers{{"Content-Encoding", "gzip"}}, *bomb, "application/octet-stream");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 413);
}

TEST_F(ServerTest, GzipRequestBodyArrivesDecodedAndSnappyBodyUntouched) {
  Server& server = NewServer();
  server.Post("/api/v1/write", [](const Request& req, Response* resp) {
    resp->status = 204;
    resp->headers.emplace_back(
        "X-Body", absl::StrCat(req.body.size(), ":", req.body == std::string("\xff\x00\x01snappy-ish", 13)));
    resp->headers.emplace_back("X-Encoding", req.Header("Content-Encoding"));
  });
  server.Post("/echo", [](const Request& req, Response* resp) {
    resp->body = req.body;
    resp->headers.emplace_back("X-Encoding", req.Header("Content-Encoding"));
  });
  Start();

  std::string snappy_body("\xff\x00\x01snappy-ish", 13);
  httplib::Result r = Client()->Post("/api/v1/write", httplib::Headers{{"Content-Encoding", "snappy"}}, snappy_body,
                                     "application/x-protobuf");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->get_header_value("X-Body"), "13:1");
  EXPECT_EQ(r->get_header_value("X-Encoding"), "snappy");

  absl::StatusOr<std::string> gz = GzipCompress("hello from a gzip body");
  ASSERT_TRUE(gz.ok());
  r = Client()->Post("/echo", httplib::Headers{{"Content-Encoding", "gzip"}}, *gz, "text/plain");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->body, "hello from a gzip body");
  EXPECT_EQ(r->get_header_value("X-Encoding"), "");
}

// Each response content type is gzipped once when the client accepts gzip: types cpp-httplib would compress
// itself (JSON, text/*) and types it would not (OpenMetrics, protobuf).
TEST_F(ServerTest, GzipsEveryContentTypeExactlyOnceWhenAccepted) {
  const std::string body = Repeat(R"({"status":"success","data":[1,2,3]} )", 8192);
  const std::vector<std::string> types = {"application/json", "text/plain; version=0.0.4; charset=utf-8",
                                          "application/openmetrics-text; version=1.0.0; charset=utf-8",
                                          "application/x-protobuf"};
  Server& server = NewServer();
  server.Get("/typed", [&](const Request& req, Response* resp) {
    resp->content_type = req.Param("type");
    resp->body = body;
  });
  Start();
  for (const std::string& type : types) {
    SCOPED_TRACE(type);
    std::string path = absl::StrCat("/typed?type=", httplib::detail::encode_query_param(type));
    for (const char* accept : {"gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.8, *;q=0.1"}) {
      SCOPED_TRACE(accept);
      httplib::Result r = Client()->Get(path, httplib::Headers{{"Accept-Encoding", accept}});
      ASSERT_TRUE(r) << httplib::to_string(r.error());
      EXPECT_EQ(r->status, 200);
      EXPECT_EQ(r->get_header_value("Content-Type"), type);
      EXPECT_EQ(r->get_header_value_count("Content-Encoding"), 1u);
      EXPECT_EQ(r->get_header_value("Content-Encoding"), "gzip");
      EXPECT_EQ(r->get_header_value("Vary"), "Accept-Encoding");
      EXPECT_LT(r->body.size(), body.size() / 10);
      absl::StatusOr<std::string> decoded = GzipDecompress(r->body, 1 << 20);
      ASSERT_TRUE(decoded.ok()) << decoded.status();
      EXPECT_EQ(*decoded, body);
    }
    for (const char* accept : {"gzip;q=0", "identity", "br", "", "*;q=0"}) {
      SCOPED_TRACE(accept);
      httplib::Headers headers;
      if (*accept != '\0') headers.emplace("Accept-Encoding", accept);
      httplib::Result r = Client()->Get(path, headers);
      ASSERT_TRUE(r) << httplib::to_string(r.error());
      EXPECT_FALSE(r->has_header("Content-Encoding"));
      EXPECT_EQ(r->get_header_value("Vary"), "Accept-Encoding");
      EXPECT_EQ(r->body, body);
    }
  }
}

// A streamed body arrives whole, chunked, gzipped exactly once when (and only when) the client accepts gzip, and
// is collected by Handle.
TEST_F(ServerTest, StreamedBodiesArriveChunkedAndGzippedOnceWhenAccepted) {
  std::string expected;
  for (int i = 0; i < 200; ++i) {
    if (i % 7 != 3) expected += Repeat(absl::StrCat("piece ", i, " "), 500);
  }
  Server& server = NewServer();
  server.Get("/stream", [](const Request&, Response* resp) {
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
    auto next = std::make_shared<int>(0);
    resp->body_stream = [next](std::string* piece) {
      if (*next % 7 != 3) *piece = Repeat(absl::StrCat("piece ", *next, " "), 500);  // Some pieces are empty.
      return ++*next < 200;
    };
  });
  Start();
  for (const char* accept : {"gzip", "gzip;q=0", ""}) {
    SCOPED_TRACE(accept);
    httplib::Headers headers;
    if (*accept != '\0') headers.emplace("Accept-Encoding", accept);
    httplib::Result r = Client()->Get("/stream", headers);
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->get_header_value("Transfer-Encoding"), "chunked");
    EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(r->get_header_value("Vary"), "Accept-Encoding");
    if (std::string_view(accept) == "gzip") {
      EXPECT_EQ(r->get_header_value_count("Content-Encoding"), 1u);
      EXPECT_EQ(r->get_header_value("Content-Encoding"), "gzip");
      absl::StatusOr<std::string> decoded = GzipDecompress(r->body, 1 << 22);
      ASSERT_TRUE(decoded.ok()) << decoded.status();
      EXPECT_EQ(*decoded, expected);
    } else {
      EXPECT_FALSE(r->has_header("Content-Encoding"));
      EXPECT_EQ(r->body, expected);
    }
  }
  Request req;
  req.method = "GET";
  req.path = "/stream";
  EXPECT_EQ(server.Handle(req).body, expected);
}

TEST(GzipCompressorTest, PiecesMakeOneMemberEqualToTheWhole) {
  GzipCompressor gz;
  std::string out, whole;
  for (int i = 0; i < 100; ++i) {
    const std::string piece = Repeat(absl::StrCat("line ", i, "\n"), 100);
    whole += piece;
    ASSERT_TRUE(gz.Append(piece, &out).ok());
  }
  ASSERT_TRUE(gz.Finish("tail", &out).ok());
  whole += "tail";
  EXPECT_LT(out.size(), whole.size() / 10);
  absl::StatusOr<std::string> decoded = GzipDecompress(out, 1 << 22);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, whole);
  EXPECT_EQ(gz.Append("more", &out).code(), absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<std::string> empty = GzipCompress("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*GzipDecompress(*empty, 10), "");
}

TEST_F(ServerTest, SmallBodiesAndHandlerEncodedBodiesAreNotGzipped) {
  Server& server = NewServer({.min_gzip_bytes = 1024});
  server.Get("/small", [](const Request&, Response* resp) {
    resp->content_type = "application/json";
    resp->body = std::string(1023, 'x');
  });
  server.Get("/at-threshold", [](const Request&, Response* resp) {
    resp->content_type = "application/openmetrics-text; version=1.0.0";
    resp->body = std::string(1024, 'x');
  });
  server.Get("/snappy", [](const Request&, Response* resp) {
    resp->content_type = "application/x-protobuf";
    resp->headers.emplace_back("Content-Encoding", "snappy");
    resp->body = std::string(4096, 's');
  });
  Start();
  httplib::Headers gzip{{"Accept-Encoding", "gzip"}};

  httplib::Result r = Client()->Get("/small", gzip);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_header("Content-Encoding"));
  EXPECT_EQ(r->body, std::string(1023, 'x'));

  r = Client()->Get("/at-threshold", gzip);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("Content-Encoding"), "gzip");

  r = Client()->Get("/snappy", gzip);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("Content-Encoding"), "snappy");
  EXPECT_EQ(r->body, std::string(4096, 's'));
}

TEST_F(ServerTest, RangeHeaderIsIgnored) {
  Server& server = NewServer();
  server.Get("/data", [](const Request&, Response* resp) { resp->body = "0123456789"; });
  Start();
  httplib::Result r = Client()->Get("/data", httplib::Headers{{"Range", "bytes=2-4"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "0123456789");
  EXPECT_FALSE(r->has_header("Content-Range"));
}

TEST_F(ServerTest, ThrowingHandlerGets500AndIsLoggedAndServerKeepsServing) {
  Server& server = NewServer();
  server.Get("/boom", [](const Request&, Response*) -> void { throw std::runtime_error("disk on fire"); });
  server.Get("/odd", [](const Request&, Response*) -> void { throw 42; });
  server.Get("/ok", [](const Request&, Response* resp) { resp->body = "fine"; });
  Start();
  auto c = Client();

  httplib::Result r = c->Get("/boom");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, "internal server error\n");
  EXPECT_THAT(sink_.Find({"level=error", "http handler threw", "path=/boom", "disk on fire"}), testing::SizeIs(1));

  r = c->Get("/odd");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_THAT(sink_.Find({"level=error", "path=/odd", "not derived from std::exception"}), testing::SizeIs(1));

  r = c->Get("/ok");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "fine");
}

TEST_F(ServerTest, AccessLogLineHasMethodPathStatusAndLevelByStatus) {
  Server& server = NewServer();
  server.Get("/metrics", [](const Request&, Response* resp) { resp->body = "up 1\n"; });
  server.Get("/fail", [](const Request&, Response* resp) { resp->status = 503; });
  Start();
  auto c = Client();
  ASSERT_TRUE(c->Get("/metrics?x=1"));
  ASSERT_TRUE(c->Get("/missing"));
  ASSERT_TRUE(c->Get("/fail"));
  // A line is written after its response is sent; once Shutdown returns, every request is done.
  server.Shutdown(absl::Seconds(10));

  std::vector<std::string> ok = sink_.Find({"msg=\"http request\"", "method=GET", "path=/metrics ", "status=200"});
  ASSERT_THAT(ok, testing::SizeIs(1));
  EXPECT_THAT(ok[0], HasSubstr("level=debug"));
  EXPECT_THAT(ok[0], HasSubstr("bytes=5"));
  EXPECT_THAT(ok[0], HasSubstr("remote=127.0.0.1:"));
  EXPECT_THAT(ok[0], HasSubstr("duration="));
  EXPECT_THAT(sink_.Find({"level=info", "msg=\"http request\"", "path=/missing", "status=404"}), testing::SizeIs(1));
  EXPECT_THAT(sink_.Find({"level=warn", "msg=\"http request\"", "path=/fail", "status=503"}), testing::SizeIs(1));
}

TEST_F(ServerTest, AccessLogCanBeTurnedOff) {
  Server& server = NewServer({.access_log = false});
  server.Get("/metrics", [](const Request&, Response* resp) { resp->body = "up 1\n"; });
  Start();
  ASSERT_TRUE(Client()->Get("/metrics"));
  server.Shutdown(absl::Seconds(10));
  EXPECT_THAT(sink_.Find({"msg=\"http request\""}), IsEmpty());
}

// Only two workers wait in accept(2) at a time; the others are woken as connections overlap. Idle keep-alive
// connections and requests in progress each hold a worker, and the rest still take new connections.
TEST_F(ServerTest, EveryWorkerServesWhenConnectionsOverlap) {
  constexpr int kKeepAlive = 3;
  constexpr int kSlow = 4;
  absl::Mutex mu;
  int entered = 0;
  bool release = false;
  Server& server = NewServer({.worker_threads = kKeepAlive + kSlow + 1});
  server.Get("/fast", [](const Request&, Response* resp) { resp->body = "ok"; });
  server.Get("/slow", [&](const Request&, Response* resp) {
    absl::MutexLock lock(&mu);
    ++entered;
    mu.Await(absl::Condition(&release));
    resp->body = "done";
  });
  Start();
  std::vector<std::unique_ptr<httplib::Client>> idle;
  for (int i = 0; i < kKeepAlive; ++i) {
    idle.push_back(Client());
    idle.back()->set_keep_alive(true);
    httplib::Result r = idle.back()->Get("/fast");
    ASSERT_TRUE(r) << httplib::to_string(r.error());
  }
  std::vector<std::thread> slow;
  std::vector<int> status(kSlow, 0);
  for (int i = 0; i < kSlow; ++i) {
    slow.emplace_back([&, i] {
      httplib::Result r = Client()->Get("/slow");
      status[i] = r ? r->status : -1;
    });
  }
  {
    absl::MutexLock lock(&mu);
    auto all_in = [&] { return entered == kSlow; };
    EXPECT_TRUE(mu.AwaitWithTimeout(absl::Condition(&all_in), absl::Seconds(30)))
        << entered << " of " << kSlow << " slow requests reached their handler";
    release = true;
  }
  for (std::thread& t : slow) t.join();
  EXPECT_EQ(status, std::vector<int>(kSlow, 200));
  // The kept-alive connections still work, and so does a new one.
  for (auto& c : idle) {
    httplib::Result r = c->Get("/fast");
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->body, "ok");
  }
  httplib::Result r = Client()->Get("/fast");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
}

TEST_F(ServerTest, ShutdownLetsAnInFlightRequestFinishAndRefusesNewConnections) {
  absl::Notification entered;
  absl::Notification release;
  const std::string big(4 << 20, 'z');
  Server& server = NewServer();
  server.Get("/slow", [&](const Request&, Response* resp) {
    entered.Notify();
    release.WaitForNotification();
    resp->content_type = "application/octet-stream";
    resp->body = big;
  });
  Start();
  const int port = server.port();

  httplib::Result result(nullptr, httplib::Error::Unknown);
  std::thread client([&] { result = httplib::Client("127.0.0.1", port).Get("/slow"); });
  entered.WaitForNotification();

  sink_.Watch("http server shutting down");
  std::thread stopper([&] { server.Shutdown(absl::Seconds(60)); });
  sink_.WaitForWatched();
  // The listener is closed before that line is logged.
  httplib::Client late("127.0.0.1", port);
  httplib::Result refused = late.Get("/slow");
  EXPECT_FALSE(refused);
  EXPECT_EQ(refused.error(), httplib::Error::Connection);

  release.Notify();
  client.join();
  stopper.join();
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body.size(), big.size());
  EXPECT_TRUE(result->body == big);
  EXPECT_THAT(sink_.Find({"http server stopped"}), testing::SizeIs(1));

  server.Shutdown(absl::Seconds(1));  // Idempotent.
  EXPECT_EQ(server.Start().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(ServerTest, ShutdownCutsOffRequestsStillRunningAfterGrace) {
  absl::Notification entered;
  absl::Notification release;
  Server& server = NewServer();
  server.Get("/stuck", [&](const Request&, Response* resp) {
    entered.Notify();
    release.WaitForNotification();
    resp->body = "too late";
  });
  Start();
  const int port = server.port();

  httplib::Result result(nullptr, httplib::Error::Unknown);
  std::thread client([&] { result = httplib::Client("127.0.0.1", port).Get("/stuck"); });
  entered.WaitForNotification();
  std::thread stopper([&] { server.Shutdown(absl::ZeroDuration()); });
  // The client's connection is shut when the (zero) grace period ends, while the handler still runs.
  client.join();
  EXPECT_FALSE(result);
  release.Notify();
  stopper.join();
  EXPECT_THAT(sink_.Find({"level=warn", "grace period over", "in_flight=1"}), testing::SizeIs(1));
}

TEST_F(ServerTest, ShutdownClosesIdleKeepAliveConnectionsAtOnce) {
  Server& server = NewServer({.idle_timeout = absl::Minutes(10)});
  server.Get("/ok", [](const Request&, Response* resp) { resp->body = "ok"; });
  Start();
  httplib::Client c("127.0.0.1", server.port());
  c.set_keep_alive(true);
  ASSERT_TRUE(c.Get("/ok"));
  ASSERT_TRUE(c.Get("/ok"));
  ASSERT_TRUE(c.is_socket_open());

  // Without closing idle connections, Shutdown would wait for the 10-minute idle timeout.
  absl::Time start = absl::Now();
  server.Shutdown(absl::Minutes(5));
  EXPECT_LT(absl::Now() - start, absl::Minutes(1));
}

TEST_F(ServerTest, StartOnAnAddressInUseFailsClearly) {
  NewServer();
  Start();
  Server second({.listen_address = absl::StrCat("127.0.0.1:", server_->port())});
  absl::Status status = second.Start();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(), absl::StrCat("listen tcp 127.0.0.1:", server_->port(), ": address already in use"));
  EXPECT_EQ(second.port(), 0);
  second.Shutdown(absl::ZeroDuration());
}

TEST_F(ServerTest, BadListenAddressesAreRejected) {
  for (const char* address : {"localhost", "1.2.3.4:99999", "host:abc", "", "127.0.0.1:", "::1:9090", "[::1:9090",
                              "[not-ipv6]:80", "bad host:80", "1.2.3.4:-1", "1.2.3.4:123456"}) {
    SCOPED_TRACE(address);
    Server server({.listen_address = address});
    absl::Status status = server.Start();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(status.message(), HasSubstr(absl::StrCat("invalid listen address \"", address, "\"")));
  }
  Server server({.listen_address = "localhost"});
  EXPECT_EQ(server.Start().message(),
            "invalid listen address \"localhost\": missing port (expected host:port or :port)");
}

TEST_F(ServerTest, StartReportsInvalidRoutePatternsAndTwiceStartedServers) {
  Server& bad = NewServer();
  bad.Get("/unclosed/(group", [](const Request&, Response*) {});
  absl::Status status = bad.Start();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("invalid route pattern \"/unclosed/(group\""));

  Server& good = NewServer();
  Start();
  EXPECT_EQ(good.Start().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(ServerTest, HandleRoutesWithoutSockets) {
  Server server;
  server.Get(R"(/api/v1/label/([^/]+)/values)", [](const Request& req, Response* resp) {
    resp->content_type = "application/json";
    resp->body = absl::StrCat("[\"", req.path_matches[1], "\",\"", req.Param("match[]"), "\"]");
  });
  server.Post("/boom", [](const Request&, Response*) { throw std::logic_error("bug"); });

  Request req;
  req.method = "GET";
  req.path = "/api/v1/label/job/values";
  req.params = {{"match[]", "up"}};
  Response resp = server.Handle(req);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, R"(["job","up"])");

  req.method = "POST";
  resp = server.Handle(req);
  EXPECT_EQ(resp.status, 405);
  EXPECT_THAT(resp.headers, ElementsAre(std::pair<std::string, std::string>("Allow", "GET, HEAD")));

  req.path = "/nope";
  EXPECT_EQ(server.Handle(req).status, 404);

  req.path = "/boom";
  EXPECT_EQ(server.Handle(req).status, 500);
}

TEST(RequestTest, HelpersAndCaseInsensitiveHeaders) {
  Request req;
  req.params = {{"a", "1"}, {"m", "x"}, {"m", "y"}, {"empty", ""}};
  req.headers = {{"Content-Type", "text/plain"}, {"X-Multi", "1"}, {"x-multi", "2"}};
  EXPECT_EQ(req.Param("a"), "1");
  EXPECT_EQ(req.Param("m"), "x");
  EXPECT_EQ(req.Param("nope"), "");
  EXPECT_THAT(req.Params("m"), ElementsAre("x", "y"));
  EXPECT_THAT(req.Params("nope"), IsEmpty());
  EXPECT_TRUE(req.HasParam("empty"));
  EXPECT_FALSE(req.HasParam("nope"));
  EXPECT_EQ(req.Header("content-type"), "text/plain");
  EXPECT_EQ(req.Header("CONTENT-TYPE"), "text/plain");
  EXPECT_EQ(req.Header("X-MULTI"), "1");
  EXPECT_EQ(req.headers.count("x-Multi"), 2u);
  EXPECT_EQ(req.Header("missing"), "");
}

}  // namespace
}  // namespace vigil::http
