#pragma once
// Memory for the header fields of the requests and responses a worker parses: a free list per
// size class, owned by the worker and used only on its thread.
//
// Why: Beast's basic_fields allocates a node for every field it parses (and one for the
// request's method and target, or the response's reason). A keep-alive request through levee
// parsed about eight of them and gave them back before the next request, eight trips through
// malloc and free that bench/overhead/allocations.sh counted on every request. Here a freed
// block goes on its class's list and the next header of the same shape takes it back, so in
// steady state no field costs an allocation, and the block reused is the one freed last (still
// in the cache).
//
// Every block, pooled or not, is made by operator new at its class's full size, so any block
// can be given back through any FieldAllocator: one without a pool (a default-constructed
// header, an HTTP/2 stream's) frees it with operator delete, a pool keeps it. A pool keeps at
// most `max_kept_per_class` blocks of each class; larger blocks than its largest class are not
// pooled at all. Memory a burst took beyond that goes back to the heap as it is freed.

#include <array>
#include <cstddef>
#include <new>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>

namespace levee::http {

class FieldPool {
 public:
  static constexpr std::size_t class_step = 64;  // bytes; Beast's field node is about 80 with a short name
  static constexpr std::size_t classes = 8;      // 64 B .. 512 B
  static constexpr std::size_t max_pooled = class_step * classes;
  // A keep-alive request and its answer hold about ten fields, most in the first two classes,
  // so the peak a worker frees at once grows with its busy connections. 256 was too few with
  // 50 connections (0.4 of the 2.7 allocations a request, bench/overhead/allocations.sh
  // --sites); 1024 leaves none with 200. Kept at most: 1024 blocks of each class, in practice
  // a few hundred KiB a worker after a burst (the blocks of the two small classes).
  static constexpr std::size_t max_kept_per_class = 1024;

  FieldPool() = default;
  FieldPool(const FieldPool&) = delete;
  FieldPool& operator=(const FieldPool&) = delete;
  ~FieldPool() {
    for (FreeBlock* head : free_) {
      while (head != nullptr) {
        FreeBlock* next = head->next;
        ::operator delete(head);
        head = next;
      }
    }
  }

  // The size a request of `bytes` is made at: its class's, or itself past the last class.
  static constexpr std::size_t block_size(std::size_t bytes) {
    return bytes > max_pooled ? bytes : (bytes + class_step - 1) / class_step * class_step;
  }

  void* allocate(std::size_t bytes) {
    if (bytes == 0 || bytes > max_pooled) return ::operator new(block_size(bytes));
    const std::size_t index = class_of(bytes);
    if (FreeBlock* block = free_[index]) {
      free_[index] = block->next;
      --kept_[index];
      return block;
    }
    return ::operator new(block_size(bytes));
  }

  void deallocate(void* pointer, std::size_t bytes) noexcept {
    if (bytes == 0 || bytes > max_pooled) {
      ::operator delete(pointer);
      return;
    }
    const std::size_t index = class_of(bytes);
    if (kept_[index] == max_kept_per_class) {
      ::operator delete(pointer);
      return;
    }
    free_[index] = ::new (pointer) FreeBlock{free_[index]};
    ++kept_[index];
  }

  // Blocks waiting for reuse (what the tests read).
  std::size_t kept() const {
    std::size_t total = 0;
    for (std::size_t count : kept_) total += count;
    return total;
  }

 private:
  struct FreeBlock {
    FreeBlock* next;
  };
  static constexpr std::size_t class_of(std::size_t bytes) { return (bytes - 1) / class_step; }

  std::array<FreeBlock*, classes> free_{};
  std::array<std::size_t, classes> kept_{};
};

// The allocator Beast's fields take. Without a pool it is operator new at the pool's block
// sizes (see above), which is also what a default-constructed header gets. Two allocators are
// interchangeable whatever their pools, so moving a header never copies its fields.
template <class T>
class FieldAllocator {
 public:
  using value_type = T;
  using is_always_equal = std::true_type;
  using propagate_on_container_move_assignment = std::true_type;

  FieldAllocator() noexcept = default;
  explicit FieldAllocator(FieldPool* pool) noexcept : pool_(pool) {}
  template <class U>
  FieldAllocator(const FieldAllocator<U>& other) noexcept : pool_(other.pool()) {}  // NOLINT: rebinding

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    return static_cast<T*>(pool_ ? pool_->allocate(bytes) : ::operator new(FieldPool::block_size(bytes)));
  }
  void deallocate(T* pointer, std::size_t n) noexcept {
    if (pool_)
      pool_->deallocate(pointer, n * sizeof(T));
    else
      ::operator delete(pointer);
  }

  FieldPool* pool() const noexcept { return pool_; }
  template <class U>
  bool operator==(const FieldAllocator<U>&) const noexcept {
    return true;
  }

 private:
  FieldPool* pool_ = nullptr;
};

// The header types levee parses into and hands around.
using Fields = boost::beast::http::basic_fields<FieldAllocator<char>>;
using RequestHeader = boost::beast::http::header<true, Fields>;
using ResponseHeader = boost::beast::http::header<false, Fields>;

// The parsers of the HTTP/1.1 path: body bytes go through a buffer_body into levee's own
// buffers. make_parser gives one whose fields come from `pool`.
using RequestParser = boost::beast::http::parser<true, boost::beast::http::buffer_body, FieldAllocator<char>>;
using ResponseParser = boost::beast::http::parser<false, boost::beast::http::buffer_body, FieldAllocator<char>>;

template <class Parser>
Parser make_parser(FieldPool& pool) {
  return Parser(std::piecewise_construct, std::make_tuple(), std::make_tuple(FieldAllocator<char>(&pool)));
}

// The same, made in place in `slot` (a parser is neither reset nor assigned: each message gets
// a new one).
template <class Parser>
Parser& emplace_parser(std::optional<Parser>& slot, FieldPool& pool) {
  return slot.emplace(std::piecewise_construct, std::make_tuple(), std::make_tuple(FieldAllocator<char>(&pool)));
}

}  // namespace levee::http
