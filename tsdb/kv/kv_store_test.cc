#include "tsdb/kv/kv_store.h"

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/kv/memory_kv_store.h"
#include "tsdb/kv/rocksdb_kv_store.h"

namespace vigil::kv {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

std::string TestDir(std::string name) {
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::filesystem::path dir = std::filesystem::path(tmp != nullptr ? tmp : "/tmp") / name;
  std::filesystem::remove_all(dir);
  return dir.string();
}

std::vector<std::pair<std::string, std::string>> Scan(KvStore& store, std::shared_ptr<Namespace> ns,
                                                      std::string upper = "") {
  std::vector<std::pair<std::string, std::string>> out;
  auto it = store.NewIterator(std::move(ns), ReadOptions{.upper_bound = std::move(upper)});
  for (it->SeekToFirst(); it->Valid(); it->Next()) out.emplace_back(it->key(), it->value());
  EXPECT_TRUE(it->status().ok()) << it->status();
  return out;
}

// Both implementations must behave alike where upper layers can tell.
class KvStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "memory") {
      store_ = std::make_unique<MemoryKvStore>();
    } else {
      auto opened = RocksKvStore::Open(
          TestDir(std::string("kv_") + ::testing::UnitTest::GetInstance()->current_test_info()->name()),
          RocksKvOptions{.block_cache_bytes = 1 << 20});
      ASSERT_TRUE(opened.ok()) << opened.status();
      store_ = *std::move(opened);
    }
  }

  std::unique_ptr<KvStore> store_;
};

TEST_P(KvStoreTest, PutGetDeleteAndOrder) {
  auto ns = store_->CreateNamespace("a");
  ASSERT_TRUE(ns.ok()) << ns.status();
  auto batch = store_->NewWriteBatch();
  batch->Put(**ns, "k2", "v2");
  batch->Put(**ns, "k1", "v1");
  batch->Put(**ns, "k3", "v3");
  batch->Put(**ns, std::string("k\0z", 3), "nul");
  EXPECT_EQ(batch->Count(), 4u);
  EXPECT_GT(batch->ApproximateBytes(), 0u);
  ASSERT_TRUE(store_->Write({}, batch.get()).ok());

  std::string value;
  ASSERT_EQ(*store_->Get(**ns, "k2", &value), true);
  EXPECT_EQ(value, "v2");
  EXPECT_EQ(*store_->Get(**ns, "nope", &value), false);
  EXPECT_THAT(Scan(*store_, *ns),
              ElementsAre(Pair(std::string("k\0z", 3), "nul"), Pair("k1", "v1"), Pair("k2", "v2"), Pair("k3", "v3")));
  EXPECT_THAT(Scan(*store_, *ns, "k2"), ElementsAre(Pair(std::string("k\0z", 3), "nul"), Pair("k1", "v1")));

  batch->Clear();
  batch->Delete(**ns, "k1");
  batch->DeleteRange(**ns, "k2", "k3");
  ASSERT_TRUE(store_->Write({.sync = true}, batch.get()).ok());
  EXPECT_THAT(Scan(*store_, *ns), ElementsAre(Pair(std::string("k\0z", 3), "nul"), Pair("k3", "v3")));

  auto it = store_->NewIterator(*ns, {});
  it->Seek("k");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), std::string("k\0z", 3));
  it->Seek("k4");
  EXPECT_FALSE(it->Valid());
}

TEST_P(KvStoreTest, NamespacesAreIndependentAndDroppable) {
  auto a = *store_->CreateNamespace("a");
  auto b = *store_->CreateNamespace("b");
  EXPECT_EQ(store_->CreateNamespace("a").status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->CreateNamespace("default").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->CreateNamespace("").status().code(), absl::StatusCode::kInvalidArgument);

  auto batch = store_->NewWriteBatch();
  batch->Put(*a, "k", "in a");
  batch->Put(*b, "k", "in b");
  batch->Put(*store_->DefaultNamespace(), "k", "in default");
  ASSERT_TRUE(store_->Write({}, batch.get()).ok());
  EXPECT_THAT(Scan(*store_, a), ElementsAre(Pair("k", "in a")));
  EXPECT_THAT(Scan(*store_, store_->DefaultNamespace()), ElementsAre(Pair("k", "in default")));

  std::vector<std::string> names;
  for (const auto& ns : store_->ListNamespaces()) names.push_back(ns->name());
  EXPECT_THAT(names, ElementsAre("a", "b"));

  // An iterator and a handle taken before the drop still read the data.
  auto it = store_->NewIterator(a, {});
  ASSERT_TRUE(store_->DropNamespace(*a).ok());
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value(), "in a");
  names.clear();
  for (const auto& ns : store_->ListNamespaces()) names.push_back(ns->name());
  EXPECT_THAT(names, ElementsAre("b"));
  EXPECT_FALSE(store_->DropNamespace(*store_->DefaultNamespace()).ok());

  // The name can be used again, starting empty.
  auto a2 = store_->CreateNamespace("a");
  ASSERT_TRUE(a2.ok()) << a2.status();
  EXPECT_TRUE(Scan(*store_, *a2).empty());
}

