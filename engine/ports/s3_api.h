#pragma once

// S3 port: PutObject, GetObject, HeadObject, DeleteObject on the environments' storage bucket
// (elasticbeanstalk-<region>-<account>): version bundles and instance logs.

#include <cstdint>
#include <optional>
#include <string>

#include "engine/ports/outcome.h"
#include "sim/time.h"

namespace ebsim::ports {

struct PutObjectRequest {
  std::string Bucket;
  std::string Key;
  std::string Body;
  // The object is deleted this long after it is written: EB's own cleanup of instance logs
  // (15 min, or 1 h for a failed instance's; eb-reference.md 1.6). Not an S3 request field.
  std::optional<sim::Duration> ExpiresAfter;
};
struct PutObjectResult {
  std::string ETag;
};
struct ObjectKeyRequest {
  std::string Bucket;
  std::string Key;
};
struct HeadObjectResult {
  std::int64_t ContentLength = 0;
  std::string ETag;
  sim::SimTime LastModified;
};
struct GetObjectResult {
  std::string Body;
  std::int64_t ContentLength = 0;
  std::string ETag;
  sim::SimTime LastModified;
};

class S3Api {
 public:
  virtual ~S3Api() = default;
  virtual void putObject(PutObjectRequest request, Callback<PutObjectResult> done) = 0;
  virtual void getObject(ObjectKeyRequest request, Callback<GetObjectResult> done) = 0;
  virtual void headObject(ObjectKeyRequest request, Callback<HeadObjectResult> done) = 0;
  virtual void deleteObject(ObjectKeyRequest request, Callback<Empty> done) = 0;
};

}  // namespace ebsim::ports
