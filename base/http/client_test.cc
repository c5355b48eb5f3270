#include "base/http/client.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "base/http/fake_client.h"
#include "base/http/gzip.h"
#include "base/http/server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::http {
namespace {

using ::testing::HasSubstr;

uint32_t Crc(std::string_view data, uint32_t crc = 0) {
  return static_cast<uint32_t>(crc32(crc, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<Server>(ServerOptions{.listen_address = "127.0.0.1:0"});
    server_->Post("/echo", [](const Request& req, Response* resp) {
      resp->content_type = req.Header("Content-Type");
      resp->body = req.body;
      resp->headers.emplace_back("X-Seen", req.Header("X-Request-Id"));
      resp->headers.emplace_back("X-User-Agent", req.Header("User-Agent"));
    });
    server_->Get("/hello", [](const Request& req, Response* resp) {
      resp->body = absl::StrCat("hello ", req.Param("name"), " at ", req.path);
    });
    server_->Get(R"(/status/(\d+))", [](const Request& req, Response* resp) {
      resp->status = std::stoi(req.path_matches[1]);
      resp->body = "status body";
    });
    server_->Get("/peer", [](const Request& req, Response* resp) { resp->body = req.remote_addr; });
    server_->PostStream("/stream", [this](const Request& req, BodyReader* body, Response* resp) {
      uint64_t bytes = 0;
      uint32_t crc = 0;
      std::string piece;
      while (body->Read(&piece)) {
        bytes += piece.size();
        crc = Crc(piece, crc);
      }
      resp->body =
          absl::StrCat(bytes, " ", crc, " te=", req.Header("Transfer-Encoding"), " ct=", req.Header("Content-Type"));
      absl::MutexLock lock(&stream_mu_);
      stream_status_ = body->status();
      stream_done_ = true;
    });
    server_->Get("/big", [](const Request&, Response* resp) { resp->body = std::string(100000, 'b'); });
    server_->Get("/json", [](const Request&, Response* resp) {
      resp->content_type = "application/json";
      resp->body = std::string(10000, '7');
    });
    server_->Get("/slow", [this](const Request&, Response* resp) {
      release_slow_.WaitForNotification();
      resp->body = "finally";
    });
    absl::Status status = server_->Start();
    ASSERT_TRUE(status.ok()) << status;
    base_ = absl::StrCat("http://127.0.0.1:", server_->port());
  }
  void TearDown() override {
    if (!release_slow_.HasBeenNotified()) release_slow_.Notify();
    server_->Shutdown(absl::Seconds(5));
  }

  // The status the last streaming request's body ended with, once its handler is done.
  absl::Status AwaitStreamStatus() {
    absl::MutexLock lock(&stream_mu_);
    stream_mu_.Await(absl::Condition(&stream_done_));
    return stream_status_;
  }

  std::unique_ptr<Server> server_;
  std::string base_;
  absl::Notification release_slow_;
  absl::Mutex stream_mu_;
  bool stream_done_ ABSL_GUARDED_BY(stream_mu_) = false;
  absl::Status stream_status_ ABSL_GUARDED_BY(stream_mu_);
};

TEST_F(ClientTest, PostAndGetRoundTrip) {
  HttplibClient client;
  std::string payload("\x00\x01binary payload\xff", 17);
  absl::StatusOr<ClientResponse> r =
      client.Post(base_ + "/echo", {{"Content-Type", "application/x-protobuf"}, {"X-Request-Id", "abc-123"}}, payload,
                  absl::Seconds(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, payload);
  EXPECT_EQ(r->Header("content-type"), "application/x-protobuf");
  EXPECT_EQ(r->Header("X-Seen"), "abc-123");
  EXPECT_EQ(r->Header("X-User-Agent"), "vigil");

  r = client.Get(base_ + "/hello?name=vigil#ignored", {}, absl::Seconds(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello vigil at /hello");
}

TEST_F(ClientTest, PostWithoutContentTypeIsOctetStream) {
  HttplibClient client;
  absl::StatusOr<ClientResponse> r = client.Post(base_ + "/echo", {}, "x", absl::Seconds(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->Header("Content-Type"), "application/octet-stream");
}

TEST_F(ClientTest, ReusesKeepAliveConnections) {
  HttplibClient client;
  absl::StatusOr<ClientResponse> first = client.Get(base_ + "/peer", {}, absl::Seconds(10));
  absl::StatusOr<ClientResponse> second = client.Get(base_ + "/peer", {}, absl::Seconds(10));
  ASSERT_TRUE(first.ok() && second.ok());
  // Same client port: the same TCP connection.
  EXPECT_EQ(first->body, second->body);
  EXPECT_THAT(first->body, HasSubstr("127.0.0.1:"));
}

TEST_F(ClientTest, HttpErrorStatusesAreResponsesNotErrors) {
  HttplibClient client;
  for (int status : {503, 429, 404, 400}) {
    absl::StatusOr<ClientResponse> r = client.Get(absl::StrCat(base_, "/status/", status), {}, absl::Seconds(10));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, status);
    EXPECT_EQ(r->body, "status body");
  }
  EXPECT_TRUE(IsRetryableStatus(503));
  EXPECT_TRUE(IsRetryableStatus(500));
  EXPECT_TRUE(IsRetryableStatus(429));
  EXPECT_FALSE(IsRetryableStatus(404));
  EXPECT_FALSE(IsRetryableStatus(400));
  EXPECT_FALSE(IsRetryableStatus(200));
}

TEST_F(ClientTest, ConnectionRefusedIsUnavailableNamingTheUrl) {
  // A bound socket that does not listen: connecting to it is refused.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  std::string url = absl::StrCat("http://127.0.0.1:", ntohs(addr.sin_port), "/api/v1/write");

  HttplibClient client;
  absl::StatusOr<ClientResponse> r = client.Post(url, {}, "data", absl::Seconds(10));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr(absl::StrCat("POST ", url, ": could not connect")));
  r = client.Get(url, {}, absl::Seconds(10));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr(absl::StrCat("GET ", url)));
  ::close(fd);
}

TEST_F(ClientTest, SlowServerTimesOutAsUnavailable) {
  HttplibClient client;
  absl::StatusOr<ClientResponse> r = client.Get(base_ + "/slow", {}, absl::Milliseconds(200));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr(base_ + "/slow"));
  release_slow_.Notify();
}

TEST_F(ClientTest, ResponseBodyIsBounded) {
  HttplibClient client({.max_response_bytes = 1000});
  absl::StatusOr<ClientResponse> r = client.Get(base_ + "/big", {}, absl::Seconds(10));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(r.status().message(), HasSubstr("limit of 1000 bytes"));

  // The client still works afterwards.
  r = client.Get(base_ + "/hello?name=again", {}, absl::Seconds(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "hello again at /hello");
}

TEST_F(ClientTest, GzipResponsesStayEncodedAndDecodeWithABound) {
  HttplibClient client;
  absl::StatusOr<ClientResponse> r = client.Get(base_ + "/json", {{"Accept-Encoding", "gzip"}}, absl::Seconds(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->Header("Content-Encoding"), "gzip");
  absl::StatusOr<std::string> body = GzipDecompress(r->body, 10000);
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(*body, std::string(10000, '7'));
  EXPECT_EQ(GzipDecompress(r->body, 9999).status().code(), absl::StatusCode::kResourceExhausted);
}

TEST_F(ClientTest, RejectsBadUrlsHeadersAndTimeouts) {
  HttplibClient client;
  absl::StatusOr<ClientResponse> r = client.Get("localhost:9090/x", {}, absl::Seconds(1));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("\"localhost:9090/x\""));

  r = client.Post("https://example.com/api", {}, "", absl::Seconds(1));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("only http:// is supported"));

  r = client.Get(base_ + "/hello", {{"X-Evil", "a\r\nInjected: yes"}}, absl::Seconds(1));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  r = client.Get(base_ + "/hello", {{"Bad Name", "v"}}, absl::Seconds(1));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  r = client.Get(base_ + "/hello", {}, absl::ZeroDuration());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ClientTest, PostStreamSendsAChunkedBodyAsItIsProduced) {
  HttplibClient client;
  // 3 MB in pieces of varying size, with empty pieces in between (skipped, not taken for the end).
  uint64_t sent = 0;
  uint32_t crc = 0;
  int calls = 0;
  absl::StatusOr<ClientResponse> r = client.PostStream(
      base_ + "/stream", {{"Content-Type", "application/openmetrics-text"}},
      [&](std::string* chunk) {
        EXPECT_TRUE(chunk->empty());
        if (sent >= (3u << 20)) return false;
        if (++calls % 5 == 0) return true;
        chunk->assign(1000 + calls * 37 % 70000, static_cast<char>('a' + calls % 26));
        sent += chunk->size();
        crc = Crc(*chunk, crc);
        return true;
      },
      absl::Seconds(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, absl::StrCat(sent, " ", crc, " te=chunked ct=application/openmetrics-text"));
  EXPECT_TRUE(AwaitStreamStatus().ok());

  // An empty body, and the default Content-Type.
  r = client.PostStream(
      base_ + "/stream", {}, [](std::string*) { return false; }, absl::Seconds(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "0 0 te=chunked ct=application/octet-stream");
}

TEST_F(ClientTest, PostStreamSourceErrorAbortsTheBody) {
  HttplibClient client;
  int calls = 0;
  absl::StatusOr<ClientResponse> r = client.PostStream(
      base_ + "/stream", {},
      [&](std::string* chunk) -> absl::StatusOr<bool> {
        if (++calls > 3) return absl::DataLossError("fleet.om: read error at offset 30000");
        chunk->assign(10000, 'x');
        return true;
      },
      absl::Seconds(10));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(),
              HasSubstr(absl::StrCat("POST ", base_, "/stream: the request body's source failed: fleet.om")));
  // The server never takes the cut-off body for a complete one.
  absl::Status seen = AwaitStreamStatus();
  EXPECT_TRUE(absl::IsUnavailable(seen)) << seen;
}

TEST_F(ClientTest, PostStreamRejectsFramingHeadersAndBadArguments) {
  HttplibClient client;
  auto none = [](std::string*) { return false; };
  for (const char* header : {"Content-Length", "transfer-encoding"}) {
    absl::StatusOr<ClientResponse> r = client.PostStream(base_ + "/stream", {{header, "5"}}, none, absl::Seconds(1));
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << header;
  }
  EXPECT_EQ(client.PostStream(base_ + "/stream", {}, nullptr, absl::Seconds(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client.PostStream("ftp://x/", {}, none, absl::Seconds(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client.PostStream(base_ + "/stream", {}, none, absl::ZeroDuration()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ParseUrlTest, AcceptsHttpUrls) {
  absl::StatusOr<Url> u = ParseUrl("http://Example.com");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "Example.com");
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->target, "/");

  u = ParseUrl("HTTP://127.0.0.1:9090/api/v1/write?a=1&b=%20#frag");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 9090);
  EXPECT_EQ(u->target, "/api/v1/write?a=1&b=%20");

  u = ParseUrl("http://[::1]:8080?q=1");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->target, "/?q=1");

  u = ParseUrl("http://store-0.store.monitoring.svc:9090/");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "store-0.store.monitoring.svc");
}

TEST(ParseUrlTest, RejectsMalformedUrls) {
  for (const char* url : {"",
                          "localhost:9090/x",
                          "/just/a/path",
                          "://host/",
                          "http://",
                          "http:///path",
                          "http://:80/",
                          "http://host:/",
                          "http://host:abc/",
                          "http://host:0/",
                          "http://host:70000/",
                          "http://user:pw@host/",
                          "http://ho st/",
                          "http://host/a b",
                          "http://host/\n",
                          "http://[::1/",
                          "http://[zz]:80/",
                          "http://[::1]x/",
                          "http://ho$t/",
                          "ftp://host/",
                          "https://host/"}) {
    SCOPED_TRACE(url);
    absl::StatusOr<Url> u = ParseUrl(url);
    EXPECT_EQ(u.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(u.status().message(), HasSubstr(absl::StrCat("\"", url, "\"")));
  }
}

TEST(FakeClientTest, AnswersFromTheScriptInOrderAndRecordsRequests) {
  FakeClient client;
  client.AddError(absl::UnavailableError("connection refused"));
  client.AddResponse(503, "busy");
  ClientResponse ok;
  ok.status = 204;
  ok.headers = {{"X-Answer", "yes"}};
  client.AddResponse(ok);
  EXPECT_EQ(client.pending(), 3u);

  absl::StatusOr<ClientResponse> r = client.Post("http://store/api/v1/write", {{"A", "1"}}, "one", absl::Seconds(1));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  r = client.Post("http://store/api/v1/write", {}, "two", absl::Seconds(2));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "busy");
  r = client.Get("http://store/ready", {}, absl::Seconds(3));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->Header("x-answer"), "yes");

  // Nothing scripted left: a loud error.
  r = client.Get("http://store/extra", {}, absl::Seconds(1));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("GET http://store/extra"));

  std::vector<RecordedRequest> requests = client.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].url, "http://store/api/v1/write");
  EXPECT_EQ(requests[0].body, "one");
  EXPECT_EQ(requests[0].headers, (HeaderList{{"A", "1"}}));
  EXPECT_EQ(requests[0].timeout, absl::Seconds(1));
  EXPECT_EQ(requests[1].body, "two");
  EXPECT_EQ(requests[2].method, "GET");
  EXPECT_EQ(requests[2].url, "http://store/ready");
}

