// libFuzzer harness for the native transport's exchange (not part of the default build;
// see README.md): arbitrary server responses, cut at points taken from the input, then
// the server's close or a reset, fed to agent::Http1Exchange (and the http-parser under
// it). Aborts with a reason when anything throws or a promise is broken
// (native_exchange_property.hpp); AddressSanitizer/UBSan catch memory errors and undefined
// behaviour. tests/agent/native_exchange_fuzz_replay_test.cpp replays the seed corpus
// (corpus/native_exchange/) and mutations of it in every test run.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "fuzz/native_exchange_property.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    grid::fuzz::check_exchange(data, size);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "native_exchange_fuzz: %s\n", e.what());
    std::abort();
  }
  return 0;
}
