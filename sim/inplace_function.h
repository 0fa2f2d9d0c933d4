#pragma once

// InplaceFunction: a move-only, type-erased callable stored entirely inside the object.
//
// std::function allocates on the heap when a lambda captures more than two pointers; the
// scheduler cannot afford that per event. InplaceFunction has a fixed inline capacity and
// refuses (at compile time) a callable that does not fit, so storing one never allocates.
// Capture a pointer to a larger context when a static_assert below fires.

#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace ebsim::sim {

template <typename Signature, std::size_t Capacity>
class InplaceFunction;

template <typename R, typename... Args, std::size_t Capacity>
class InplaceFunction<R(Args...), Capacity> {
 public:
  static constexpr std::size_t kCapacity = Capacity;

  InplaceFunction() = default;

  template <typename F, typename D = std::decay_t<F>,
            typename = std::enable_if_t<!std::is_same_v<D, InplaceFunction> &&
                                        std::is_invocable_r_v<R, D&, Args...>>>
  InplaceFunction(F&& f) {  // NOLINT(google-explicit-constructor): a callable converts
    emplace(std::forward<F>(f));
  }

  InplaceFunction(InplaceFunction&& other) noexcept { moveFrom(other); }
  InplaceFunction& operator=(InplaceFunction&& other) noexcept {
    if (this != &other) {
      reset();
      moveFrom(other);
    }
    return *this;
  }
  InplaceFunction(const InplaceFunction&) = delete;
  InplaceFunction& operator=(const InplaceFunction&) = delete;
  ~InplaceFunction() { reset(); }

  // Replaces the content with `f`, constructed in place (no temporary, no extra move).
  template <typename F>
  void emplace(F&& f) {
    using D = std::decay_t<F>;
    static_assert(std::is_invocable_r_v<R, D&, Args...>, "callable has the wrong signature");
    static_assert(sizeof(D) <= Capacity,
                  "callable too large for InplaceFunction: capture a pointer to a context "
                  "struct instead of many values");
    static_assert(alignof(D) <= alignof(std::max_align_t), "callable over-aligned");
    static_assert(std::is_nothrow_move_constructible_v<D>,
                  "callable must be nothrow move constructible");
    reset();
    ::new (static_cast<void*>(storage_)) D(std::forward<F>(f));
    ops_ = &kOpsFor<D>;
  }

  explicit operator bool() const { return ops_ != nullptr; }

  // Precondition: not empty.
  R operator()(Args... args) { return ops_->invoke(storage_, std::forward<Args>(args)...); }

  void reset() {
    // Cleared before the callable's destructor runs: that destructor is user code and may
    // reach this object again (e.g. through a scheduler cancelling the event it belongs to).
    const Ops* ops = std::exchange(ops_, nullptr);
    if (ops != nullptr && ops->destroy != nullptr) ops->destroy(storage_);
  }

 private:
  struct Ops {
    R (*invoke)(void*, Args&&...);
    // Move-constructs into `to` and destroys `from`; nullptr when the callable is trivially
    // copyable, which is then relocated with a fixed-size memcpy (no indirect call).
    void (*moveTo)(void* from, void* to);
    void (*destroy)(void*);  // nullptr when trivially destructible
  };

  template <typename D>
  static constexpr Ops kOpsFor = {
      [](void* p, Args&&... args) -> R {
        if constexpr (std::is_void_v<R>) {
          (*static_cast<D*>(p))(std::forward<Args>(args)...);  // a result, if any, is dropped
        } else {
          return (*static_cast<D*>(p))(std::forward<Args>(args)...);
        }
      },
      std::is_trivially_copyable_v<D> ? nullptr
                                      : +[](void* from, void* to) {
                                          D* src = static_cast<D*>(from);
                                          ::new (to) D(std::move(*src));
                                          src->~D();
                                        },
      std::is_trivially_destructible_v<D> ? nullptr
                                          : +[](void* p) { static_cast<D*>(p)->~D(); },
  };

  void moveFrom(InplaceFunction& other) noexcept {
    if (other.ops_ != nullptr) {
      if (other.ops_->moveTo != nullptr) {
        other.ops_->moveTo(other.storage_, storage_);
      } else {
        std::memcpy(storage_, other.storage_, Capacity);
      }
      ops_ = other.ops_;
      other.ops_ = nullptr;
    }
  }

  alignas(std::max_align_t) unsigned char storage_[Capacity];
  const Ops* ops_ = nullptr;
};

}  // namespace ebsim::sim
