#include "model/symbol_table.h"

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/labels.h"

namespace vigil {
namespace {

TEST(SymbolTableTest, InternIsIdempotentAndDense) {
  SymbolTable t;
  EXPECT_EQ(t.size(), 0u);
  const uint32_t a = t.Intern("alpha");
  const uint32_t b = t.Intern("beta");
  EXPECT_EQ(a, 0u);
  EXPECT_EQ(b, 1u);
  EXPECT_EQ(t.Intern("alpha"), a);
  EXPECT_EQ(t.Intern(std::string("be") + "ta"), b);
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.Lookup(a), "alpha");
  EXPECT_EQ(t.Lookup(b), "beta");
}

TEST(SymbolTableTest, FindDoesNotIntern) {
  SymbolTable t;
  EXPECT_EQ(t.Find("x"), std::nullopt);
  EXPECT_EQ(t.size(), 0u);
  const uint32_t id = t.Intern("x");
  EXPECT_EQ(t.Find("x"), id);
}

TEST(SymbolTableTest, EmptyStringAndUnknownIds) {
  SymbolTable t;
  const uint32_t e = t.Intern("");
  EXPECT_EQ(t.Lookup(e), "");
  EXPECT_EQ(t.Intern(""), e);
  EXPECT_EQ(t.Lookup(12345), "");
  EXPECT_EQ(t.Lookup(0xFFFFFFFFu), "");
}

TEST(SymbolTableTest, ViewsStayValidAcrossGrowth) {
  SymbolTable t;
  std::vector<std::string_view> views;
  std::vector<std::string> expected;
  // Enough strings to fill several arena blocks and id chunks, with some longer than a block's large-string limit.
  for (int i = 0; i < 50000; ++i) {
    std::string s = absl::StrCat("series_", i, "_", std::string(i % 37, 'x'));
    if (i % 5000 == 0) s += std::string(20000, 'L');
    const uint32_t id = t.Intern(s);
    ASSERT_EQ(id, static_cast<uint32_t>(i));
    views.push_back(t.Lookup(id));
    expected.push_back(std::move(s));
  }
  // ASan reports any view into memory that moved or was freed.
  for (size_t i = 0; i < views.size(); ++i) {
    ASSERT_EQ(views[i], expected[i]) << i;
    ASSERT_EQ(views[i].data(), t.Lookup(static_cast<uint32_t>(i)).data());
  }
  EXPECT_GT(t.MemoryBytes(), 50000u * 10);
}

TEST(SymbolTableTest, ConcurrentInterningAgrees) {
  SymbolTable t;
  constexpr int kThreads = 8;
  constexpr int kStrings = 5000;
  std::vector<std::vector<uint32_t>> ids(kThreads, std::vector<uint32_t>(kStrings));
  std::vector<std::thread> threads;
  for (int w = 0; w < kThreads; ++w) {
    threads.emplace_back([&t, &ids, w] {
      // Every thread interns the same strings in a different order and reads back as it goes.
      for (int k = 0; k < kStrings; ++k) {
        const int i = (k * 7919 + w * 131) % kStrings;
        const std::string s = absl::StrCat("s", i);
        const uint32_t id = t.Intern(s);
        ids[w][i] = id;
        if (t.Lookup(id) != s) ADD_FAILURE() << "lookup of " << s;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(t.size(), static_cast<size_t>(kStrings));
  std::set<uint32_t> distinct;
  for (int i = 0; i < kStrings; ++i) {
    for (int w = 1; w < kThreads; ++w) ASSERT_EQ(ids[w][i], ids[0][i]) << i;
    EXPECT_EQ(t.Lookup(ids[0][i]), absl::StrCat("s", i));
    distinct.insert(ids[0][i]);
  }
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kStrings));
  EXPECT_EQ(*distinct.rbegin(), static_cast<uint32_t>(kStrings - 1));  // dense
}

TEST(SymbolTableTest, ConcurrentLabelsInterning) {
  SymbolTable t;
  std::vector<Labels> sets;
  for (int i = 0; i < 500; ++i) {
    sets.push_back(Labels{{"__name__", "m"}, {"job", absl::StrCat("j", i % 7)}, {"instance", absl::StrCat("i", i)}});
  }
  std::vector<std::vector<InternedLabels>> out(4);
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      for (const Labels& l : sets) out[w].push_back(t.Intern(l));
    });
  }
  for (auto& th : threads) th.join();
  for (size_t i = 0; i < sets.size(); ++i) {
    for (int w = 1; w < 4; ++w) ASSERT_EQ(out[w][i], out[0][i]);
    ASSERT_EQ(t.Materialize(out[0][i]), sets[i]);
  }
}

TEST(InternedLabelsTest, RoundTrip) {
  SymbolTable t;
  const Labels l = {{"__name__", "http_requests_total"}, {"job", "api"}, {"code", "200"}, {"method", "GET"}};
  const InternedLabels il = t.Intern(l);
  EXPECT_EQ(il.size(), l.size());
  EXPECT_EQ(il.Hash(), l.Hash());
  for (size_t i = 0; i < l.size(); ++i) {
    EXPECT_EQ(t.Lookup(il.name_id(i)), l[i].name);
    EXPECT_EQ(t.Lookup(il.value_id(i)), l[i].value);
  }
  const Labels back = t.Materialize(il);
  EXPECT_EQ(back, l);
  EXPECT_EQ(back.Hash(), l.Hash());
  EXPECT_EQ(back.ToString(), l.ToString());
  EXPECT_EQ(t.Materialize(t.Intern(Labels())), Labels());
}

TEST(InternedLabelsTest, SharesSymbolsBetweenSets) {
  SymbolTable t;
  t.Intern(Labels{{"job", "api"}, {"instance", "a"}});
  const size_t before = t.size();
  t.Intern(Labels{{"job", "api"}, {"instance", "b"}});
  EXPECT_EQ(t.size(), before + 1);
  // A name that is also a value is one symbol.
  t.Intern(Labels{{"x", "x"}});
  EXPECT_EQ(t.size(), before + 2);
}

TEST(InternedLabelsTest, EqualityAndHashingFollowLabels) {
  SymbolTable t;
  const Labels a = {{"a", "bc"}};
  const Labels b = {{"ab", "c"}};
  const InternedLabels ia = t.Intern(a);
  const InternedLabels ia2 = t.Intern(Labels{{"a", "bc"}});
  const InternedLabels ib = t.Intern(b);
  EXPECT_EQ(ia, ia2);
  EXPECT_NE(ia, ib);
  EXPECT_EQ(absl::Hash<InternedLabels>()(ia), absl::Hash<Labels>()(a));
  EXPECT_EQ(absl::Hash<InternedLabels>()(ib), absl::Hash<Labels>()(b));

  absl::flat_hash_set<InternedLabels> set = {ia, ib};
  EXPECT_TRUE(set.contains(ia2));
  EXPECT_EQ(set.size(), 2u);

  InternedLabels copy = ia;
  EXPECT_EQ(copy, ia);
  InternedLabels moved = std::move(copy);
  EXPECT_EQ(moved, ia);
  EXPECT_TRUE(copy.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(copy, InternedLabels());
  EXPECT_GT(ia.MemoryBytes(), sizeof(InternedLabels));
}

}  // namespace
}  // namespace vigil
