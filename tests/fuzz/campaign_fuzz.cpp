// libFuzzer harness for the campaign INI parser (not part of the default build; see
// README.md). Feeds arbitrary text to parse_campaign with an in-memory environment and
// files and checks the property in campaign_property.hpp. Aborts with a reason when a
// promise is broken or anything but ConfigError escapes; AddressSanitizer/UBSan catch
// memory errors and undefined behaviour. tests/broker/campaign_fuzz_replay_test.cpp
// replays the seed corpus (corpus/campaign/) and mutations of it in every test run.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "fuzz/campaign_property.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    grid::fuzz::check_campaign_text(data, size);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "campaign_fuzz: %s\n", e.what());
    std::abort();
  }
  return 0;
}
