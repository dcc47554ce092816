#include "proxy/http/client_gone.h"

#include <gtest/gtest.h>

namespace levee::http {
namespace {

TEST(ClientGone, TheHookRunsOnceWhenTheClientLeaves) {
  ClientGone gone;
  int calls = 0;
  gone.on_gone([&] { ++calls; });
  EXPECT_EQ(calls, 0);
  gone.fire();
  gone.fire();
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(gone.gone());
}

TEST(ClientGone, AHookRegisteredAfterTheClientLeftRunsAtOnce) {
  ClientGone gone;
  gone.fire();
  int calls = 0;
  gone.on_gone([&] { ++calls; });
  EXPECT_EQ(calls, 1);
}

TEST(ClientGone, AForgottenHookDoesNotRun) {
  ClientGone gone;
  int calls = 0;
  gone.on_gone([&] { ++calls; });
  gone.forget();
  gone.fire();
  EXPECT_EQ(calls, 0);
  EXPECT_TRUE(gone.gone());
}

}  // namespace
}  // namespace levee::http
