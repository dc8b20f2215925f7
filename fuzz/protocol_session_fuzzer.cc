// Copyright 2026 The Cerumbra Authors.
//
// Fuzzes the record layer and the session state machine (docs/protocol.md
// §6, §9) on the node side. The input is a script of operations, so the
// fuzzer reaches deep states with genuine records and then injects its own:
//   op % 4 == 0: the client sends a genuine DATA record, fed to the node
//   op % 4 == 1: the client sends END (completing a message)
//   op % 4 == 2: the client requests a key update (budget is 4, so
//                automatic updates happen too)
//   op % 4 == 3: the next length-prefixed chunk of input is fed as a frame
// A genuine frame must never fail while the node has not failed; after an
// injected frame fails, every later call must fail too.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "cerumbra/status.h"
#include "protocol/session.h"
#include "protocol/test_util.h"

namespace {

using namespace cerumbra::protocol;  // NOLINT

SessionKeys FixedKeys() {
  SessionKeys keys;
  std::vector<uint8_t> c2s(32, 0x11), s2c(32, 0x22);
  keys.c2s_secret = cerumbra::crypto::SecretBytes::CopyFrom(c2s);
  keys.s2c_secret = cerumbra::crypto::SecretBytes::CopyFrom(s2c);
  keys.session_id.fill(0x33);
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  SessionOptions options;
  options.limits.records_per_key = 4;
  auto client = Session::Create(Role::kClient, FixedKeys(), options);
  auto node = Session::Create(Role::kNode, FixedKeys(), options);
  CERUMBRA_CHECK(client.ok() && node.ok());

  size_t i = 0;
  bool node_failed = false;
  while (i < size) {
    uint8_t op = data[i++];
    cerumbra::Result<std::vector<Frame>> frames =
        cerumbra::InternalError("no frames");
    switch (op % 4) {
      case 0: {
        std::vector<uint8_t> chunk(1 + op / 4, 'a');
        frames = client->SendData(chunk);
        break;
      }
      case 1:
        frames = client->SendEnd("{}");
        break;
      case 2:
        frames = client->RequestKeyUpdate();
        break;
      case 3: {
        if (i + 2 > size) return 0;
        size_t n = (size_t{data[i]} << 8 | data[i + 1]) % 20000;
        i += 2;
        n = std::min(n, size - i);
        std::span<const uint8_t> frame(data + i, n);
        i += n;
        auto events = node->Receive(frame);
        if (node_failed) CERUMBRA_CHECK(!events.ok());
        if (!events.ok()) node_failed = true;
        continue;
      }
    }
    if (!frames.ok()) continue;  // e.g. message over the limit: client-side
    for (const Frame& frame : *frames) {
      auto events = node->Receive(frame);
      if (node_failed) {
        CERUMBRA_CHECK(!events.ok());
      } else if (!events.ok()) {
        // A genuine frame fails only after an injected frame desynchronized
        // the sequence numbers or the message state... which sets
        // node_failed first. Anything else is a bug.
        CERUMBRA_CHECK(false);
      }
    }
  }
  (void)node->ConnectionEnded();
  return 0;
}
