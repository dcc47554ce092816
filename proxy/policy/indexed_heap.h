#pragma once
// A binary heap of small integer handles whose order can change while they are in it: each
// handle's position lives with its owner (Position returns a reference to it), so a handle is
// found, moved or removed in O(log n) without a search. AdmissionQueue keeps two per priority
// class over its flows: who is served next, and who is shed first.
//
// Before(a, b): a belongs nearer the top than b. Position(h): std::uint32_t& holding h's index
// in the heap, or npos while h is not in it.

#include <cstdint>
#include <utility>
#include <vector>

namespace levee::policy {

template <class Before, class Position>
class IndexedHeap {
 public:
  static constexpr std::uint32_t npos = 0xffffffffu;

  IndexedHeap(Before before, Position position) : before_(std::move(before)), position_(std::move(position)) {}

  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  std::uint32_t top() const { return items_.front(); }
  const std::vector<std::uint32_t>& items() const { return items_; }

  void push(std::uint32_t handle) {
    items_.push_back(handle);
    position_(handle) = static_cast<std::uint32_t>(items_.size() - 1);
    up(items_.size() - 1);
  }

  void erase(std::uint32_t handle) {
    std::uint32_t& where = position_(handle);
    const std::size_t at = where;
    where = npos;
    const std::uint32_t last = items_.back();
    items_.pop_back();
    if (at == items_.size()) return;
    place(at, last);
    fix(at);
  }

  // The handle's key changed: restore the order around it.
  void update(std::uint32_t handle) { fix(position_(handle)); }

  void clear() {
    for (const std::uint32_t handle : items_) position_(handle) = npos;
    items_.clear();
  }

 private:
  void place(std::size_t at, std::uint32_t handle) {
    items_[at] = handle;
    position_(handle) = static_cast<std::uint32_t>(at);
  }
  void fix(std::size_t at) {
    if (at > 0 && before_(items_[at], items_[(at - 1) / 2])) up(at);
    else down(at);
  }
  void up(std::size_t at) {
    const std::uint32_t handle = items_[at];
    while (at > 0) {
      const std::size_t parent = (at - 1) / 2;
      if (!before_(handle, items_[parent])) break;
      place(at, items_[parent]);
      at = parent;
    }
    place(at, handle);
  }
  void down(std::size_t at) {
    const std::uint32_t handle = items_[at];
    const std::size_t n = items_.size();
    while (true) {
      std::size_t child = 2 * at + 1;
      if (child >= n) break;
      if (child + 1 < n && before_(items_[child + 1], items_[child])) ++child;
      if (!before_(items_[child], handle)) break;
      place(at, items_[child]);
      at = child;
    }
    place(at, handle);
  }

  std::vector<std::uint32_t> items_;
  Before before_;
  Position position_;
};

}  // namespace levee::policy
