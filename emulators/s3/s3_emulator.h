#pragma once

// S3Emulator: the S3 port over one bucket, the region's EB storage bucket
// (elasticbeanstalk-<region>-<account>, eb-reference.md §7.5), which holds version bundles and
// instance logs. Any other bucket is NoSuchBucket.
//
// Like every emulator, a call takes effect when it is made (the service side) and its reply
// arrives after the modelled latency of ApiEndpoint; a throttled call ("s3.api.throttling",
// SlowDown) changes nothing.
//
// ExpiresAfter models EB's own cleanup of instance logs (kept 15 min, a failed instance's 1 h;
// eb-reference.md §1.6): the object is deleted at put time + ExpiresAfter, and overwriting the
// key cancels the earlier expiry (the new object carries its own, or none).
//
// Objects live in a std::map so that listings and destruction order are deterministic.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulators/common/api_endpoint.h"
#include "emulators/common/context.h"
#include "engine/ports/s3_api.h"
#include "sim/scheduler.h"
#include "sim/time.h"

namespace ebsim::emu::s3 {

class S3Emulator final : public ports::S3Api {
 public:
  explicit S3Emulator(EmulatorContext& ctx);
  // Cancels pending expiries (they point at this object). The scheduler must outlive it.
  ~S3Emulator() override;
  S3Emulator(const S3Emulator&) = delete;
  S3Emulator& operator=(const S3Emulator&) = delete;

  // --- ports::S3Api ---
  void putObject(ports::PutObjectRequest request,
                 ports::Callback<ports::PutObjectResult> done) override;
  void getObject(ports::ObjectKeyRequest request,
                 ports::Callback<ports::GetObjectResult> done) override;
  void headObject(ports::ObjectKeyRequest request,
                  ports::Callback<ports::HeadObjectResult> done) override;
  void deleteObject(ports::ObjectKeyRequest request, ports::Callback<ports::Empty> done) override;

  // --- Direct access (synchronous, not part of the API: for other emulators and tests) ---
  const std::string& bucket() const { return bucket_; }
  bool contains(std::string_view key) const;
  std::optional<std::string> body(std::string_view key) const;
  std::size_t objectCount() const { return objects_.size(); }
  // Keys starting with `prefix`, in lexicographic order (as ListObjectsV2 returns them).
  std::vector<std::string> keys(std::string_view prefix = {}) const;
  // When the object's pending expiry fires; nullopt when the key is absent or never expires.
  std::optional<sim::SimTime> expiresAt(std::string_view key) const;
  // Writes an object as PutObject would, without latency or throttling (e.g. to seed version
  // bundles). Returns its ETag. Throws std::invalid_argument for a negative expiry.
  std::string putDirect(std::string key, std::string body,
                        std::optional<sim::Duration> expiresAfter = std::nullopt);

  // The ETag S3 would give `body`: a quoted, 16-hex-digit FNV-1a hash. (Real S3 uses the MD5 of
  // a single-part upload; only stability and equality matter here.)
  static std::string etagOf(std::string_view body);

 private:
  struct Object {
    std::string body;
    std::string etag;
    sim::SimTime lastModified;
    sim::EventHandle expiry;  // pending expiry, if any
    std::optional<sim::SimTime> expiresAt;
  };
  using Objects = std::map<std::string, Object, std::less<>>;

  bool knownBucket(const std::string& bucket) const { return bucket == bucket_; }
  // The common start of every call: throttling, then the bucket. True when the call has
  // already been answered with the error.
  template <class T>
  bool rejected(const std::string& bucket, ports::Callback<T>& done);
  // rejected(), then the key: null when the call has already been answered with the error.
  template <class T>
  const Object* readable(const ports::ObjectKeyRequest& request, ports::Callback<T>& done);
  // The shared path of putObject and putDirect: validation is the caller's.
  const Object& store(std::string key, std::string body, std::optional<sim::Duration> expiresAfter);
  void expire(Objects::iterator it);

  EmulatorContext& ctx_;
  ApiEndpoint api_;
  std::string bucket_;
  Objects objects_;
};

}  // namespace ebsim::emu::s3
