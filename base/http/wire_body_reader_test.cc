#include "base/http/wire_body_reader.h"

#include <sys/socket.h>
#include <unistd.h>

#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/http/connection_stream.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::http::internal {
namespace {

using ::testing::HasSubstr;

// A connected socket pair: the test writes the client's bytes into `client`, the reader reads `server` through
// a ConnectionStream, as the HTTP server does.
class WireBodyReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    client_ = fds[0];
    server_ = fds[1];
    stream_ = std::make_unique<ConnectionStream>(server_, absl::Seconds(30), absl::Seconds(30));
    stream_->StartRequest(std::numeric_limits<size_t>::max());
  }
  void TearDown() override {
    if (writer_.joinable()) writer_.join();
    stream_.reset();
    if (client_ >= 0) ::close(client_);
    ::close(server_);
  }

  // Sends `bytes` as the client (on a thread, so a body larger than the socket buffer does not block the test).
  void Send(std::string bytes) {
    if (writer_.joinable()) writer_.join();
    writer_ = std::thread([this, bytes = std::move(bytes)] {
      size_t sent = 0;
      while (sent < bytes.size()) {
        ssize_t n = ::send(client_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;
        sent += static_cast<size_t>(n);
      }
    });
  }
  void SendAndClose(std::string bytes) {
    Send(std::move(bytes));
    writer_.join();
    ::shutdown(client_, SHUT_WR);
  }

  // Reads the body to its end; checks every piece is non-empty and at most `max_piece`.
  static std::string ReadAll(WireBodyReader& reader, size_t max_piece = kMaxBodyPiece) {
    std::string all, piece;
    while (reader.Read(&piece)) {
      EXPECT_FALSE(piece.empty());
      EXPECT_LE(piece.size(), max_piece);
      all += piece;
    }
    return all;
  }
  // What the stream holds after the body: the next request's first bytes.
  std::string Next(size_t n) {
    std::string out(n, '\0');
    size_t got = 0;
    while (got < n) {
      ssize_t r = stream_->read(out.data() + got, n - got);
      if (r <= 0) break;
      got += static_cast<size_t>(r);
    }
    out.resize(got);
    return out;
  }

  int client_ = -1;
  int server_ = -1;
  std::unique_ptr<ConnectionStream> stream_;
  std::thread writer_;
};

TEST_F(WireBodyReaderTest, ContentLengthBodyStopsAtItsEnd) {
  Send("hello, worldGET /next");
  WireBodyReader reader = WireBodyReader::WithLength(stream_.get(), 12);
  EXPECT_EQ(ReadAll(reader), "hello, world");
  EXPECT_TRUE(reader.status().ok()) << reader.status();
  EXPECT_TRUE(reader.finished());
  EXPECT_EQ(reader.body_bytes(), 12u);
  EXPECT_EQ(Next(9), "GET /next");

  WireBodyReader empty = WireBodyReader::WithLength(stream_.get(), 0);
  std::string piece;
  EXPECT_FALSE(empty.Read(&piece));
  EXPECT_TRUE(empty.finished());
}

TEST_F(WireBodyReaderTest, LargeBodyComesInBoundedPieces) {
  std::string body;
  for (int i = 0; body.size() < (3 << 20); ++i) absl::StrAppend(&body, i, ",");
  Send(body);
  WireBodyReader reader = WireBodyReader::WithLength(stream_.get(), body.size(), 100000);
  EXPECT_EQ(ReadAll(reader, 100000), body);
  EXPECT_TRUE(reader.finished());
}

TEST_F(WireBodyReaderTest, ChunkedBodyWithExtensionsTrailersAndBareLineFeeds) {
  Send(
      "5\r\nhello\r\n"
      "7;name=value;x\r\n, world\r\n"
      "A \t; ext\r\n0123456789\r\n"
      "1\n!\n"
      "000\r\n"
      "Trailer-One: 1\r\n"
      "Trailer-Two: 2\r\n"
      "\r\n"
      "POST /next");
  WireBodyReader reader = WireBodyReader::Chunked(stream_.get());
  EXPECT_EQ(ReadAll(reader), "hello, world0123456789!");
  EXPECT_TRUE(reader.status().ok()) << reader.status();
  EXPECT_TRUE(reader.finished());
  EXPECT_EQ(Next(10), "POST /next");
}

