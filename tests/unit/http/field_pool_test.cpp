#include "proxy/http/field_pool.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace levee::http {
namespace {

TEST(FieldPool, AFreedBlockIsTheNextOneOfItsClass) {
  FieldPool pool;
  void* first = pool.allocate(80);
  pool.deallocate(first, 80);
  EXPECT_EQ(pool.kept(), 1u);
  EXPECT_EQ(pool.allocate(100), first);  // 80 and 100 bytes share the 128-byte class
  EXPECT_EQ(pool.kept(), 0u);
  void* other_class = pool.allocate(200);
  EXPECT_NE(other_class, first);
  pool.deallocate(first, 100);
  pool.deallocate(other_class, 200);
  void* small = pool.allocate(64);  // its class is empty: a new block, not a larger one
  EXPECT_NE(small, first);
  EXPECT_NE(small, other_class);
  EXPECT_EQ(pool.kept(), 2u);
  pool.deallocate(small, 64);
}

TEST(FieldPool, ReuseIsLastInFirstOut) {
  FieldPool pool;
  void* a = pool.allocate(100);
  void* b = pool.allocate(100);
  pool.deallocate(a, 100);
  pool.deallocate(b, 100);
  EXPECT_EQ(pool.allocate(100), b);  // the one freed last, still in the cache
  EXPECT_EQ(pool.allocate(100), a);
  pool.deallocate(a, 100);
  pool.deallocate(b, 100);
}

TEST(FieldPool, KeepsAtMostItsCapAndNothingPastTheLargestClass) {
  FieldPool pool;
  std::vector<void*> blocks;
  for (std::size_t i = 0; i < FieldPool::max_kept_per_class + 10; ++i) blocks.push_back(pool.allocate(64));
  for (void* block : blocks) pool.deallocate(block, 64);
  EXPECT_EQ(pool.kept(), FieldPool::max_kept_per_class);  // the rest went back to the heap
  void* large = pool.allocate(FieldPool::max_pooled + 1);
  pool.deallocate(large, FieldPool::max_pooled + 1);
  EXPECT_EQ(pool.kept(), FieldPool::max_kept_per_class);
}

TEST(FieldPool, BlocksMoveFreelyBetweenAllocatorsWithAndWithoutAPool) {
  FieldPool pool;
  FieldAllocator<char> pooled(&pool);
  FieldAllocator<char> plain;
  char* made_plain = plain.allocate(90);
  pooled.deallocate(made_plain, 90);  // a plain block is made at the class size: the pool keeps it
  EXPECT_EQ(pool.kept(), 1u);
  char* reused = pooled.allocate(120);
  EXPECT_EQ(reused, made_plain);
  plain.deallocate(reused, 120);  // and a pooled block goes back to the heap through a plain one
  EXPECT_EQ(pooled, plain);
}

// A header parsed into a pooled parser, then a second one of the same shape: the second takes
// every block the first gave back and asks the heap for none.
TEST(FieldPool, ASecondHeaderOfTheSameShapeReusesTheFirstsBlocks) {
  FieldPool pool;
  constexpr std::string_view head =
      "GET /orders?id=7 HTTP/1.1\r\nHost: shop.example\r\nAccept: */*\r\nX-Request-Id: 1234\r\n\r\n";
  const auto parse = [&] {
    auto parser = make_parser<RequestParser>(pool);
    boost::beast::error_code ec;
    parser.put(boost::asio::buffer(head.data(), head.size()), ec);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_TRUE(parser.is_header_done());
    EXPECT_EQ(parser.get()[boost::beast::http::field::host], "shop.example");
    EXPECT_EQ(parser.get().get_allocator().pool(), &pool);
  };
  parse();
  const std::size_t kept_after_first = pool.kept();
  EXPECT_GE(kept_after_first, 4u);  // the target and three fields
  parse();
  EXPECT_EQ(pool.kept(), kept_after_first);  // all taken from the pool and given back again
}

}  // namespace
}  // namespace levee::http
