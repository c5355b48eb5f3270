#include "base/flags/flags.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "base/units/bytes.h"
#include "base/units/duration.h"

namespace vigil {
namespace {

absl::Status BadValue(std::string_view value, std::string_view want) {
  return absl::InvalidArgumentError(absl::StrCat("invalid value \"", AV(value), "\": want ", AV(want)));
}

}  // namespace

FlagSet::FlagSet(std::string program, std::string description)
    : program_(std::move(program)), description_(std::move(description)) {}

void FlagSet::Add(std::string name, Flag flag) {
  if (!flags_.emplace(name, std::move(flag)).second) {
    std::fprintf(stderr, "flag --%s registered twice\n", name.c_str());
    std::abort();
  }
}

void FlagSet::String(std::string name, std::string* target, std::string help) {
  Add(std::move(name), Flag{std::move(help), absl::StrCat("\"", *target, "\""), false, [target](std::string_view v) {
                              target->assign(v);
                              return absl::OkStatus();
                            }});
}

void FlagSet::Bool(std::string name, bool* target, std::string help) {
  Add(std::move(name), Flag{std::move(help), *target ? "true" : "false", true, [target](std::string_view v) {
                              if (v == "true" || v == "1") {
                                *target = true;
                              } else if (v == "false" || v == "0") {
                                *target = false;
                              } else {
                                return BadValue(v, "true or false");
                              }
                              return absl::OkStatus();
                            }});
}

void FlagSet::Int64(std::string name, int64_t* target, std::string help) {
  Add(std::move(name), Flag{std::move(help), absl::StrCat(*target), false, [target](std::string_view v) {
                              if (!absl::SimpleAtoi(AV(v), target)) return BadValue(v, "an integer");
                              return absl::OkStatus();
                            }});
}

void FlagSet::Double(std::string name, double* target, std::string help) {
  Add(std::move(name), Flag{std::move(help), absl::StrCat(*target), false, [target](std::string_view v) {
                              if (!absl::SimpleAtod(AV(v), target)) return BadValue(v, "a number");
                              return absl::OkStatus();
                            }});
}

void FlagSet::Duration(std::string name, absl::Duration* target, std::string help) {
  Add(std::move(name),
      Flag{std::move(help), units::FormatPrometheusDuration(*target), false, [target](std::string_view v) {
             absl::StatusOr<absl::Duration> d = units::ParsePrometheusDuration(v);
             if (!d.ok()) return d.status();
             *target = *d;
             return absl::OkStatus();
           }});
}

void FlagSet::ByteSize(std::string name, int64_t* target, std::string help) {
  Add(std::move(name), Flag{std::move(help), units::FormatByteSize(*target), false, [target](std::string_view v) {
                              absl::StatusOr<int64_t> b = units::ParseByteSize(v);
                              if (!b.ok()) return b.status();
                              *target = *b;
                              return absl::OkStatus();
                            }});
}

void FlagSet::StringList(std::string name, std::vector<std::string>* target, std::string help) {
  std::string def;
  for (const std::string& s : *target) absl::StrAppend(&def, def.empty() ? "" : ",", s);
  // The first occurrence on the command line replaces the defaults; later ones append.
  auto replaced = std::make_shared<bool>(false);
  Add(std::move(name), Flag{std::move(help), def, false, [target, replaced](std::string_view v) {
                              if (!*replaced) target->clear();
                              *replaced = true;
                              target->emplace_back(v);
                              return absl::OkStatus();
                            }});
}

absl::Status FlagSet::Set(const std::string& name, std::string_view value) {
  auto it = flags_.find(name);
  absl::Status s = it->second.set(value);
  if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat("flag --", name, ": ", AV(SV(s.message()))));
  seen_[name] = true;
  return absl::OkStatus();
}

absl::Status FlagSet::Parse(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") {
      for (++i; i < argc; ++i) positional_.emplace_back(argv[i]);
      break;
    }
    if (arg == "-h" || arg == "--help") {
      help_requested_ = true;
      continue;
    }
    if (arg == "--version") {
      version_requested_ = true;
      continue;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      positional_.emplace_back(arg);
      continue;
    }
    if (arg.substr(0, 2) != "--") {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag ", AV(arg), ": flags are spelled --name or --name=value"));
    }
    std::string_view body = arg.substr(2);
    size_t eq = body.find('=');
    std::string name(body.substr(0, eq));
    auto it = flags_.find(name);
    if (it == flags_.end()) {
      // --no-<bool> sets a boolean flag to false, as kingpin (Prometheus' flag library) allows.
      if (eq == std::string_view::npos && name.rfind("no-", 0) == 0) {
        auto neg = flags_.find(name.substr(3));
        if (neg != flags_.end() && neg->second.is_bool) {
          if (absl::Status s = Set(neg->first, "false"); !s.ok()) return s;
          continue;
        }
      }
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name, " (see --help)"));
    }
    if (eq != std::string_view::npos) {
      if (absl::Status s = Set(name, body.substr(eq + 1)); !s.ok()) return s;
    } else if (it->second.is_bool) {
      if (absl::Status s = Set(name, "true"); !s.ok()) return s;
    } else if (i + 1 < argc) {
      if (absl::Status s = Set(name, argv[++i]); !s.ok()) return s;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("flag --", name, ": missing value"));
    }
  }
  return absl::OkStatus();
}

bool FlagSet::IsSet(std::string_view name) const { return seen_.count(std::string(name)) > 0; }

std::string FlagSet::Usage() const {
  std::string out = absl::StrCat("usage: ", program_, " [<flags>]\n\n", description_, "\n\nFlags:\n");
  absl::StrAppend(&out, "  -h, --help  Show this help.\n      --version  Show the version.\n");
  for (const auto& [name, flag] : flags_) {
    absl::StrAppend(&out, "      --", name, flag.is_bool ? "" : "=VALUE", "\n          ", flag.help,
                    " (default: ", flag.default_text, ")\n");
  }
  return out;
}

}  // namespace vigil
