"""Link lists of Debian's system libraries, shared by third_party/BUILD and binaries that link some statically."""

# Abseil 20220623 (libabsl-dev) is split into ~60 libraries; this is the union Vigil's components need, in link
# order (from `pkg-config --libs absl_statusor absl_strings absl_str_format absl_flat_hash_map absl_time
# absl_synchronization absl_random_random absl_hash absl_flags absl_flags_parse`).
ABSL_LIBRARIES = [
    "flags_parse",
    "flags_usage",
    "flags_usage_internal",
    "flags_internal",
    "flags_marshalling",
    "flags_reflection",
    "flags_private_handle_accessor",
    "flags_commandlineflag",
    "flags_commandlineflag_internal",
    "flags_config",
    "flags_program_name",
    "statusor",
    "status",
    "strerror",
    "random_distributions",
    "random_seed_sequences",
    "random_internal_pool_urbg",
    "random_internal_randen",
    "random_internal_randen_hwaes",
    "random_internal_randen_hwaes_impl",
    "random_internal_randen_slow",
    "random_internal_platform",
    "random_internal_seed_material",
    "random_seed_gen_exception",
    "str_format_internal",
    "cord",
    "cordz_info",
    "cord_internal",
    "cordz_functions",
    "cordz_handle",
    "hash",
    "city",
    "low_level_hash",
    "raw_hash_set",
    "hashtablez_sampler",
    "exponential_biased",
    "bad_variant_access",
    "bad_optional_access",
    "synchronization",
    "graphcycles_internal",
    "stacktrace",
    "symbolize",
    "debugging_internal",
    "demangle_internal",
    "malloc_internal",
    "time",
    "civil_time",
    "time_zone",
    "strings",
    "strings_internal",
    "int128",
    "base",
    "spinlock_wait",
    "throw_delegate",
    "raw_logging_internal",
    "log_severity",
]

# linkopts for a binary whose resident memory matters (vigil-agent): Abseil, RE2 and yaml-cpp from their static
# archives, and --as-needed so their shared libraries, still named by //third_party:absl, :re2 and :yaml_cpp, are
# not loaded. Sixty-odd small shared libraries cost about 2.4 MB of resident file pages at start; the archive
# members the binary uses cost a fraction of that (docs/agent.md). Only for a cc_binary's own linkopts, which
# the linker sees before its dependencies' -l flags: every Vigil library is linked statically into the binary,
# so --as-needed cannot drop a shared library one of them needs.
STATIC_ABSEIL_RE2_YAML_LINKOPTS = [
    "-Wl,--as-needed",
    "-Wl,--start-group",
] + ["-l:libabsl_%s.a" % lib for lib in ABSL_LIBRARIES] + [
    "-l:libre2.a",
    "-l:libyaml-cpp.a",
    "-Wl,--end-group",
]
