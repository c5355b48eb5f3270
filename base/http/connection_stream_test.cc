#include "base/http/connection_stream.h"

#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace vigil::http::internal {
namespace {

class ConnectionStreamTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0); }
  void TearDown() override {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  // What the peer can read without waiting.
  std::string PeerReadsNow() {
    std::string got;
    char buf[1 << 16];
    for (;;) {
      const ssize_t n = ::recv(fds_[1], buf, sizeof(buf), MSG_DONTWAIT);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
    return got;
  }
  int fds_[2];
};

TEST_F(ConnectionStreamTest, SmallWritesAreGatheredUntilFlush) {
  ConnectionStream stream(fds_[0], absl::Seconds(5), absl::Seconds(5));
  ASSERT_EQ(stream.write("HTTP/1.1 200 OK\r\n\r\n", 19), 19);
  ASSERT_EQ(stream.write("body", 4), 4);
  EXPECT_EQ(PeerReadsNow(), "");
  ASSERT_TRUE(stream.Flush());
  EXPECT_EQ(PeerReadsNow(), "HTTP/1.1 200 OK\r\n\r\nbody");
  ASSERT_TRUE(stream.Flush());  // Nothing left: a no-op.
  EXPECT_EQ(PeerReadsNow(), "");
}

TEST_F(ConnectionStreamTest, AWriteThatWouldOverflowSendsEverythingInOrder) {
  ConnectionStream stream(fds_[0], absl::Seconds(5), absl::Seconds(5));
  const std::string big(100 << 10, 'x');
  ASSERT_EQ(stream.write("head:", 5), 5);
  std::string got;
  std::thread reader([&] {
    char buf[1 << 16];
    while (got.size() < 5 + big.size()) {
      const ssize_t n = ::recv(fds_[1], buf, sizeof(buf), 0);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
  });
  ASSERT_EQ(stream.write(big.data(), big.size()), static_cast<ssize_t>(big.size()));
  reader.join();
  EXPECT_EQ(got, "head:" + big);
}

// A client that sent "Expect: 100-continue" waits for the 100 before it sends the body: reading must send what
// was written first.
TEST_F(ConnectionStreamTest, ReadingSendsWhatWasWrittenFirst) {
  ConnectionStream stream(fds_[0], absl::Seconds(5), absl::Seconds(5));
  std::thread client([&] {
    char buf[64];
    const ssize_t n = ::recv(fds_[1], buf, sizeof(buf), 0);
    if (n > 0 && std::string(buf, static_cast<size_t>(n)) == "HTTP/1.1 100 Continue\r\n\r\n") {
      ::send(fds_[1], "body", 4, 0);
    }
  });
  const std::string cont = "HTTP/1.1 100 Continue\r\n\r\n";
  ASSERT_EQ(stream.write(cont.data(), cont.size()), static_cast<ssize_t>(cont.size()));
  char buf[16];
  const ssize_t n = stream.read(buf, sizeof(buf));
  client.join();
  ASSERT_EQ(n, 4);
  EXPECT_EQ(std::string(buf, 4), "body");
}

TEST_F(ConnectionStreamTest, FlushFailsWhenTheConnectionCannotSend) {
  ConnectionStream stream(fds_[0], absl::Seconds(5), absl::Seconds(5));
  ::close(fds_[1]);
  fds_[1] = ::dup(fds_[0]);  // Keeps TearDown's closes balanced; the stream's peer end is closed.
  ::shutdown(fds_[0], SHUT_WR);
  ASSERT_EQ(stream.write("x", 1), 1);
  EXPECT_FALSE(stream.Flush());
}

}  // namespace
}  // namespace vigil::http::internal
