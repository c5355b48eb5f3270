#include "wire/otlp/decode_common.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "model/labels.h"

namespace vigil::wire::otlp::internal {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if the bytes there are not one (overlong forms, surrogates
// and code points above U+10FFFF are invalid, as in model/labels' IsValidUtf8).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto c0 = static_cast<unsigned char>(s[i]);
  if (c0 < 0x80) return 1;
  auto cont = [&](size_t k) { return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80; };
  if (c0 >= 0xC2 && c0 <= 0xDF) return cont(1) ? 2 : 0;
  if (c0 >= 0xE0 && c0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    const auto c1 = static_cast<unsigned char>(s[i + 1]);
    if (c0 == 0xE0 && c1 < 0xA0) return 0;   // overlong
    if (c0 == 0xED && c1 >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c0 >= 0xF0 && c0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const auto c1 = static_cast<unsigned char>(s[i + 1]);
    if (c0 == 0xF0 && c1 < 0x90) return 0;   // overlong
    if (c0 == 0xF4 && c1 >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

void AssignBoundedUtf8(std::string_view in, size_t max_bytes, std::string* out) {
  if (in.size() <= max_bytes && IsValidUtf8(in)) {
    out->assign(in.data(), in.size());
    return;
  }
  out->clear();
  constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  size_t i = 0;
  while (i < in.size()) {
    size_t n = Utf8SequenceLength(in, i);
    std::string_view piece = n == 0 ? kReplacement : in.substr(i, n);
    if (out->size() + piece.size() > max_bytes) break;
    out->append(piece.data(), piece.size());
    i += n == 0 ? 1 : n;
  }
}

void AssignBoundedBytes(std::string_view in, size_t max_bytes, std::string* out) {
  if (in.size() > max_bytes) in = in.substr(0, max_bytes);
  out->assign(in.data(), in.size());
}

void AcceptOrReject(Span&& span, std::string_view where, DecodedSpans* out) {
  const char* why = nullptr;
  if (span.trace_id.IsZero()) {
    why = "trace id is missing or all zero";
  } else if (span.span_id.IsZero()) {
    why = "span id is missing or all zero";
  }
  if (why == nullptr) {
    out->spans.push_back(std::move(span));
    return;
  }
  if (out->rejected_spans == 0) out->rejection_message = absl::StrCat(std::string(where), ": ", why);
  ++out->rejected_spans;
}

}  // namespace vigil::wire::otlp::internal
