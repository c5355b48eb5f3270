#include "agent/logs/tailer.h"

#include <fnmatch.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/discovery/pod_logs.h"
#include "agent/discovery/runtime_metadata.h"
#include "base/hash/crc32c.h"
#include "base/log/log.h"
#include "base/strings/absl_view.h"
#include "model/labels.h"
#include "wire/loki/label_string.h"

namespace vigil::agent::logs {
namespace {

// Bytes of a file's start its fingerprint covers, once the file is that long.
constexpr uint32_t kFingerprintBytes = 1024;
// Room for a record's framing (CRI header, JSON keys) beyond max_line_bytes before a record counts as stuck.
constexpr size_t kFramingSlack = 4096;
constexpr size_t kBlockBytes = 256 << 10;

bool HasGlob(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

std::string_view BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// The end of the longest prefix of `s` of at most `n` bytes that does not cut a UTF-8 sequence (when `s` is
// valid UTF-8 there; for other bytes, exactly n).
size_t PieceEnd(std::string_view s, size_t n) {
  if (n >= s.size()) return s.size();
  size_t end = n;
  for (int back = 0; back < 3 && end > 1 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80; ++back) --end;
  return (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80 ? n : end;
}

}  // namespace

std::string_view TextArena::Append(std::string_view s) {
  if (s.empty()) return {};
  if (cap_ - used_ < s.size()) {
    cap_ = std::max(kBlockBytes, s.size());
    blocks_.push_back(std::make_unique<char[]>(cap_));
    used_ = 0;
  }
  char* dst = blocks_.back().get() + used_;
  std::memcpy(dst, s.data(), s.size());
  used_ += s.size();
  bytes_ += s.size();
  return std::string_view(dst, s.size());
}

std::vector<wire::loki::PushStreamRef> LogBatch::PushStreams() const {
  std::vector<wire::loki::PushStreamRef> out;
  out.reserve(streams.size());
  for (const BatchStream& s : streams) out.push_back({s.labels, s.entries});
  return out;
}

struct Tailer::Metrics {
  metrics::Counter* bytes_read = nullptr;
  metrics::Counter* lines = nullptr;
  metrics::Counter* lines_split = nullptr;
  metrics::Counter* malformed = nullptr;
  metrics::Counter* rotations_rename = nullptr;
  metrics::Counter* rotations_truncate = nullptr;
  metrics::Counter* positions_errors = nullptr;
  metrics::Gauge* files = nullptr;
  metrics::Gauge* in_flight = nullptr;
};

struct Tailer::FileState {
  uint64_t id = 0;
  std::string path;
  LogFormat format = LogFormat::kCri;
  uint64_t device = 0;
  uint64_t inode = 0;
  uint32_t fingerprint_len = 0;
  uint32_t fingerprint = 0;
  std::unique_ptr<ReadableFile> file;
  // Label strings by LogStream (kUnknown: malformed lines, no stream label).
  std::string labels[3];
  uint64_t read_offset = 0;
  uint64_t acked_offset = 0;
  // Bumped by a truncation: ranges read before it no longer say anything about the file.
  uint64_t generation = 0;
  struct Range {
    uint64_t token = 0;
    uint64_t end = 0;
    uint64_t generation = 0;
    bool done = false;
  };
  std::deque<Range> in_flight;
  // The path no longer names this file (renamed away or deleted): finish it, then forget it.
  bool orphaned = false;
  uint64_t last_size = 0;
  absl::Time last_growth;
  // Inside a line longer than the read window: what follows up to '\n' continues its message.
  bool continuing = false;
  int64_t cont_ts = 0;
  LogStream cont_stream = LogStream::kUnknown;
  // Per-Poll cache of this file's stream indexes in the batch.
  uint64_t batch_epoch = 0;
  int stream_index[3] = {-1, -1, -1};
};

struct Tailer::BatchBuilder {
  LogBatch batch;
  uint64_t epoch = 0;
  absl::flat_hash_map<std::string, size_t> by_labels;
  int64_t now_ns = 0;
};

Tailer::Tailer(TailerOptions options, FileSystem* fs, Clock* clock, metrics::Registry* registry)
    : options_(std::move(options)), fs_(fs), clock_(clock), metrics_(std::make_unique<Metrics>()) {
  if (registry == nullptr) {
    own_registry_ = std::make_unique<metrics::Registry>();
    registry = own_registry_.get();
  }
  Metrics& m = *metrics_;
  m.bytes_read = registry->Counter("vigil_agent_logs_read_bytes_total", "Bytes of container log files read.");
  m.lines = registry->Counter("vigil_agent_logs_lines_total", "Log entries read from container log files.");
  m.lines_split = registry->Counter("vigil_agent_logs_lines_split_total",
                                    "Log messages longer than the line limit, split into several entries.");
  m.malformed = registry->Counter("vigil_agent_logs_malformed_lines_total",
                                  "Lines in neither CRI nor json-file format, kept raw with the read time.");
  m.positions_errors =
      registry->Counter("vigil_agent_logs_positions_write_errors_total", "Failed writes of the positions file.");
  m.files = registry->Gauge("vigil_agent_logs_files_followed", "Log files followed, rotated ones being finished too.");
  m.in_flight =
      registry->Gauge("vigil_agent_logs_in_flight_bytes", "Bytes read but not yet acknowledged by the store.");
  absl::StatusOr<metrics::CounterFamily*> rot =
      registry->NewCounter("vigil_agent_logs_rotations_total", "Log file rotations seen, by kind.", {"kind"});
  if (!rot.ok()) {
    if (own_registry_ == nullptr) own_registry_ = std::make_unique<metrics::Registry>();
    rot = own_registry_->NewCounter("vigil_agent_logs_rotations_total", "Log file rotations seen.", {"kind"});
  }
  m.rotations_rename = (*rot)->WithLabels({"rename"});
  m.rotations_truncate = (*rot)->WithLabels({"truncate"});
}

Tailer::~Tailer() = default;

absl::StatusOr<std::unique_ptr<Tailer>> Tailer::Create(TailerOptions options, FileSystem* fs, Clock* clock,
                                                       metrics::Registry* metrics) {
  if (options.max_line_bytes == 0) return absl::InvalidArgumentError("max_line_bytes must be positive");
  // A read window must hold a whole record of the longest line, or no record could ever complete.
  options.poll_bytes = std::max(options.poll_bytes, options.max_line_bytes * 2 + 2 * kFramingSlack);
  options.max_in_flight_bytes = std::max(options.max_in_flight_bytes, options.poll_bytes);
  std::unique_ptr<Tailer> t(new Tailer(std::move(options), fs, clock, metrics));
  if (!t->options_.positions_file.empty() && fs->Exists(t->options_.positions_file)) {
    absl::StatusOr<std::string> text = fs->ReadFile(t->options_.positions_file);
    if (!text.ok()) return text.status();
    absl::StatusOr<std::vector<PositionEntry>> entries = ParsePositions(*text);
    if (!entries.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(t->options_.positions_file, ": ", entries.status().message()));
    }
    absl::MutexLock l(&t->mu_);
    for (PositionEntry& e : *entries) t->loaded_[{e.device, e.inode}] = std::move(e);
  }
  return t;
}

size_t Tailer::files_followed() const {
  absl::MutexLock l(&mu_);
  return files_.size();
}

size_t Tailer::in_flight_bytes() const {
  absl::MutexLock l(&mu_);
  return in_flight_bytes_;
}

void Tailer::RescanLocked() {
  std::vector<uint64_t> seen;
  for (const std::string& g : options_.cri_paths) Discover(g, LogFormat::kCri, &seen);
  for (const std::string& g : options_.docker_paths) Discover(g, LogFormat::kDocker, &seen);
  std::sort(seen.begin(), seen.end());
  const absl::Time now = clock_->Now();
  for (const std::unique_ptr<FileState>& f : files_) {
    if (f->orphaned || std::binary_search(seen.begin(), seen.end(), f->id)) continue;
    f->orphaned = true;
    f->last_growth = now;
    metrics_->rotations_rename->Inc();
  }
  if (!scanned_once_) {
    // Positions of files that no longer exist are dropped after the first look.
    scanned_once_ = true;
    if (!loaded_.empty()) positions_dirty_ = true;
    loaded_.clear();
  }
}

void Tailer::Discover(const std::string& glob, LogFormat format, std::vector<uint64_t>* seen) {
  // Expand one component at a time.
  std::vector<std::string> dirs = {glob.starts_with("/") ? "/" : ""};
  std::vector<std::string> parts = absl::StrSplit(glob, '/', absl::SkipEmpty());
  for (size_t i = 0; i < parts.size(); ++i) {
    std::vector<std::string> next;
    const std::string& part = parts[i];
    for (const std::string& d : dirs) {
      if (!HasGlob(part)) {
        next.push_back(d.empty() ? part : JoinPath(d, part));
        continue;
      }
      absl::StatusOr<std::vector<std::string>> names = fs_->ListDir(d.empty() ? "." : d);
      if (!names.ok()) continue;
      for (const std::string& n : *names) {
        if (::fnmatch(part.c_str(), n.c_str(), 0) == 0) next.push_back(d.empty() ? n : JoinPath(d, n));
      }
    }
    dirs = std::move(next);
  }
  for (const std::string& path : dirs) {
    absl::StatusOr<FileInfo> info = fs_->Stat(path);
    if (!info.ok() || info->is_dir) continue;
    bool known = false;
    for (const std::unique_ptr<FileState>& f : files_) {
      if (f->device == info->device && f->inode == info->inode) {
        known = true;
        if (f->orphaned) continue;  // a rotated file under another followed name: still being finished
        f->path = path;
        seen->push_back(f->id);
        break;
      }
    }
    if (known) continue;
    OpenFile(path, *info, format);
    if (!files_.empty() && files_.back()->path == path) seen->push_back(files_.back()->id);
  }
}

void Tailer::OpenFile(const std::string& path, const FileInfo& info, LogFormat format) {
  absl::StatusOr<std::unique_ptr<ReadableFile>> file = fs_->OpenReadable(path);
  if (!file.ok()) {
    log::Warn("cannot open log file", {{"path", path}, {"err", file.status()}});
    return;
  }
  // The path may have been rotated between Stat and open; the next scan picks up whatever it names then.
  absl::StatusOr<FileInfo> again = fs_->Stat(path);
  if (!again.ok() || again->inode != info.inode || again->device != info.device) return;
  auto f = std::make_unique<FileState>();
  f->id = next_id_++;
  f->path = path;
  f->format = format;
  f->device = info.device;
  f->inode = info.inode;
  f->file = std::move(*file);
  f->last_growth = clock_->Now();
  LabelFile(f.get());
  auto it = loaded_.find(std::make_pair(info.device, info.inode));
  if (it != loaded_.end()) {
    const PositionEntry& e = it->second;
    bool same = e.offset <= info.size;
    if (same && e.fingerprint_len > 0) {
      std::string head;
      same = info.size >= e.fingerprint_len && f->file->ReadAt(0, e.fingerprint_len, &head).ok() &&
             head.size() == e.fingerprint_len && Crc32c(head) == e.fingerprint;
    }
    if (same) {
      f->read_offset = f->acked_offset = e.offset;
      f->fingerprint_len = e.fingerprint_len;
      f->fingerprint = e.fingerprint;
    }
    loaded_.erase(it);
  }
  UpdateFingerprint(f.get(), info.size);
  files_.push_back(std::move(f));
  metrics_->files->Set(static_cast<double>(files_.size()));
}

void Tailer::LabelFile(FileState* f) {
  LabelsBuilder b;
  if (!options_.node.empty()) b.Set("node", options_.node);
  const std::string_view path = f->path;
  const std::string_view dir = DirName(path);
  const std::string_view dir_name = BaseName(dir);
  const std::string_view pod_dir = BaseName(DirName(dir));
  discovery::PodLogRef pod;
  discovery::ContainerLogRef cref;
  std::string uid;
  std::string id;
  if (f->format == LogFormat::kCri && discovery::ParsePodLogDirName(pod_dir, &pod, &uid)) {
    // /var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log
    b.Set("namespace", pod.namespace_name).Set("pod", pod.pod).Set("container", dir_name);
  } else if (f->format == LogFormat::kCri && discovery::ParseContainerLogName(BaseName(path), &cref, &id)) {
    // /var/log/containers/<pod>_<namespace>_<container>-<id>.log
    b.Set("namespace", cref.namespace_name).Set("pod", cref.pod).Set("container", cref.container);
  } else if (f->format == LogFormat::kDocker) {
    // /var/lib/docker/containers/<id>/<id>-json.log; the name from the container's config when readable.
    std::string container(dir_name);
    absl::StatusOr<std::string> cfg = fs_->ReadFile(JoinPath(dir, "config.v2.json"));
    if (cfg.ok()) {
      absl::StatusOr<discovery::RuntimeMetadata> md = discovery::ParseDockerConfig(*cfg, "");
      if (md.ok()) {
        if (!md->container.empty()) {
          container = md->container;
          b.Set("namespace", md->namespace_name).Set("pod", md->pod);
        } else if (!md->name.empty()) {
          container = md->name;
        }
      }
    }
    b.Set("container", container);
  } else {
    b.Set("filename", path);
  }
  f->labels[static_cast<int>(LogStream::kUnknown)] = wire::loki::FormatLabelString(b.Build());
  b.Set("stream", "stdout");
  f->labels[static_cast<int>(LogStream::kStdout)] = wire::loki::FormatLabelString(b.Build());
  b.Set("stream", "stderr");
  f->labels[static_cast<int>(LogStream::kStderr)] = wire::loki::FormatLabelString(b.Build());
}

void Tailer::UpdateFingerprint(FileState* f, uint64_t size) {
  if (f->fingerprint_len > 0 || size < kFingerprintBytes) return;
  std::string head;
  if (!f->file->ReadAt(0, kFingerprintBytes, &head).ok() || head.size() != kFingerprintBytes) return;
  f->fingerprint_len = kFingerprintBytes;
  f->fingerprint = Crc32c(head);
  positions_dirty_ = true;
}

LogBatch Tailer::Poll() {
  absl::MutexLock l(&mu_);
  const absl::Time now = clock_->Now();
  if (now >= next_rescan_) {
    RescanLocked();
    next_rescan_ = now + options_.rescan_interval;
  }
  BatchBuilder b;
  b.epoch = ++poll_epoch_;
  b.now_ns = absl::ToUnixNanos(now);
  const uint64_t token = next_token_;
  InFlight flight;
  if (in_flight_bytes_ < options_.max_in_flight_bytes && !files_.empty()) {
    size_t budget = std::min(options_.poll_bytes, options_.max_in_flight_bytes - in_flight_bytes_);
    const size_t n = files_.size();
    for (size_t k = 0; k < n && budget > 0; ++k) {
      FileState* f = files_[(next_file_ + k) % n].get();
      const size_t got = ReadFile(f, budget, &b);
      if (got == 0) continue;
      budget -= std::min(budget, got);
      flight.bytes += got;
      f->in_flight.push_back({token, f->read_offset, f->generation, false});
      flight.file_ids.push_back(f->id);
    }
    next_file_ = (next_file_ + 1) % n;
  }
  // Finished rotated files: fully read, fully acknowledged, idle past the grace period.
  const size_t before = files_.size();
  std::erase_if(files_, [&](const std::unique_ptr<FileState>& f) {
    return f->orphaned && f->in_flight.empty() && f->read_offset >= f->last_size &&
           now - f->last_growth >= options_.rotated_grace;
  });
  if (files_.size() != before) {
    positions_dirty_ = true;
    metrics_->files->Set(static_cast<double>(files_.size()));
  }
  if (flight.bytes > 0) {
    b.batch.token = token;
    ++next_token_;
    b.batch.bytes_read = flight.bytes;
    in_flight_bytes_ += flight.bytes;
    tokens_[token] = std::move(flight);
    metrics_->in_flight->Set(static_cast<double>(in_flight_bytes_));
    metrics_->bytes_read->Add(static_cast<double>(b.batch.bytes_read));
    metrics_->lines->Add(static_cast<double>(b.batch.entries));
  }
  if (positions_dirty_) {
    absl::Status s = SaveLocked();
    if (!s.ok()) log::Warn("cannot write log positions", {{"err", s}});
  }
  return std::move(b.batch);
}

size_t Tailer::ReadFile(FileState* f, size_t budget, BatchBuilder* b) {
  absl::StatusOr<uint64_t> size = f->file->Size();
  if (!size.ok()) return 0;
  const absl::Time now = clock_->Now();
  if (*size < f->read_offset) {
    // copytruncate: the file was cut (and maybe written again); read it from the start.
    metrics_->rotations_truncate->Inc();
    f->read_offset = f->acked_offset = 0;
    f->in_flight.clear();
    ++f->generation;
    f->fingerprint_len = 0;
    f->continuing = false;
    positions_dirty_ = true;
  }
  if (*size != f->last_size) f->last_growth = now;
  f->last_size = *size;
  UpdateFingerprint(f, *size);
  const uint64_t avail = *size - f->read_offset;
  if (avail == 0) return 0;
  const size_t want = static_cast<size_t>(std::min<uint64_t>(avail, budget));
  // One read buffer for every file: what Process keeps is copied into the batch, and a partial line is read
  // again next time from read_offset, so no file needs a buffer of its own (16 files x 4 MiB would be 64 MiB).
  if (!f->file->ReadAt(f->read_offset, want, &read_buf_).ok()) return 0;
  // A rotated file idle past the grace period gets no more writes: its unterminated tail is a record too.
  const bool finish =
      f->orphaned && want == avail && read_buf_.size() == avail && now - f->last_growth >= options_.rotated_grace;
  const size_t consumed = Process(f, read_buf_, finish, b);
  f->read_offset += consumed;
  return consumed;
}

size_t Tailer::Process(FileState* f, std::string_view buf, bool finish, BatchBuilder* b) {
  size_t pos = 0;
  size_t record_start = 0;
  if (f->continuing) {
    const size_t nl = buf.find('\n');
    if (nl == std::string_view::npos) {
      if (buf.size() <= options_.max_line_bytes && !finish) return 0;
      Emit(f, f->cont_ts, f->cont_stream, buf, b);
      if (finish) f->continuing = false;
      return buf.size();
    }
    if (nl > 0) Emit(f, f->cont_ts, f->cont_stream, buf.substr(0, nl), b);
    f->continuing = false;
    pos = record_start = nl + 1;
  }
  joined_.clear();
  bool joining = false;
  int64_t joined_ts = 0;
  LogStream joined_stream = LogStream::kUnknown;
  ParsedLine p;
  while (true) {
    size_t nl = buf.find('\n', pos);
    if (nl == std::string_view::npos) {
      if (!finish || pos >= buf.size()) break;
      nl = buf.size();  // the last line of a finished file
    }
    const std::string_view line = buf.substr(pos, nl - pos);
    pos = std::min(nl + 1, buf.size());
    const bool ok = f->format == LogFormat::kCri ? ParseCriLine(line, &p) : ParseDockerLine(line, &scratch_, &p);
    if (!ok) {
      if (joining) Emit(f, joined_ts, joined_stream, joined_, b);
      joining = false;
      metrics_->malformed->Inc();
      Emit(f, b->now_ns, LogStream::kUnknown, line, b);
      record_start = pos;
      continue;
    }
    if (p.partial && !(finish && pos >= buf.size())) {
      if (!joining) {
        joining = true;
        joined_.clear();
        joined_ts = p.timestamp_ns;
        joined_stream = p.stream;
      }
      joined_.append(p.message);
      if (joined_.size() >= options_.max_line_bytes) {
        // A record this long is split anyway: emit what is joined so far as pieces.
        Emit(f, joined_ts, joined_stream, joined_, b);
        joining = false;
        record_start = pos;
      }
      continue;
    }
    if (joining) {
      joined_.append(p.message);
      Emit(f, joined_ts, joined_stream, joined_, b);
      joining = false;
    } else {
      Emit(f, p.timestamp_ns, p.stream, p.message, b);
    }
    record_start = pos;
  }
  if (buf.size() - record_start <= options_.max_line_bytes + kFramingSlack) return record_start;
  // Stuck: a record that cannot complete within the window. Emit what there is.
  if (joining) {
    Emit(f, joined_ts, joined_stream, joined_, b);
    record_start = pos;
  }
  if (buf.size() - record_start > options_.max_line_bytes + kFramingSlack) {
    // One unterminated line longer than the limit: its header now, its message in pieces until its '\n'.
    const std::string_view tail = buf.substr(record_start);
    const size_t sp = tail.find(' ');
    const size_t sp2 = sp == std::string_view::npos ? sp : tail.find(' ', sp + 1);
    const size_t sp3 = sp2 == std::string_view::npos ? sp2 : tail.find(' ', sp2 + 1);
    if (f->format == LogFormat::kCri && sp3 != std::string_view::npos && sp3 < 128 &&
        ParseCriLine(tail.substr(0, sp3 + 1), &p)) {
      f->cont_ts = p.timestamp_ns;
      f->cont_stream = p.stream;
      Emit(f, p.timestamp_ns, p.stream, tail.substr(sp3 + 1), b);
    } else {
      metrics_->malformed->Inc();
      f->cont_ts = b->now_ns;
      f->cont_stream = LogStream::kUnknown;
      Emit(f, b->now_ns, LogStream::kUnknown, tail, b);
    }
    f->continuing = true;
    record_start = buf.size();
  }
  return record_start;
}

void Tailer::Emit(FileState* f, int64_t ts, LogStream stream, std::string_view message, BatchBuilder* b) {
  const int si = static_cast<int>(stream);
  if (f->batch_epoch != b->epoch) {
    f->batch_epoch = b->epoch;
    f->stream_index[0] = f->stream_index[1] = f->stream_index[2] = -1;
  }
  if (f->stream_index[si] < 0) {
    auto [it, added] = b->by_labels.try_emplace(f->labels[si], b->batch.streams.size());
    if (added) b->batch.streams.push_back(BatchStream{f->labels[si], {}});
    f->stream_index[si] = static_cast<int>(it->second);
  }
  std::vector<wire::loki::PushEntryRef>& entries = b->batch.streams[static_cast<size_t>(f->stream_index[si])].entries;
  if (message.size() <= options_.max_line_bytes) {
    entries.push_back({ts, b->batch.text.Append(message)});
    ++b->batch.entries;
    return;
  }
  metrics_->lines_split->Inc();
  while (!message.empty()) {
    const size_t end = PieceEnd(message, options_.max_line_bytes);
    entries.push_back({ts, b->batch.text.Append(message.substr(0, end))});
    ++b->batch.entries;
    message.remove_prefix(end);
  }
}

absl::Status Tailer::Ack(uint64_t token) {
  absl::MutexLock l(&mu_);
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return absl::OkStatus();
  in_flight_bytes_ -= std::min(in_flight_bytes_, it->second.bytes);
  metrics_->in_flight->Set(static_cast<double>(in_flight_bytes_));
  for (uint64_t id : it->second.file_ids) {
    for (const std::unique_ptr<FileState>& f : files_) {
      if (f->id != id) continue;
      for (FileState::Range& r : f->in_flight) {
        if (r.token == token) r.done = true;
      }
      while (!f->in_flight.empty() && f->in_flight.front().done) {
        if (f->in_flight.front().generation == f->generation) f->acked_offset = f->in_flight.front().end;
        f->in_flight.pop_front();
        positions_dirty_ = true;
      }
      break;
    }
  }
  tokens_.erase(it);
  return positions_dirty_ ? SaveLocked() : absl::OkStatus();
}

absl::Status Tailer::SavePositions() {
  absl::MutexLock l(&mu_);
  return SaveLocked();
}

absl::Status Tailer::SaveLocked() {
  positions_dirty_ = false;
  if (options_.positions_file.empty()) return absl::OkStatus();
  std::vector<PositionEntry> entries;
  entries.reserve(files_.size() + loaded_.size());
  for (const std::unique_ptr<FileState>& f : files_) {
    entries.push_back({f->device, f->inode, f->fingerprint_len, f->fingerprint, f->acked_offset, f->path});
  }
  for (const auto& [key, e] : loaded_) entries.push_back(e);
  absl::Status s = fs_->WriteFileAtomic(options_.positions_file, FormatPositions(entries), options_.sync_positions);
  if (!s.ok()) {
    metrics_->positions_errors->Inc();
    positions_dirty_ = true;
  }
  return s;
}

}  // namespace vigil::agent::logs
