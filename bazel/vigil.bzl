"""Vigil's build macros: project C++ rules with the project's compiler options, and .proto -> cc_library.

Every BUILD file in the project uses these instead of the native rules so warnings-as-errors, test
dependencies and tags are set in one place (as Envoy's envoy_cc_* macros do).
"""

# Warnings are errors in project code; C++20 comes from .bazelrc. third_party targets and generated
# protobuf code do not get these.
VIGIL_COPTS = [
    "-Wall",
    "-Wextra",
    "-Werror",
]

def vigil_cc_library(name, copts = [], **kwargs):
    native.cc_library(name = name, copts = VIGIL_COPTS + copts, **kwargs)

def vigil_cc_binary(name, copts = [], **kwargs):
    native.cc_binary(name = name, copts = VIGIL_COPTS + copts, **kwargs)

def vigil_cc_test(name, copts = [], deps = [], **kwargs):
    """A GoogleTest test linked with gtest_main (gmock included)."""
    native.cc_test(
        name = name,
        copts = VIGIL_COPTS + copts,
        deps = deps + ["//third_party:gtest_main"],
        **kwargs
    )

def vigil_cc_benchmark(name, copts = [], deps = [], tags = [], **kwargs):
    """A Google Benchmark binary. Tagged "benchmark" so `bazel test //...` builds it but never runs it."""
    native.cc_test(
        name = name,
        copts = VIGIL_COPTS + copts,
        deps = deps + ["//third_party:benchmark_main"],
        tags = tags + ["benchmark"],
        **kwargs
    )

def vigil_cc_proto_library(name, srcs, deps = [], visibility = None):
    """Compiles .proto files with the system protoc (protobuf-compiler) into a cc_library.

    Args:
      name: the cc_library's name.
      srcs: .proto files of this package. Imports are resolved from the workspace root, so a proto imports
        another as "wire/prompb/types.proto".
      deps: other vigil_cc_proto_library targets whose .proto files these import.
      visibility: as usual.
    """
    if not srcs:
        fail("vigil_cc_proto_library needs srcs")
    headers = [s[:-len(".proto")] + ".pb.h" for s in srcs]
    sources = [s[:-len(".proto")] + ".pb.cc" for s in srcs]
    dep_protos = [d + "_protos" for d in deps]
    native.filegroup(
        name = name + "_protos",
        srcs = srcs + dep_protos,
        visibility = visibility,
    )
    native.genrule(
        name = name + "_protoc",
        srcs = srcs + dep_protos,
        outs = headers + sources,
        cmd = "protoc --proto_path=. --cpp_out=$(GENDIR) " +
              " ".join(["$(location %s)" % s for s in srcs]),
        message = "protoc " + name,
    )
    native.cc_library(
        name = name,
        srcs = sources,
        hdrs = headers,
        deps = deps + ["//third_party:protobuf"],
        visibility = visibility,
    )
