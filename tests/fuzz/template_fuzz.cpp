// libFuzzer harness for the ${...} template parser (not part of the default
// build; see README.md). Feeds arbitrary text to parse_template and escape_template and checks
// the property in workload_property.hpp. Aborts with a reason when a promise is broken or
// anything throws; AddressSanitizer/UBSan catch memory errors and undefined behaviour.
// tests/protocol/workload_fuzz_replay_test.cpp replays the seed corpus (corpus/template/) and
// mutations of it in every test run.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "fuzz/workload_property.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    grid::fuzz::check_template_text(data, size);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "template_fuzz: %s\n", e.what());
    std::abort();
  }
  return 0;
}