TEST_P(KvStoreTest, IteratorReadsSnapshot) {
  auto ns = *store_->CreateNamespace("a");
  auto batch = store_->NewWriteBatch();
  batch->Put(*ns, "1", "x");
  ASSERT_TRUE(store_->Write({}, batch.get()).ok());
  auto it = store_->NewIterator(ns, {});
  batch->Clear();
  batch->Put(*ns, "2", "y");
  ASSERT_TRUE(store_->Write({}, batch.get()).ok());
  int n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  EXPECT_EQ(n, 1);
  EXPECT_EQ(Scan(*store_, ns).size(), 2u);
}

TEST_P(KvStoreTest, FlushCompactAndSize) {
  auto ns = *store_->CreateNamespace("bulk");
  auto batch = store_->NewWriteBatch();
  for (int i = 0; i < 1000; ++i) batch->Put(*ns, "key" + std::to_string(i), std::string(100, 'a' + i % 26));
  ASSERT_TRUE(store_->Write({.disable_wal = true}, batch.get()).ok());
  ASSERT_TRUE(store_->Flush(*ns).ok());
  ASSERT_TRUE(store_->CompactRange(*ns).ok());
  auto size = store_->ApproximateSize(*ns);
  ASSERT_TRUE(size.ok()) << size.status();
  EXPECT_GT(*size, 0u);
  EXPECT_LT(*size, 200000u);
  EXPECT_EQ(Scan(*store_, ns).size(), 1000u);
}

TEST_P(KvStoreTest, ForeignHandlesAreRefused) {
  MemoryKvStore other;
  auto foreign = *other.CreateNamespace("x");
  auto batch = store_->NewWriteBatch();
  batch->Put(*foreign, "k", "v");
  absl::Status s = store_->Write({}, batch.get());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  std::string v;
  EXPECT_FALSE(store_->Get(*foreign, "k", &v).ok());
  auto it = store_->NewIterator(foreign, {});
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
}

INSTANTIATE_TEST_SUITE_P(Impls, KvStoreTest, ::testing::Values("memory", "rocksdb"));

TEST(RocksKvStoreTest, UnloggedWritesSurviveReopenAfterFlush) {
  const std::string dir = TestDir("reopen");
  {
    auto store = *RocksKvStore::Open(dir, {});
    auto ns = *store->CreateNamespace("p1");
    auto batch = store->NewWriteBatch();
    batch->Put(*ns, "a", "1");
    ASSERT_TRUE(store->Write({.disable_wal = true}, batch.get()).ok());
    ASSERT_TRUE(store->Flush(*ns).ok());
    batch->Clear();
    batch->Put(*store->DefaultNamespace(), "catalog", "p1");
    ASSERT_TRUE(store->Write({.sync = true}, batch.get()).ok());
  }
  auto store = RocksKvStore::Open(dir, {.compression = Compression::kLz4});
  ASSERT_TRUE(store.ok()) << store.status();
  auto namespaces = (*store)->ListNamespaces();
  ASSERT_EQ(namespaces.size(), 1u);
  EXPECT_EQ(namespaces[0]->name(), "p1");
  std::string v;
  ASSERT_TRUE(*(*store)->Get(*namespaces[0], "a", &v));
  EXPECT_EQ(v, "1");
  ASSERT_TRUE(*(*store)->Get(*(*store)->DefaultNamespace(), "catalog", &v));
  EXPECT_EQ(v, "p1");
  EXPECT_GT(*(*store)->TotalBytesOnDisk(), 0u);
  EXPECT_THAT((*store)->Property(*namespaces[0], "rocksdb.estimate-num-keys"), ::testing::Not(""));
}

TEST(RocksKvStoreTest, OpenErrorNamesTheDirectory) {
  const std::string dir = TestDir("missing") + "/not/there";
  auto store = RocksKvStore::Open(dir, {.create_if_missing = false});
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.status().message(), HasSubstr(dir));
}

TEST(RocksKvStoreTest, CompressionNames) {
  EXPECT_EQ(*ParseCompression("zstd"), Compression::kZstd);
  EXPECT_EQ(CompressionName(Compression::kLz4), "lz4");
  EXPECT_FALSE(ParseCompression("brotli").ok());
}

TEST(MemoryKvStoreTest, InjectedFailureChangesNothing) {
  MemoryKvStore store;
  auto ns = *store.CreateNamespace("a");
  store.SetFailure(absl::ResourceExhaustedError("disk full"));
  auto batch = store.NewWriteBatch();
  batch->Put(*ns, "k", "v");
  EXPECT_EQ(store.Write({}, batch.get()).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_FALSE(store.CreateNamespace("b").ok());
  EXPECT_FALSE(store.DropNamespace(*ns).ok());
  store.SetFailure(absl::OkStatus());
  std::string v;
  EXPECT_FALSE(*store.Get(*ns, "k", &v));
  EXPECT_TRUE(store.Write({}, batch.get()).ok());
  EXPECT_EQ(store.writes(), 1);
}

}  // namespace
}  // namespace vigil::kv
