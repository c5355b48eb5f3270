#include "agent/collectors/node/proc_text.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <charconv>

#include "absl/strings/str_cat.h"

namespace vigil::agent::node {

absl::Status FileReader::Read(const char* path, std::string_view* out) {
  *out = {};
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    std::string message = absl::StrCat("open ", path, ": ", strerror(err));
    if (err == ENOENT || err == ENOTDIR) return absl::NotFoundError(message);
    return absl::UnavailableError(message);
  }
  if (buf_.size() < 4096) buf_.resize(4096);
  size_t len = 0;
  while (true) {
    if (len == buf_.size()) buf_.resize(buf_.size() * 2);
    const ssize_t n = ::read(fd, buf_.data() + len, buf_.size() - len);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return absl::UnavailableError(absl::StrCat("read ", path, ": ", strerror(err)));
    }
    if (n == 0) break;
    len += static_cast<size_t>(n);
  }
  ::close(fd);
  *out = std::string_view(buf_.data(), len);
  return absl::OkStatus();
}

bool NextLine(std::string_view* text, std::string_view* line) {
  if (text->empty()) return false;
  const size_t nl = text->find('\n');
  if (nl == std::string_view::npos) {
    *line = *text;
    *text = {};
  } else {
    *line = text->substr(0, nl);
    text->remove_prefix(nl + 1);
  }
  return true;
}

namespace {
bool IsBlank(char c) { return c == ' ' || c == '\t'; }
}  // namespace

std::string_view NextField(std::string_view* text) {
  size_t i = 0;
  while (i < text->size() && IsBlank((*text)[i])) ++i;
  size_t j = i;
  while (j < text->size() && !IsBlank((*text)[j])) ++j;
  std::string_view field = text->substr(i, j - i);
  text->remove_prefix(j);
  return field;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (IsBlank(s.front()) || s.front() == '\n' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (IsBlank(s.back()) || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool ParseUint(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool ParseInt(std::string_view s, int64_t* out) {
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    uint64_t v = 0;
    const auto [ptr, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), v, 16);
    if (ec != std::errc() || ptr != s.data() + s.size()) return false;
    *out = static_cast<int64_t>(v);
    return true;
  }
  if (s.empty()) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool ParseDouble(std::string_view s, double* out) {
  if (s.empty()) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

void JoinPathInto(std::string_view base, std::string_view rel, std::string* out) {
  out->assign(base);
  while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
  if (rel.empty()) return;
  if (out->empty() || out->back() != '/') out->push_back('/');
  out->append(rel);
}

}  // namespace vigil::agent::node