TEST_F(WireBodyReaderTest, LargeChunksComeInBoundedPieces) {
  std::string body(300000, 'q');
  std::string wire;
  for (size_t i = 0; i < body.size(); i += 70000) {
    size_t n = std::min<size_t>(70000, body.size() - i);
    absl::StrAppend(&wire, absl::Hex(n), "\r\n", body.substr(i, n), "\r\n");
  }
  wire += "0\r\n\r\n";
  Send(wire);
  WireBodyReader reader = WireBodyReader::Chunked(stream_.get(), 50000);
  EXPECT_EQ(ReadAll(reader, 50000), body);
  EXPECT_TRUE(reader.finished());
}

TEST_F(WireBodyReaderTest, ReadReturnsWhatHasArrivedWithoutWaitingForMore) {
  Send("3\r\nabc\r\n");
  writer_.join();
  WireBodyReader reader = WireBodyReader::Chunked(stream_.get());
  std::string piece;
  // With a 30 s read timeout, waiting here for the next chunk would hang the test.
  ASSERT_TRUE(reader.Read(&piece));
  EXPECT_EQ(piece, "abc");
  EXPECT_FALSE(reader.finished());
  Send("2\r\nde\r\n0\r\n\r\n");
  EXPECT_EQ(ReadAll(reader), "de");
  EXPECT_TRUE(reader.finished());
}

TEST_F(WireBodyReaderTest, MalformedChunkedFramingIsInvalidArgument) {
  struct Case {
    std::string wire;
    std::string message;
  };
  std::string many_trailers = "0\r\n";
  for (int i = 0; i < 17; ++i) absl::StrAppend(&many_trailers, "X-T: ", std::string(4000, 'T'), "\r\n");
  std::vector<Case> cases = {
      {"zz\r\n", "invalid chunk-size line \"zz\" after 0 body bytes"},
      {"\r\n", "invalid chunk-size line \"\""},
      {"5x\r\nhello\r\n", "invalid chunk-size line \"5x\""},
      {"3\r\nabcX\r\n", "chunk data not followed by CRLF (found \"X\") after 3 body bytes"},
      {"11112222333344445\r\n", "chunk size \"11112222333344445\" too large"},
      {std::string(5000, '1'), "chunk-size line longer than 4096 bytes"},
      {"0\r\n" + std::string(70000, 'T') + "\r\n", "trailer field longer than 4096 bytes"},
      {many_trailers, "trailer fields longer than 65536 bytes"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    std::thread writer([&] {
      // Some cases fail before everything is read; the rest of the bytes are dropped with the socket.
      ::send(fds[0], c.wire.data(), c.wire.size(), MSG_NOSIGNAL);
      ::shutdown(fds[0], SHUT_WR);
    });
    ConnectionStream stream(fds[1], absl::Seconds(30), absl::Seconds(30));
    stream.StartRequest(std::numeric_limits<size_t>::max());
    WireBodyReader reader = WireBodyReader::Chunked(&stream);
    ReadAll(reader);
    EXPECT_TRUE(absl::IsInvalidArgument(reader.status())) << reader.status();
    EXPECT_THAT(reader.status().message(), HasSubstr(c.message));
    EXPECT_FALSE(reader.finished());
    ::close(fds[1]);
    writer.join();
    ::close(fds[0]);
  }
}

TEST_F(WireBodyReaderTest, ClientClosingMidBodyIsUnavailable) {
  SendAndClose("0123456789");
  WireBodyReader reader = WireBodyReader::WithLength(stream_.get(), 100);
  EXPECT_EQ(ReadAll(reader), "0123456789");
  EXPECT_TRUE(absl::IsUnavailable(reader.status())) << reader.status();
  EXPECT_THAT(reader.status().message(),
              HasSubstr("the client closed the connection in the body after 10 of 100 body bytes"));
  EXPECT_FALSE(reader.finished());
}

TEST_F(WireBodyReaderTest, ClientClosingInAChunkedFramingLineIsUnavailable) {
  SendAndClose("4\r\nabcd\r\n1");
  WireBodyReader reader = WireBodyReader::Chunked(stream_.get());
  EXPECT_EQ(ReadAll(reader), "abcd");
  EXPECT_TRUE(absl::IsUnavailable(reader.status())) << reader.status();
  EXPECT_THAT(reader.status().message(), HasSubstr("in a chunk-size line after 4 body bytes"));
}

TEST_F(WireBodyReaderTest, StreamReadLimitIsResourceExhausted) {
  stream_->StartRequest(1000);
  Send(std::string(5000, 'x'));
  WireBodyReader reader = WireBodyReader::WithLength(stream_.get(), 5000);
  EXPECT_EQ(ReadAll(reader).size(), 1000u);
  EXPECT_TRUE(absl::IsResourceExhausted(reader.status())) << reader.status();
  EXPECT_TRUE(stream_->limit_hit());
}

}  // namespace
}  // namespace vigil::http::internal
