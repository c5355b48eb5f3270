#include "base/http/body_reader.h"

#include <zlib.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "base/http/gzip.h"
#include "base/http/inflating_body_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::http {
namespace {

using ::testing::HasSubstr;

// Bytes that do not compress to nothing: a simple generator, so the tests need no data files.
std::string Noise(size_t n, uint64_t seed = 1) {
  std::string s(n, '\0');
  uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
  for (char& c : s) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>('a' + x % 16);  // Half-compressible text.
  }
  return s;
}

// Reads `reader` to its end; records the size of every piece.
std::string ReadAll(BodyReader& reader, std::vector<size_t>* sizes = nullptr) {
  std::string all;
  std::string piece = "stale";
  while (reader.Read(&piece)) {
    EXPECT_FALSE(piece.empty());
    if (sizes != nullptr) sizes->push_back(piece.size());
    all += piece;
  }
  EXPECT_TRUE(piece.empty());
  return all;
}

// Gives its pieces, then fails with `error` (or ends if it is OK).
class ScriptedReader final : public BodyReader {
 public:
  ScriptedReader(std::vector<std::string> pieces, absl::Status error = absl::OkStatus())
      : pieces_(std::move(pieces)), error_(std::move(error)) {}
  bool Read(std::string* out) override {
    out->clear();
    if (next_ >= pieces_.size()) {
      ended_ = true;
      return false;
    }
    *out = pieces_[next_++];
    return true;
  }
  absl::Status status() const override { return ended_ ? error_ : absl::OkStatus(); }

 private:
  std::vector<std::string> pieces_;
  absl::Status error_;
  size_t next_ = 0;
  bool ended_ = false;
};

// Splits `s` into pieces of `n` bytes.
std::vector<std::string> Split(const std::string& s, size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size(); i += n) out.push_back(s.substr(i, n));
  return out;
}

std::string Gzip(const std::string& s) {
  absl::StatusOr<std::string> gz = GzipCompress(s);
  EXPECT_TRUE(gz.ok()) << gz.status();
  return gz.ok() ? *gz : "";
}

TEST(StringBodyReaderTest, ServesTheStringInPiecesThenEnds) {
  StringBodyReader reader("abcdefghij", 4);
  std::vector<size_t> sizes;
  EXPECT_EQ(ReadAll(reader, &sizes), "abcdefghij");
  EXPECT_THAT(sizes, testing::ElementsAre(4, 4, 2));
  EXPECT_TRUE(reader.status().ok());
  std::string piece;
  EXPECT_FALSE(reader.Read(&piece));

  StringBodyReader empty("");
  EXPECT_FALSE(empty.Read(&piece));
  EXPECT_TRUE(empty.status().ok());
}

TEST(LimitedBodyReaderTest, AllowsExactlyTheLimitAndFailsPastIt) {
  StringBodyReader at_limit(std::string(10, 'x'), 3);
  LimitedBodyReader ok(&at_limit, 10);
  EXPECT_EQ(ReadAll(ok).size(), 10u);
  EXPECT_TRUE(ok.status().ok());
  EXPECT_FALSE(ok.limit_exceeded());

  // Known to be over the limit once a piece is cut, though not yet reported.
  StringBodyReader one_piece(std::string(11, 'x'));
  LimitedBodyReader cut(&one_piece, 10);
  std::string piece;
  ASSERT_TRUE(cut.Read(&piece));
  EXPECT_EQ(piece.size(), 10u);
  EXPECT_TRUE(cut.limit_exceeded());
  EXPECT_TRUE(cut.status().ok());
  EXPECT_FALSE(cut.Read(&piece));
  EXPECT_TRUE(absl::IsResourceExhausted(cut.status()));

  StringBodyReader over(std::string(11, 'x'), 3);
  LimitedBodyReader limited(&over, 10);
  // 3 + 3 + 3 pass; the piece that would make 12 is cut to 1, then the reader fails.
  std::vector<size_t> sizes;
  EXPECT_EQ(ReadAll(limited, &sizes).size(), 10u);
  EXPECT_THAT(sizes, testing::ElementsAre(3, 3, 3, 1));
  EXPECT_TRUE(limited.limit_exceeded());
  EXPECT_EQ(limited.bytes_read(), 10u);
  EXPECT_EQ(limited.status(), absl::ResourceExhaustedError("request body too large: limit is 10 bytes"));
  EXPECT_FALSE(limited.Read(&piece));

  StringBodyReader big(std::string(1000, 'x'));
  LimitedBodyReader unlimited(&big, 0);
  EXPECT_EQ(ReadAll(unlimited).size(), 1000u);
  EXPECT_TRUE(unlimited.status().ok());
}

TEST(LimitedBodyReaderTest, PassesTheSourceErrorOn) {
  ScriptedReader source({"ab"}, absl::UnavailableError("connection closed"));
  LimitedBodyReader limited(&source, 100);
  EXPECT_EQ(ReadAll(limited), "ab");
  EXPECT_EQ(limited.status(), absl::UnavailableError("connection closed"));
  EXPECT_FALSE(limited.limit_exceeded());
}

TEST(InflatingBodyReaderTest, DecodesGzipFromAnyPieceSizesIntoBoundedPieces) {
  const std::string text = Noise(300000);
  const std::string gz = Gzip(text);
  for (size_t in_piece : {size_t{1}, size_t{7}, size_t{4096}, gz.size()}) {
    SCOPED_TRACE(in_piece);
    ScriptedReader source(Split(gz, in_piece));
    InflatingBodyReader reader(&source, InflatingBodyReader::Format::kGzip, 10000);
    std::vector<size_t> sizes;
    EXPECT_EQ(ReadAll(reader, &sizes), text);
    EXPECT_TRUE(reader.status().ok()) << reader.status();
    for (size_t s : sizes) EXPECT_LE(s, 10000u);
  }
}

