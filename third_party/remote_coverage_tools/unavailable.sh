#!/bin/sh
echo "coverage tools are not available in Vigil's offline Bazel build" >&2
exit 1
