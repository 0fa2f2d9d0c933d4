#include "emulators/s3/s3_emulator.h"

#include <stdexcept>
#include <utility>

#include "sim/rng.h"
#include "sim/trace.h"

namespace ebsim::emu::s3 {

namespace {

// S3's own messages (as the service spells them).
constexpr const char* kNoSuchBucketMessage = "The specified bucket does not exist";
constexpr const char* kNoSuchKeyMessage = "The specified key does not exist.";
// S3's code for a malformed request argument. ExpiresAfter is our extension, but a negative one
// is a caller's mistake S3 would reject the same way.
constexpr const char* kInvalidArgument = "InvalidArgument";

std::int64_t sizeOf(const std::string& body) { return static_cast<std::int64_t>(body.size()); }

}  // namespace

S3Emulator::S3Emulator(EmulatorContext& ctx)
    : ctx_(ctx),
      api_(ctx, ApiEndpoint::Options{"s3", ports::errors::kSlowDown}),
      bucket_(ctx.region.storageBucket()) {}

S3Emulator::~S3Emulator() {
  for (auto& [key, object] : objects_) ctx_.scheduler.cancel(object.expiry);
}

std::string S3Emulator::etagOf(std::string_view body) {
  // Appended piecewise: `"\"" + str + "\""` trips GCC 12's false -Wrestrict (GCC PR 105329).
  std::string etag;
  etag.reserve(18);
  etag += '"';
  etag += sim::toHex16(sim::fnv1a64(body));
  etag += '"';
  return etag;
}

// --- API ---

template <class T>
bool S3Emulator::rejected(const std::string& bucket, ports::Callback<T>& done) {
  if (api_.rejectThrottled(done)) return true;
  if (knownBucket(bucket)) return false;
  api_.fail(std::move(done), ports::errors::kNoSuchBucket, kNoSuchBucketMessage);
  return true;
}

template <class T>
const S3Emulator::Object* S3Emulator::readable(const ports::ObjectKeyRequest& request,
                                               ports::Callback<T>& done) {
  if (rejected(request.Bucket, done)) return nullptr;
  const auto it = objects_.find(request.Key);
  if (it != objects_.end()) return &it->second;
  // Real HEAD responses have no body, so SDKs see a bare 404; the port reports NoSuchKey for
  // both reads so that callers handle one code.
  api_.fail(std::move(done), ports::errors::kNoSuchKey, kNoSuchKeyMessage);
  return nullptr;
}

void S3Emulator::putObject(ports::PutObjectRequest request,
                           ports::Callback<ports::PutObjectResult> done) {
  if (rejected(request.Bucket, done)) return;
  if (request.ExpiresAfter && *request.ExpiresAfter < sim::Duration::zero()) {
    api_.fail(std::move(done), kInvalidArgument, "ExpiresAfter must not be negative");
    return;
  }
  const Object& o = store(std::move(request.Key), std::move(request.Body), request.ExpiresAfter);
  api_.reply(std::move(done),
             ports::Outcome<ports::PutObjectResult>(ports::PutObjectResult{o.etag}));
}

void S3Emulator::getObject(ports::ObjectKeyRequest request,
                           ports::Callback<ports::GetObjectResult> done) {
  const Object* o = readable(request, done);
  if (o == nullptr) return;
  // The body is read now (the service side); a later overwrite does not change this reply.
  api_.reply(std::move(done), ports::Outcome<ports::GetObjectResult>(ports::GetObjectResult{
                                  o->body, sizeOf(o->body), o->etag, o->lastModified}));
}

void S3Emulator::headObject(ports::ObjectKeyRequest request,
                            ports::Callback<ports::HeadObjectResult> done) {
  const Object* o = readable(request, done);
  if (o == nullptr) return;
  api_.reply(std::move(done), ports::Outcome<ports::HeadObjectResult>(ports::HeadObjectResult{
                                  sizeOf(o->body), o->etag, o->lastModified}));
}

void S3Emulator::deleteObject(ports::ObjectKeyRequest request, ports::Callback<ports::Empty> done) {
  if (rejected(request.Bucket, done)) return;
  // Deleting a missing key succeeds, as in S3 (204 No Content either way); only a real
  // deletion is a state change worth a trace event.
  if (const auto it = objects_.find(request.Key); it != objects_.end()) {
    ctx_.scheduler.cancel(it->second.expiry);
    ctx_.trace.record(ctx_.now(), "s3.object.deleted", it->first);
    objects_.erase(it);
  }
  api_.reply(std::move(done), ports::Outcome<ports::Empty>(ports::Empty{}));
}

// --- Direct access ---

bool S3Emulator::contains(std::string_view key) const { return objects_.contains(key); }

std::optional<std::string> S3Emulator::body(std::string_view key) const {
  const auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  return it->second.body;
}

std::vector<std::string> S3Emulator::keys(std::string_view prefix) const {
  std::vector<std::string> out;
  for (auto it = objects_.lower_bound(prefix); it != objects_.end(); ++it) {
    if (!it->first.starts_with(prefix)) break;  // keys with the prefix are contiguous
    out.push_back(it->first);
  }
  return out;
}

std::optional<sim::SimTime> S3Emulator::expiresAt(std::string_view key) const {
  const auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  return it->second.expiresAt;
}

std::string S3Emulator::putDirect(std::string key, std::string body,
                                  std::optional<sim::Duration> expiresAfter) {
  if (expiresAfter && *expiresAfter < sim::Duration::zero()) {
    throw std::invalid_argument("S3Emulator::putDirect: negative expiry for '" + key + "'");
  }
  return store(std::move(key), std::move(body), expiresAfter).etag;
}

// --- Internals ---

const S3Emulator::Object& S3Emulator::store(std::string key, std::string body,
                                            std::optional<sim::Duration> expiresAfter) {
  const sim::SimTime now = ctx_.now();
  auto [it, inserted] = objects_.try_emplace(std::move(key));
  Object& o = it->second;
  // An overwrite is a new object: the old one's expiry no longer applies.
  if (!inserted) ctx_.scheduler.cancel(o.expiry);
  o.etag = etagOf(body);
  o.body = std::move(body);
  o.lastModified = now;
  o.expiry = {};
  o.expiresAt.reset();
  if (expiresAfter) {
    o.expiresAt = now + *expiresAfter;
    // The map node is stable until erased, and every erase cancels this event first.
    o.expiry = ctx_.scheduler.scheduleAt(*o.expiresAt, [this, it = it]() { expire(it); });
    ctx_.trace.record(
        now, "s3.object.put", it->first,
        {{"bytes", sizeOf(o.body)}, {"etag", o.etag}, {"expires_after", *expiresAfter}});
  } else {
    ctx_.trace.record(now, "s3.object.put", it->first,
                      {{"bytes", sizeOf(o.body)}, {"etag", o.etag}});
  }
  return o;
}

void S3Emulator::expire(Objects::iterator it) {
  ctx_.trace.record(ctx_.now(), "s3.object.expired", it->first);
  objects_.erase(it);
}

}  // namespace ebsim::emu::s3
