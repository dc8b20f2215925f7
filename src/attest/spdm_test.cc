// Copyright 2026 The Cerumbra Authors.
#include <gtest/gtest.h>
