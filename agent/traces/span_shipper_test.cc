#include "agent/traces/span_shipper.h"

#include <memory>
#include <string>
#include <vector>

#include "base/clock/clock.h"
#include "base/fs/in_memory_file_system.h"
#include "base/http/fake_client.h"
#include "exporters/queue/disk_queue.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wire/otlp/decode_proto.h"

namespace vigil::agent {
namespace {

using ::testing::Contains;
using ::testing::Pair;

std::string StringAttr(const Resource& r, std::string_view key) {
  const AnyValue* v = FindAttribute(r.attributes, key);
  return v != nullptr ? v->ToString() : "<none>";
}

std::shared_ptr<const Resource> MakeResource(std::vector<KeyValue> attributes) {
  Resource r;
  r.attributes = std::move(attributes);
  return std::make_shared<const Resource>(std::move(r));
}

Span MakeSpan(std::shared_ptr<const Resource> resource, uint8_t id) {
  Span s;
  s.trace_id.bytes[15] = 1;
  s.span_id.bytes[7] = id;
  s.name = "GET /cart";
  s.start_time_unix_nano = 1700000000000000000;
  s.end_time_unix_nano = s.start_time_unix_nano + 5000000;
  s.resource = std::move(resource);
  return s;
}

TEST(WithKubernetesAttributesTest, AddsWhatIsMissingAndKeepsTheSendersOwn) {
  std::shared_ptr<const Resource> resource =
      MakeResource({{"service.name", AnyValue::String("cart")}, {"k8s.pod.name", AnyValue::String("own")}});
  discovery::ContainerInfo who;
  who.pod = "cart-7d9c";
  who.namespace_name = "shop";
  who.pod_uid = "uid-1";
  who.container = "app";
  std::shared_ptr<const Resource> r = WithKubernetesAttributes(resource, &who, /*whole_pod=*/false, "node-a");
  EXPECT_EQ(StringAttr(*r, "k8s.node.name"), "node-a");
  EXPECT_EQ(StringAttr(*r, "k8s.namespace.name"), "shop");
  EXPECT_EQ(StringAttr(*r, "k8s.pod.name"), "own");  // The sender's own value wins.
  EXPECT_EQ(StringAttr(*r, "k8s.pod.uid"), "uid-1");
  EXPECT_EQ(StringAttr(*r, "k8s.container.name"), "app");
  EXPECT_EQ(StringAttr(*resource, "k8s.node.name"), "<none>");  // The shared original is untouched.

  // By pod IP only the pod is known.
  r = WithKubernetesAttributes(resource, &who, /*whole_pod=*/true, "");
  EXPECT_EQ(StringAttr(*r, "k8s.container.name"), "<none>");
  // Nothing to add: the same object back.
  EXPECT_EQ(WithKubernetesAttributes(resource, nullptr, false, ""), resource);
  // No resource at all gets one.
  r = WithKubernetesAttributes(nullptr, nullptr, false, "node-a");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(StringAttr(*r, "k8s.node.name"), "node-a");
}

class SpanShipperTest : public ::testing::Test {
 protected:
  std::unique_ptr<exporters::QueuedSender> OpenSender(const std::string& dir) {
    exporters::QueuedSenderOptions o;
    o.protocol = OtlpTracesProtocol();
    o.url = "http://store:9201/v1/traces";
    o.queue_dir = dir;
    auto s = exporters::QueuedSender::Open(o, &client_, &fs_, &clock_, nullptr);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }

  InMemoryFileSystem fs_;
  FakeClock clock_;
  http::FakeClient client_;
};

TEST_F(SpanShipperTest, QueuesOneOtlpRequestPerDestinationAndDeliversIt) {
  std::unique_ptr<exporters::QueuedSender> a = OpenSender("/q/a");
  std::unique_ptr<exporters::QueuedSender> b = OpenSender("/q/b");
  SpanShipper shipper({a.get(), b.get()}, nullptr, "node-a");
  auto resource = MakeResource({{"service.name", AnyValue::String("cart")}});
  ASSERT_TRUE(shipper.ConsumeFrom("127.0.0.1:5000", {MakeSpan(resource, 1), MakeSpan(resource, 2)}).ok());
  EXPECT_EQ(a->queue()->stats().items, 2u);
  EXPECT_EQ(b->queue()->stats().items, 2u);
  EXPECT_TRUE(shipper.Consume({}).ok());
  EXPECT_EQ(a->queue()->stats().records, 1u);  // An empty request queues nothing.

  client_.AddResponse(200);
  a->Start();
  ASSERT_TRUE(a->queue()->WaitUntilEmpty());
  a->Stop();
  std::vector<http::RecordedRequest> reqs = client_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].url, "http://store:9201/v1/traces");
  EXPECT_THAT(reqs[0].headers, Contains(Pair("Content-Type", "application/x-protobuf")));
  absl::StatusOr<wire::otlp::DecodedSpans> decoded = wire::otlp::DecodeTracesProto(reqs[0].body);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->spans.size(), 2u);
  EXPECT_EQ(decoded->spans[1].span_id.bytes[7], 2);
  EXPECT_EQ(StringAttr(*decoded->spans[0].resource, "service.name"), "cart");
  EXPECT_EQ(StringAttr(*decoded->spans[0].resource, "k8s.node.name"), "node-a");
}

TEST_F(SpanShipperTest, AFullDiskAsksTheClientToRetry) {
  std::unique_ptr<exporters::QueuedSender> a = OpenSender("/q/a");
  SpanShipper shipper({a.get()}, nullptr, "");
  fs_.SetWriteError(absl::ResourceExhaustedError("disk full"));
  absl::Status s = shipper.Consume({MakeSpan(nullptr, 1)});
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  fs_.SetWriteError(absl::OkStatus());
}

}  // namespace
}  // namespace vigil::agent
