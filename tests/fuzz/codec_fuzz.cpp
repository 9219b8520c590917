// libFuzzer harness for the wire codec (not part of the default build; see README.md).
//
// Feeds arbitrary bytes to decode_envelope and, when the envelope decodes, to decode_body
// for every message type. The codec promises never to throw, to give every error a
// message, and to return only valid messages; a returned message must also re-encode to
// a frame that decodes to the same message. Any broken promise aborts with a reason, and
// AddressSanitizer/UBSan catch memory errors and undefined behaviour on the way.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "protocol/wire/codec.hpp"
#include "protocol/wire/messages.hpp"
#include "protocol/wire/plan.hpp"

namespace {

using namespace grid::wire;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "codec_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

template <class M>
void check_body(const Envelope& env) {
  const auto body = decode_body<M>(env);
  if (!body.ok()) {
    if (body.error().empty()) fail("body error without a message", "");
    return;
  }
  if (env.type != M::kType) {
    fail("decoded a body of another message type", std::to_string(static_cast<int>(env.type)));
  }
  if (auto problem = body.value().validate()) fail("decoded an invalid message", *problem);
  const std::string again = encode(body.value(), env.node_id);
  const auto env2 = decode_envelope(again);
  if (!env2.ok()) fail("re-encoded message does not decode", env2.error());
  const auto body2 = decode_body<M>(env2.value());
  if (!body2.ok()) fail("re-encoded body does not decode", body2.error());
  if (encode(body2.value(), env.node_id) != again) fail("re-encoding is not stable", "");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto env = decode_envelope(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!env.ok()) {
      if (env.error().empty()) fail("envelope error without a message", "");
      return 0;
    }
    check_body<Hello>(env.value());
    check_body<Heartbeat>(env.value());
    check_body<StatsReport>(env.value());
    check_body<LogRecord>(env.value());
    check_body<Bye>(env.value());
    check_body<Plan>(env.value());
    check_body<ClockEcho>(env.value());
  } catch (const std::exception& e) {
    fail("the codec threw", e.what());
  } catch (...) {
    fail("the codec threw", "a non-std exception");
  }
  return 0;
}