TEST(FakeClientTest, PostStreamRecordsTheConcatenatedPieces) {
  FakeClient client;
  client.AddResponse(200, "imported");
  std::vector<std::string> pieces = {"# TYPE up gauge\n", "", "up 1\n", "# EOF\n"};
  size_t next = 0;
  absl::StatusOr<ClientResponse> r = client.PostStream(
      "http://store/api/v1/import", {{"Content-Type", "application/openmetrics-text"}},
      [&](std::string* chunk) {
        if (next == pieces.size()) return false;
        *chunk = pieces[next++];
        return true;
      },
      absl::Seconds(30));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "imported");

  // A failing source: recorded with what it produced, its error returned, no scripted outcome used.
  client.AddResponse(200);
  int calls = 0;
  r = client.PostStream(
      "http://store/api/v1/import", {},
      [&](std::string* chunk) -> absl::StatusOr<bool> {
        if (calls++ == 1) return absl::DataLossError("read failed");
        *chunk = "partial";
        return true;
      },
      absl::Seconds(30));
  EXPECT_EQ(r.status(), absl::DataLossError("read failed"));
  EXPECT_EQ(client.pending(), 1u);

  std::vector<RecordedRequest> requests = client.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].url, "http://store/api/v1/import");
  EXPECT_EQ(requests[0].body, "# TYPE up gauge\nup 1\n# EOF\n");
  EXPECT_TRUE(requests[0].streamed);
  EXPECT_EQ(requests[0].timeout, absl::Seconds(30));
  EXPECT_EQ(requests[1].body, "partial");
}

TEST(FakeClientTest, ResponderAnswersWhenTheScriptIsEmpty) {
  FakeClient client;
  client.AddResponse(500);
  client.SetResponder([](const RecordedRequest& req) -> absl::StatusOr<ClientResponse> {
    ClientResponse r;
    r.status = 200;
    r.body = "echo:" + req.body;
    return r;
  });
  absl::StatusOr<ClientResponse> r = client.Post("http://x/", {}, "a", absl::Seconds(1));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 500);
  r = client.Post("http://x/", {}, "b", absl::Seconds(1));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "echo:b");
}

}  // namespace
}  // namespace vigil::http
