// Command-line flags with Prometheus' spelling.
//
// Abseil flags must be C++ identifiers, but Vigil keeps Prometheus' and node_exporter's flag names where the
// meaning is the same (`--storage.tsdb.retention.time`, `--web.listen-address`), so operators' muscle memory and
// existing manifests carry over. A FlagSet binds each name to a variable whose current value is the default:
//
//   std::string listen = "0.0.0.0:9090";
//   absl::Duration retention = absl::Hours(24 * 15);
//   FlagSet flags("vigil-store", "The Vigil metrics, logs and traces store.");
//   flags.String("web.listen-address", &listen, "Address to listen on for the API and ingestion.");
//   flags.Duration("storage.tsdb.retention.time", &retention, "How long to keep samples.");
//   absl::Status s = flags.Parse(argc, argv);
//
// Accepted forms: `--name=value`, `--name value`, `--bool-flag`, `--no-bool-flag`, `--bool-flag=false`; `--`
// ends the flags. `--help`/`-h` and `--version` are recognised and reported, not handled.
#ifndef VIGIL_BASE_FLAGS_FLAGS_H_
#define VIGIL_BASE_FLAGS_FLAGS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace vigil {

class FlagSet {
 public:
  FlagSet(std::string program, std::string description);

  // Each binds `--name` to `*target`; the value of `*target` at registration is the default shown by Usage().
  // Registering a name twice is a programming error and aborts.
  void String(std::string name, std::string* target, std::string help);
  void Bool(std::string name, bool* target, std::string help);
  void Int64(std::string name, int64_t* target, std::string help);
  void Double(std::string name, double* target, std::string help);
  // Prometheus duration syntax ("15d", "1h30m").
  void Duration(std::string name, absl::Duration* target, std::string help);
  // Byte sizes with base-2 units ("512MB", "10GiB"); 0 means unset by convention of the caller.
  void ByteSize(std::string name, int64_t* target, std::string help);
  // Repeatable: every occurrence appends.
  void StringList(std::string name, std::vector<std::string>* target, std::string help);

  // Parses argv[1..]. Errors name the flag and say why (`flag --web.listen-address: missing value`,
  // `unknown flag --storage.tsdb.retension`). Arguments that are not flags go to positional().
  absl::Status Parse(int argc, const char* const* argv);

  bool help_requested() const { return help_requested_; }
  bool version_requested() const { return version_requested_; }
  // Whether `--name` appeared on the command line (to let flags override a config file only when given).
  bool IsSet(std::string_view name) const;
  const std::vector<std::string>& positional() const { return positional_; }

  // The --help text: usage line, description, then every flag with its default and help, sorted by name.
  std::string Usage() const;

 private:
  struct Flag {
    std::string help;
    std::string default_text;
    bool is_bool = false;
    std::function<absl::Status(std::string_view)> set;
  };
  void Add(std::string name, Flag flag);
  absl::Status Set(const std::string& name, std::string_view value);

  std::string program_;
  std::string description_;
  std::map<std::string, Flag> flags_;
  std::map<std::string, bool> seen_;
  std::vector<std::string> positional_;
  bool help_requested_ = false;
  bool version_requested_ = false;
};

}  // namespace vigil

#endif  // VIGIL_BASE_FLAGS_FLAGS_H_
