// Copyright 2026 The Cerumbra Authors.

#include "attest/nvidia_verifier.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "attest/nvidia_test_util.h"
#include "crypto/sha.h"
#include "crypto/test_util.h"

namespace cerumbra::attest {
namespace {

using testing::MustReadPemChainDer;

TEST(NvidiaRootsTest, PinnedRootsAreNvidiasPublishedRoots) {
  const auto device =
      MustReadPemChainDer("nvidia-nvtrust/verifier_device_root.pem");
  const auto rim = MustReadPemChainDer("nvidia-nvtrust/verifier_RIM_root.pem");
  ASSERT_EQ(device.size(), 1u);
  ASSERT_EQ(rim.size(), 1u);
  EXPECT_EQ(DefaultNvidiaDeviceRootDer(), device[0]);
  EXPECT_EQ(DefaultNvidiaRimRootDer(), rim[0]);
  Result<crypto::Sha256Digest> d = crypto::Sha256(DefaultNvidiaDeviceRootDer());
  Result<crypto::Sha256Digest> r = crypto::Sha256(DefaultNvidiaRimRootDer());
  ASSERT_TRUE(d.ok() && r.ok());
  EXPECT_EQ(crypto::testing::HexEncode(*d),
            "102bf659d5419614c9d8e6aecebc80454eb26b1df6a769ac720b9a690b167b48");
  EXPECT_EQ(crypto::testing::HexEncode(*r),
            "12977b5115acb0381179279fffeb5a8c4d264971ebb32298023a465fa41df5d1");
}

}  // namespace
}  // namespace cerumbra::attest