TEST(InflatingBodyReaderTest, DecodesConcatenatedGzipMembersEvenWithTheMagicSplit) {
  const std::string a = Noise(5000, 1), b = Noise(7000, 2);
  const std::string gz = Gzip(a) + Gzip(b);
  // Split right after the first byte of the second member's magic number.
  const size_t cut = Gzip(a).size() + 1;
  ScriptedReader source({gz.substr(0, cut), gz.substr(cut)});
  InflatingBodyReader reader(&source, InflatingBodyReader::Format::kGzip);
  EXPECT_EQ(ReadAll(reader), a + b);
  EXPECT_TRUE(reader.status().ok()) << reader.status();
}

TEST(InflatingBodyReaderTest, DecodesDeflateAsZlib) {
  const std::string text = Noise(50000);
  std::string z(compressBound(text.size()), '\0');
  uLongf z_size = z.size();
  ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(z.data()), &z_size, reinterpret_cast<const Bytef*>(text.data()),
                      text.size(), 6),
            Z_OK);
  z.resize(z_size);
  ScriptedReader source(Split(z, 999));
  InflatingBodyReader reader(&source, InflatingBodyReader::Format::kZlib);
  EXPECT_EQ(ReadAll(reader), text);
  EXPECT_TRUE(reader.status().ok()) << reader.status();

  ScriptedReader trailing({z + "x"});
  InflatingBodyReader bad(&trailing, InflatingBodyReader::Format::kZlib);
  ReadAll(bad);
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status())) << bad.status();
  EXPECT_THAT(bad.status().message(), HasSubstr("after the zlib stream at compressed offset"));
}

TEST(InflatingBodyReaderTest, BombExpandsOnlyPieceByPiece) {
  // 50 MB of zeros gzip to ~50 KB; every piece stays at the cap, and a limit stops it early.
  const std::string gz = Gzip(std::string(50 << 20, '\0'));
  ASSERT_LT(gz.size(), 100u << 10);
  ScriptedReader source({gz});
  InflatingBodyReader reader(&source, InflatingBodyReader::Format::kGzip, 64 << 10);
  LimitedBodyReader limited(&reader, 1 << 20);
  std::vector<size_t> sizes;
  EXPECT_EQ(ReadAll(limited, &sizes).size(), 1u << 20);
  EXPECT_TRUE(limited.limit_exceeded());
  for (size_t s : sizes) EXPECT_LE(s, 64u << 10);
}

TEST(InflatingBodyReaderTest, CorruptTruncatedTrailingAndEmptyBodiesAreInvalid) {
  const std::string gz = Gzip(Noise(20000));
  struct Case {
    std::string name;
    std::string body;
    std::string message;
  };
  std::string corrupt = gz;
  corrupt[gz.size() / 2] ^= 0x55;
  corrupt[gz.size() / 2 + 1] ^= 0x55;
  std::vector<Case> cases = {
      {"not gzip", "plain text, not gzip", "corrupt data near compressed offset 0"},
      {"corrupt", corrupt, "gzip request body: corrupt data"},
      {"truncated", gz.substr(0, gz.size() - 10),
       absl::StrCat("unexpected end of the body after ", gz.size() - 10, " compressed bytes")},
      {"trailing", gz + "junk", absl::StrCat("unexpected data after the gzip stream at compressed offset ", gz.size())},
      {"one trailing byte", gz + "\x1f", "unexpected data after the gzip stream"},
      {"empty", "", "unexpected end of the body after 0 compressed bytes"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedReader source(c.body.empty() ? std::vector<std::string>{} : Split(c.body, 1000));
    InflatingBodyReader reader(&source, InflatingBodyReader::Format::kGzip);
    ReadAll(reader);
    EXPECT_TRUE(absl::IsInvalidArgument(reader.status())) << reader.status();
    EXPECT_THAT(reader.status().message(), HasSubstr(c.message));
    std::string piece;
    EXPECT_FALSE(reader.Read(&piece));
  }
}

TEST(InflatingBodyReaderTest, PassesTheSourceErrorOnUnchanged) {
  const std::string gz = Gzip(Noise(20000));
  ScriptedReader source({gz.substr(0, 100)}, absl::UnavailableError("client went away"));
  InflatingBodyReader reader(&source, InflatingBodyReader::Format::kGzip);
  ReadAll(reader);
  EXPECT_EQ(reader.status(), absl::UnavailableError("client went away"));
}

TEST(InflatingBodyReaderTest, FormatOfContentEncodings) {
  InflatingBodyReader::Format format;
  EXPECT_TRUE(InflatingBodyReader::FormatOf("gzip", &format));
  EXPECT_EQ(format, InflatingBodyReader::Format::kGzip);
  EXPECT_TRUE(InflatingBodyReader::FormatOf(" X-GZIP ", &format));
  EXPECT_EQ(format, InflatingBodyReader::Format::kGzip);
  EXPECT_TRUE(InflatingBodyReader::FormatOf("Deflate", &format));
  EXPECT_EQ(format, InflatingBodyReader::Format::kZlib);
  for (const char* other : {"", "identity", "br", "snappy", "gzip, br"}) {
    EXPECT_FALSE(InflatingBodyReader::FormatOf(other, &format)) << other;
  }
}

}  // namespace
}  // namespace vigil::http
