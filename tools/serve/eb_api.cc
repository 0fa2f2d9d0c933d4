#include "tools/serve/eb_api.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <exception>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "engine/options.h"
#include "tools/serve/xml.h"

namespace ebsim::serve {
namespace {

constexpr const char* kNamespace = "http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/";
constexpr const char* kSolutionStack = "64bit Amazon Linux 2023 running Node.js 20";

ApiError invalid(const std::string& message) {
  return ApiError(400, "InvalidParameterValue", message);
}

[[noreturn]] void raise(const ports::AwsError& e) {
  throw ApiError(e.Code == "InternalFailure" ? 500 : 400, e.Code, e.Message);
}

template <typename T>
const T& valueOr(const ports::Outcome<T>& o) {
  if (!o.ok()) raise(o.error());
  return o.value();
}

using Option = OptionSetting;

// `text` as a whole number of type T; nullopt if it is anything else (or out of T's range).
template <typename T>
std::optional<T> wholeNumber(std::string_view text) {
  T v{};
  const char* end = text.data() + text.size();
  const auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || p != end) return std::nullopt;
  return v;
}

std::vector<Option> optionsOf(const QueryRequest& q) {
  std::vector<Option> out;
  for (auto& fields : q.structs("OptionSettings")) {
    Option o{fields["Namespace"], fields["OptionName"], fields["Value"]};
    if (o.name.empty()) throw invalid("Option setting without an OptionName.");
    out.push_back(std::move(o));
  }
  return out;
}

namespace opt = engine::options;

// The catalogue's row of an option that option settings set; nullptr for the others, which
// ebsim accepts and ignores (docs/serve.md lists the modelled ones).
const opt::OptionSpec* settable(const Option& o) {
  const opt::OptionSpec* spec = opt::find(o.ns, o.name);
  return spec != nullptr && spec->support == opt::Support::kSettable ? spec : nullptr;
}

// Applies `o` by its row; throws EB's ConfigurationValidationException for a bad value.
void apply(const opt::OptionSpec& spec, const Option& o, opt::Configuration& c) {
  if (const auto problem = opt::set(c, spec, o.value)) raise(*problem);
}

// MaxRecords (1 to 1000; default 1000), as the describe operations take it.
int maxRecords(const QueryRequest& q) {
  const auto m = q.get("MaxRecords");
  if (!m) return 1000;
  const auto v = wholeNumber<int>(*m);
  if (!v || *v < 1 || *v > 1000) {
    throw invalid("Value " + *m + " for parameter MaxRecords is invalid: 1 to 1000.");
  }
  return *v;
}

// NextToken: "<prefix><position>", where the next page starts. Throws for any other token.
std::optional<std::string> nextToken(const QueryRequest& q, char prefix) {
  const auto t = q.get("NextToken");
  if (!t || t->empty()) return std::nullopt;
  if ((*t)[0] != prefix) throw invalid("Invalid NextToken: " + *t);
  return t->substr(1);
}

// A new environment's configuration from its option settings (later ones win). Throws
// ConfigurationValidationException for a bad value. Rolling-update options wait for the updates
// that take them (configurationUpdate), which check them.
engine::EnvironmentConfig environmentConfig(const std::vector<Option>& settings) {
  opt::Configuration c;
  for (const Option& o : settings) {
    const opt::OptionSpec* spec = settable(o);
    if (spec != nullptr && spec->field != opt::UpdateField::kRollingUpdate) apply(*spec, o, c);
  }
  const engine::EnvironmentConfig& e = c.environment;
  if (e.minSize > e.maxSize) {
    raise(opt::configurationError("MinSize (" + std::to_string(e.minSize) +
                                  ") must not exceed MaxSize (" + std::to_string(e.maxSize) +
                                  ")."));
  }
  return e;
}

// The configuration update option settings make on a running environment: the rolling-update
// options it was given before (`kept`), then the request's, and the request's other options over
// its current configuration. Options ebsim takes only at creation are ignored.
engine::ConfigurationUpdate configurationUpdate(const engine::EnvironmentConfig& current,
                                                const std::vector<Option>& kept,
                                                const std::vector<Option>& request) {
  using Field = opt::UpdateField;
  opt::Configuration next{current, {}};
  for (const auto* settings : {&kept, &request}) {
    for (const Option& o : *settings) {
      const opt::OptionSpec* spec = settable(o);
      if (spec != nullptr && spec->field == Field::kRollingUpdate) apply(*spec, o, next);
    }
  }
  std::set<Field> changed;
  for (const Option& o : request) {
    const opt::OptionSpec* spec = settable(o);
    if (spec == nullptr || spec->field == Field::kNone || spec->field == Field::kRollingUpdate) {
      continue;
    }
    apply(*spec, o, next);
    changed.insert(spec->field);
  }
  const engine::EnvironmentConfig& e = next.environment;
  engine::ConfigurationUpdate update;
  update.rollingUpdate = next.rollingUpdate;
  if (changed.count(Field::kDeployment) != 0) update.deployment = e.deployment;
  if (changed.count(Field::kMinSize) != 0) update.minSize = e.minSize;
  if (changed.count(Field::kMaxSize) != 0) update.maxSize = e.maxSize;
  if (changed.count(Field::kInstanceType) != 0) update.instanceType = e.instanceType;
  if (changed.count(Field::kHealthCheck) != 0) update.healthCheck = e.healthCheck;
  return update;
}

// An environment's settings now, as option settings in EB's namespaces: every option ebsim
// models (environmentConfig() reads the same ones back), from the engine's configuration.
std::vector<Option> effectiveOptions(const engine::EnvironmentConfig& c) {
  std::vector<Option> out;
  for (const opt::OptionSpec& spec : opt::catalogue()) {
    if (spec.current != nullptr) {
      out.push_back({std::string(spec.ns), std::string(spec.name), spec.current(c)});
    }
  }
  return out;
}

void writeOptionSettings(XmlWriter& x, const std::vector<Option>& options) {
  x.open("OptionSettings");
  for (const auto& o : options) {
    x.open("member").leaf("Namespace", o.ns).leaf("OptionName", o.name).leaf("Value", o.value);
    x.close();
  }
  x.close();
}

}  // namespace

// The reply being written: the operation's <XResult> opens on first use.
class EbApi::Writer {
 public:
  Writer(XmlWriter& xml, std::string action) : xml_(xml), action_(std::move(action)) {}
  XmlWriter& result() {
    if (!open_) {
      xml_.open(action_ + "Result");
      open_ = true;
    }
    return xml_;
  }
  bool open() const { return open_; }
  // The RequestId to answer with: the engine's, for an operation whose events carry it.
  std::string requestId;

 private:
  XmlWriter& xml_;
  std::string action_;
  bool open_ = false;
};

EbApi::EbApi(LiveCloud& cloud, std::int64_t epochMs) : cloud_(cloud), epochMs_(epochMs) {}

std::string EbApi::timestamp(sim::SimTime t) const {
  const std::int64_t ms = epochMs_ + t.nanos() / 1'000'000;
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms % 1000));
  return buffer;
}

sim::SimTime EbApi::fromTimestamp(const std::string& text) const {
  std::tm utc{};
  int millis = 0;
  char z = 0;
  const int n =
      std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &utc.tm_year, &utc.tm_mon,
                  &utc.tm_mday, &utc.tm_hour, &utc.tm_min, &utc.tm_sec, &millis, &z);
  if (n < 6) throw invalid("Invalid timestamp: " + text);
  if (n < 7) millis = 0;
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  const std::int64_t ms = static_cast<std::int64_t>(timegm(&utc)) * 1000 + millis;
  return sim::SimTime::fromNanos((ms - epochMs_) * 1'000'000);
}

std::string EbApi::nextRequestId() {
  // UUID-shaped, from a counter (the engine's own operations carry the engine's ids).
  char buffer[40];
  const std::uint64_t n = ++requests_;
  std::snprintf(buffer, sizeof buffer, "00000000-0000-4000-8000-%012llx",
                static_cast<unsigned long long>(n));
  return buffer;
}

ApiReply EbApi::handle(std::string_view urlQuery, std::string_view body) {
  std::string requestId = nextRequestId();
  std::string action;
  try {
    const QueryRequest q = QueryRequest::parse(urlQuery, body);
    action = q.action();
    if (const auto version = q.get("Version"); version && *version != "2010-12-01") {
      throw ApiError(400, "InvalidParameterValue",
                     "Unsupported API version " + *version + ": this is 2010-12-01.");
    }
    XmlWriter xml;
    xml.open(action + "Response", kNamespace);
    Writer w(xml, action);
    dispatch(q, w);
    if (w.open()) xml.close();
    if (!w.requestId.empty()) requestId = w.requestId;
    xml.open("ResponseMetadata").leaf("RequestId", requestId).close();
    return {200, xml.finish(), action};
  } catch (const ApiError& e) {
    return {e.status, errorEnvelope(e, requestId), action};
  } catch (const std::exception& e) {
    const ApiError internal(500, "InternalFailure",
                            std::string("The request processing has failed: ") + e.what());
    return {500, errorEnvelope(internal, requestId), action};
  }
}

std::string errorEnvelope(const ApiError& error, const std::string& requestId) {
  XmlWriter xml;
  xml.open("ErrorResponse", kNamespace)
      .open("Error")
      .leaf("Type", error.status >= 500 ? "Receiver" : "Sender")
      .leaf("Code", error.code)
      .leaf("Message", error.what())
      .close();
  if (!requestId.empty()) xml.leaf("RequestId", requestId);
  return xml.finish();
}

void EbApi::dispatch(const QueryRequest& q, Writer& w) {
  using Op = void (EbApi::*)(const QueryRequest&, Writer&);
  static const std::map<std::string, Op, std::less<>> kOps = {
      {"AbortEnvironmentUpdate", &EbApi::abortEnvironmentUpdate},
      {"CheckDNSAvailability", &EbApi::checkDnsAvailability},
      {"CreateApplication", &EbApi::createApplication},
      {"CreateApplicationVersion", &EbApi::createApplicationVersion},
      {"CreateConfigurationTemplate", &EbApi::createConfigurationTemplate},
      {"CreateEnvironment", &EbApi::createEnvironment},
      {"DeleteApplication", &EbApi::deleteApplication},
      {"DeleteConfigurationTemplate", &EbApi::deleteConfigurationTemplate},
      {"DescribeConfigurationSettings", &EbApi::describeConfigurationSettings},
      {"DescribeApplicationVersions", &EbApi::describeApplicationVersions},
      {"DescribeApplications", &EbApi::describeApplications},
      {"DescribeEnvironmentHealth", &EbApi::describeEnvironmentHealth},
      {"DescribeEnvironmentResources", &EbApi::describeEnvironmentResources},
      {"DescribeEnvironments", &EbApi::describeEnvironments},
      {"DescribeEvents", &EbApi::describeEvents},
      {"DescribeInstancesHealth", &EbApi::describeInstancesHealth},
      {"RebuildEnvironment", &EbApi::rebuildEnvironment},
      {"RestartAppServer", &EbApi::restartAppServer},
      {"SwapEnvironmentCNAMEs", &EbApi::swapEnvironmentCnames},
      {"TerminateEnvironment", &EbApi::terminateEnvironment},
      {"UpdateEnvironment", &EbApi::updateEnvironment},
      {"ValidateConfigurationSettings", &EbApi::validateConfigurationSettings},
  };
  const auto it = kOps.find(q.action());
  if (it == kOps.end()) {
    throw ApiError(400, "InvalidAction",
                   "The action " + q.action() + " is not valid for this web service.");
  }
  (this->*(it->second))(q, w);
}

// --- Applications and versions ---------------------------------------------------------------

void EbApi::createApplication(const QueryRequest& q, Writer& w) {
  const std::string name = q.require("ApplicationName");
  valueOr(cloud_.engine().createApplication(name));
  auto& x = w.result().open("Application");
  x.leaf("ApplicationName", name);
  if (const auto d = q.get("Description")) x.leaf("Description", *d);
  x.leaf("DateCreated", timestamp(cloud_.now())).leaf("DateUpdated", timestamp(cloud_.now()));
  x.open("ConfigurationTemplates").leaf("member", "default").close();
  x.open("Versions").close().close();
}

void EbApi::describeApplications(const QueryRequest& q, Writer& w) {
  const auto wanted = q.list("ApplicationNames");
  auto& x = w.result().open("Applications");
  for (const std::string& name : cloud_.engine().applicationNames()) {
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), name) == wanted.end()) continue;
    x.open("member").leaf("ApplicationName", name).open("Versions");
    const auto versions = cloud_.engine().applicationVersions(name);
    for (const auto& [label, key] : *versions) {
      x.leaf("member", label);
    }
    x.close().open("ConfigurationTemplates").leaf("member", "default").close().close();
  }
  x.close();
}

void EbApi::deleteApplication(const QueryRequest& q, Writer&) {
  valueOr(cloud_.engine().deleteApplication(q.require("ApplicationName")));
}

void EbApi::createApplicationVersion(const QueryRequest& q, Writer& w) {
  const std::string application = q.require("ApplicationName");
  const std::string label = q.require("VersionLabel");
  if (q.flag("AutoCreateApplication", false) && !cloud_.engine().applicationVersions(application)) {
    valueOr(cloud_.engine().createApplication(application));
  }
  // The bundle: copied from the caller's bucket into the environment storage, where the engine
  // (and the instances) fetch it. None: the sample application.
  std::string key;
  const auto bucket = q.get("SourceBundle.S3Bucket");
  const auto object = q.get("SourceBundle.S3Key");
  if (bucket && object) {
    key = application + "/" + label + "-" + *object;
    cloud_.cloud().s3().putDirect(key, "s3://" + *bucket + "/" + *object);
  }
  valueOr(cloud_.engine().createApplicationVersion(application, label, key));
  auto& x = w.result().open("ApplicationVersion");
  x.leaf("ApplicationName", application).leaf("VersionLabel", label);
  if (const auto d = q.get("Description")) x.leaf("Description", *d);
  if (bucket && object) {
    x.open("SourceBundle").leaf("S3Bucket", *bucket).leaf("S3Key", *object).close();
  }
  x.leaf("DateCreated", timestamp(cloud_.now()))
      .leaf("DateUpdated", timestamp(cloud_.now()))
      .leaf("Status", "Processed")
      .close();
}

void EbApi::describeApplicationVersions(const QueryRequest& q, Writer& w) {
  const auto application = q.get("ApplicationName");
  const auto labels = q.list("VersionLabels");
  const int limit = maxRecords(q);
  // A token is how many matching versions earlier pages gave (versions are listed by
  // application and label, and are only ever added).
  std::size_t skip = 0;
  if (const auto token = nextToken(q, 'v')) {
    const auto n = wholeNumber<std::size_t>(*token);
    if (!n) throw invalid("Invalid NextToken: v" + *token);
    skip = *n;
  }
  auto& x = w.result().open("ApplicationVersions");
  std::size_t seen = 0;
  int written = 0;
  bool more = false;
  for (const std::string& app : cloud_.engine().applicationNames()) {
    if (application && !application->empty() && *application != app) continue;
    const auto versions = cloud_.engine().applicationVersions(app);
    for (const auto& [label, key] : *versions) {
      if (!labels.empty() && std::find(labels.begin(), labels.end(), label) == labels.end()) {
        continue;
      }
      if (seen++ < skip) continue;
      if (written == limit) {
        more = true;
        break;
      }
      x.open("member").leaf("ApplicationName", app).leaf("VersionLabel", label);
      x.leaf("Status", "Processed").close();
      ++written;
    }
    if (more) break;
  }
  x.close();
  if (more) x.leaf("NextToken", "v" + std::to_string(skip + static_cast<std::size_t>(written)));
}

// --- Environments ----------------------------------------------------------------------------

engine::EnvironmentDescription EbApi::environmentOf(const QueryRequest& q,
                                                    const std::string& prefix, bool terminatedToo) {
  const auto name = q.get(prefix + "EnvironmentName");
  const auto id = q.get(prefix + "EnvironmentId");
  if ((!name || name->empty()) && (!id || id->empty())) {
    throw ApiError(400, "MissingParameter",
                   "The request must contain the parameter " + prefix + "EnvironmentName or " +
                       prefix + "EnvironmentId.");
  }
  for (const auto& e : cloud_.engine().describeAll()) {
    if (e.Status == engine::EnvironmentStatus::kTerminated && !terminatedToo) continue;
    if ((name && !name->empty() && e.EnvironmentName == *name) ||
        (id && !id->empty() && e.EnvironmentId == *id)) {
      return e;
    }
  }
  if (name && !name->empty()) {
    throw invalid("No Environment found for EnvironmentName = '" + *name + "'.");
  }
  throw invalid("No Environment found for EnvironmentId = '" + *id + "'.");
}

void EbApi::writeEnvironment(Writer& w, const engine::EnvironmentDescription& e) {
  auto& x = w.result();
  x.leaf("EnvironmentName", e.EnvironmentName)
      .leaf("EnvironmentId", e.EnvironmentId)
      .leaf("ApplicationName", e.ApplicationName);
  if (!e.VersionLabel.empty()) x.leaf("VersionLabel", e.VersionLabel);
  x.leaf("SolutionStackName", kSolutionStack);
  if (!e.CNAME.empty()) x.leaf("CNAME", e.CNAME);
  if (!e.EndpointURL.empty()) x.leaf("EndpointURL", e.EndpointURL);
  x.leaf("DateCreated", timestamp(e.DateCreated))
      .leaf("DateUpdated", timestamp(e.DateUpdated))
      .leaf("Status", engine::toString(e.Status))
      .leaf("AbortableOperationInProgress", e.AbortableOperationInProgress)
      .leaf("Health", engine::toString(e.Health));
  if (!e.HealthStatus.empty()) x.leaf("HealthStatus", e.HealthStatus);
  x.open("Tier").leaf("Name", "WebServer").leaf("Type", "Standard").leaf("Version", "1.0").close();
  x.leaf("EnvironmentArn", "arn:aws:elasticbeanstalk:" + cloud_.region().name + ":" +
                               cloud_.region().accountId + ":environment/" + e.ApplicationName +
                               "/" + e.EnvironmentName);
}

void EbApi::createEnvironment(const QueryRequest& q, Writer& w) {
  engine::CreateEnvironmentRequest r;
  r.ApplicationName = q.require("ApplicationName");
  r.EnvironmentName = q.require("EnvironmentName");
  r.CNAMEPrefix = q.get("CNAMEPrefix").value_or("");
  r.VersionLabel = q.get("VersionLabel").value_or("");
  const auto templateName = q.get("TemplateName");
  // A clone: the source environment's configuration and version (eb-reference.md §4). The EB
  // CLI's `eb clone` names it as TemplateSpecification.TemplateSource.EnvironmentName (its
  // ebcli/lib/elasticbeanstalk.py clone_environment, with the TemplateSource shape of the
  // service model it bundles); the id form is accepted too.
  const auto cloneOfName = q.get("TemplateSpecification.TemplateSource.EnvironmentName");
  const auto cloneOfId =
      q.get("TemplateSpecification.TemplateSnapshotConfiguration.SourceEnvironmentId");
  const bool byName = cloneOfName && !cloneOfName->empty();
  if (byName || (cloneOfId && !cloneOfId->empty())) {
    std::string source;
    for (const auto& e : cloud_.engine().describeAll()) {
      if ((byName ? e.EnvironmentName == *cloneOfName : e.EnvironmentId == *cloneOfId) &&
          e.Status != engine::EnvironmentStatus::kTerminated) {
        source = e.EnvironmentName;
      }
    }
    if (source.empty()) {
      throw invalid(byName ? "No Environment found for EnvironmentName = '" + *cloneOfName + "'."
                           : "No Environment found for EnvironmentId = '" + *cloneOfId + "'.");
    }
    const auto created =
        valueOr(cloud_.engine().cloneEnvironment(source, r.EnvironmentName, r.CNAMEPrefix));
    environmentOptions_[r.EnvironmentName] = environmentOptions_[source];
    w.requestId = cloud_.engine().requestIdOf(created.EnvironmentName);
    writeEnvironment(w, created);
    return;
  }
  std::vector<Option> options;
  if (templateName && !templateName->empty())
    options = templateOf(r.ApplicationName, *templateName);
  for (auto& o : optionsOf(q)) options.push_back(std::move(o));  // the request's win
  r.Config = environmentConfig(options);
  const auto created = valueOr(cloud_.engine().createEnvironment(r));
  environmentOptions_[r.EnvironmentName] = options;
  w.requestId = cloud_.engine().requestIdOf(created.EnvironmentName);
  writeEnvironment(w, created);
}

void EbApi::describeEnvironments(const QueryRequest& q, Writer& w) {
  const auto names = q.list("EnvironmentNames");
  const auto ids = q.list("EnvironmentIds");
  const auto application = q.get("ApplicationName");
  const auto version = q.get("VersionLabel");
  const bool includeDeleted = q.flag("IncludeDeleted", false);
  const int limit = maxRecords(q);
  const auto from = nextToken(q, 'n');  // the name of the first environment of this page
  auto& x = w.result().open("Environments");
  int written = 0;
  std::optional<std::string> next;
  for (const auto& e : cloud_.engine().describeAll()) {  // in name order
    if (from && e.EnvironmentName < *from) continue;
    if (!includeDeleted && e.Status == engine::EnvironmentStatus::kTerminated) continue;
    if (!names.empty() && std::find(names.begin(), names.end(), e.EnvironmentName) == names.end()) {
      continue;
    }
    if (!ids.empty() && std::find(ids.begin(), ids.end(), e.EnvironmentId) == ids.end()) continue;
    if (application && !application->empty() && e.ApplicationName != *application) continue;
    if (version && !version->empty() && e.VersionLabel != *version) continue;
    if (written == limit) {
      next = e.EnvironmentName;
      break;
    }
    x.open("member");
    writeEnvironment(w, e);
    x.close();
    ++written;
  }
  x.close();
  if (next) x.leaf("NextToken", "n" + *next);
}

void EbApi::updateEnvironment(const QueryRequest& q, Writer& w) {
  const engine::EnvironmentDescription env = environmentOf(q);
  const auto version = q.get("VersionLabel");
  const auto options = optionsOf(q);
  if (version && !version->empty() && !options.empty()) {
    throw ApiError(400, "InvalidParameterCombination",
                   "You cannot update the version and the configuration of an environment in "
                   "one call.");
  }
  if (version && !version->empty()) {
    valueOr(cloud_.engine().deploy(env.EnvironmentName, *version));
  } else if (!options.empty()) {
    // One option changes one setting: the others keep the environment's current values. The
    // rolling-update options persist too (the engine takes them per update).
    const engine::ConfigurationUpdate update =
        configurationUpdate(*cloud_.engine().configuration(env.EnvironmentName),
                            environmentOptions_[env.EnvironmentName], options);
    auto& kept = environmentOptions_[env.EnvironmentName];
    if (!update.replacesInstances() && !update.changesInPlace()) {
      // Nothing to apply now: options ebsim does not model, or rolling-update settings alone,
      // which are kept for the next update that replaces instances.
      kept.insert(kept.end(), options.begin(), options.end());
      writeEnvironment(w, env);
      return;
    }
    valueOr(cloud_.engine().updateConfiguration(env.EnvironmentName, update));
    kept.insert(kept.end(), options.begin(), options.end());
  }
  w.requestId = cloud_.engine().requestIdOf(env.EnvironmentName);
  writeEnvironment(w, *cloud_.engine().describe(env.EnvironmentName));
}

void EbApi::terminateEnvironment(const QueryRequest& q, Writer& w) {
  const engine::EnvironmentDescription env = environmentOf(q);
  valueOr(
      cloud_.engine().terminateEnvironment(env.EnvironmentName, q.flag("ForceTerminate", false)));
  w.requestId = cloud_.engine().requestIdOf(env.EnvironmentName);
  writeEnvironment(w, *cloud_.engine().describe(env.EnvironmentName));
}

void EbApi::swapEnvironmentCnames(const QueryRequest& q, Writer&) {
  const auto source = environmentOf(q, "Source");
  const auto destination = environmentOf(q, "Destination");
  valueOr(
      cloud_.engine().swapEnvironmentCNAMEs(source.EnvironmentName, destination.EnvironmentName));
}

void EbApi::restartAppServer(const QueryRequest& q, Writer& w) {
  const auto env = environmentOf(q);
  valueOr(cloud_.engine().restartAppServer(env.EnvironmentName));
  w.requestId = cloud_.engine().requestIdOf(env.EnvironmentName);
}

void EbApi::rebuildEnvironment(const QueryRequest& q, Writer& w) {
  const auto env = environmentOf(q, "", true);
  valueOr(cloud_.engine().rebuildEnvironment(env.EnvironmentName));
  w.requestId = cloud_.engine().requestIdOf(env.EnvironmentName);
}

void EbApi::abortEnvironmentUpdate(const QueryRequest& q, Writer&) {
  const auto env = environmentOf(q);
  valueOr(cloud_.engine().abortEnvironmentUpdate(env.EnvironmentName));
}

void EbApi::describeEvents(const QueryRequest& q, Writer& w) {
  const auto application = q.get("ApplicationName");
  const auto environment = q.get("EnvironmentName");
  const auto environmentId = q.get("EnvironmentId");
  const auto requestId = q.get("RequestId");
  std::string environmentName = environment.value_or("");
  if (environmentId && !environmentId->empty()) {
    for (const auto& e : cloud_.engine().describeAll()) {
      if (e.EnvironmentId == *environmentId) environmentName = e.EnvironmentName;
    }
    if (environmentName.empty()) environmentName = "\x01";  // an unknown id: no events
  }
  int minSeverity = 0;
  if (const auto s = q.get("Severity")) {
    static const char* kNames[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};
    const auto found = std::find(std::begin(kNames), std::end(kNames), *s);
    if (found == std::end(kNames)) throw invalid("Invalid Severity: " + *s);
    minSeverity = static_cast<int>(found - std::begin(kNames));
  }
  sim::SimTime from = sim::SimTime::fromNanos(INT64_MIN);
  sim::SimTime until = sim::SimTime::max();
  if (const auto start = q.get("StartTime")) from = fromTimestamp(*start);
  if (const auto end = q.get("EndTime")) until = fromTimestamp(*end);
  const int limit = maxRecords(q);
  const auto& events = cloud_.engine().events().events();
  // Pages go back through the log, which only grows at its end: a token is the log position
  // to continue below, so events added meanwhile do not shift a page.
  std::size_t below = events.size();
  if (const auto token = nextToken(q, 'e')) {
    const auto n = wholeNumber<std::size_t>(*token);
    if (!n || *n > events.size()) throw invalid("Invalid NextToken: e" + *token);
    below = *n;
  }
  auto matches = [&](const engine::EbEvent& e) {
    if (application && !application->empty() && e.application != *application) return false;
    if (!environmentName.empty() && e.environment != environmentName) return false;
    if (requestId && !requestId->empty() && e.requestId != *requestId) return false;
    if (static_cast<int>(e.severity) < minSeverity) return false;
    return !(e.time < from) && e.time < until;  // EndTime is exclusive
  };
  auto& x = w.result().open("Events");
  int written = 0;
  std::size_t i = below;
  for (; i > 0 && written < limit; --i) {
    const engine::EbEvent& e = events[i - 1];
    if (!matches(e)) continue;
    x.open("member")
        .leaf("EventDate", timestamp(e.time))
        .leaf("Message", e.message)
        .leaf("ApplicationName", e.application);
    if (!e.environment.empty()) x.leaf("EnvironmentName", e.environment);
    if (!e.requestId.empty()) x.leaf("RequestId", e.requestId);
    x.leaf("Severity", engine::toString(e.severity)).close();
    ++written;
  }
  x.close();
  // A token only when another matching event remains.
  for (std::size_t j = i; j > 0; --j) {
    if (matches(events[j - 1])) {
      x.leaf("NextToken", "e" + std::to_string(i));
      break;
    }
  }
}

void EbApi::describeEnvironmentHealth(const QueryRequest& q, Writer& w) {
  const auto env = environmentOf(q);
  const auto health = valueOr(cloud_.engine().describeEnvironmentHealth(env.EnvironmentName));
  auto& x = w.result();
  x.leaf("EnvironmentName", env.EnvironmentName)
      .leaf("HealthStatus", engine::toString(health.status))
      .leaf("Status", engine::toString(env.Status))
      .leaf("Color", engine::toString(health.color));
  x.open("Causes");
  for (const auto& c : health.causes) x.leaf("member", c);
  x.close();
  x.open("InstancesHealth");
  for (const auto& [status, count] : health.counts) {
    if (status == engine::HealthStatus::kSuspended) continue;
    x.leaf(engine::toString(status), static_cast<long long>(count));
  }
  x.close().leaf("RefreshedAt", timestamp(cloud_.now()));
}

void EbApi::checkDnsAvailability(const QueryRequest& q, Writer& w) {
  const std::string prefix = q.require("CNAMEPrefix");
  const std::string fqdn = prefix + "." + cloud_.region().name + ".elasticbeanstalk.com";
  bool available = true;
  for (const auto& e : cloud_.engine().describeAll()) {
    if (e.Status != engine::EnvironmentStatus::kTerminated && e.CNAME == fqdn) available = false;
  }
  w.result().leaf("Available", available).leaf("FullyQualifiedCNAME", fqdn);
}

// --- Configuration templates, resources, instance health, validation --------------------------

const std::vector<OptionSetting>& EbApi::templateOf(const std::string& application,
                                                    const std::string& name) const {
  const auto app = templates_.find(application);
  if (app != templates_.end()) {
    const auto t = app->second.find(name);
    if (t != app->second.end()) return t->second;
  }
  if (name == "default") {
    static const std::vector<OptionSetting> kNone;
    return kNone;  // every application has its default template (eb-reference.md §7.2)
  }
  throw invalid("No Configuration Template named '" + application + "/" + name + "' found.");
}

void EbApi::createConfigurationTemplate(const QueryRequest& q, Writer& w) {
  const std::string application = q.require("ApplicationName");
  const std::string name = q.require("TemplateName");
  if (!cloud_.engine().applicationVersions(application)) {
    throw invalid("No Application named '" + application + "' found.");
  }
  if (templates_[application].count(name) != 0 || name == "default") {
    throw invalid("Configuration Template " + name + " already exists.");
  }
  std::vector<Option> options;
  const auto sourceApp = q.get("SourceConfiguration.ApplicationName");
  const auto sourceTemplate = q.get("SourceConfiguration.TemplateName");
  if (sourceTemplate && !sourceTemplate->empty()) {
    options = templateOf(sourceApp.value_or(application), *sourceTemplate);
  } else if (const auto id = q.get("EnvironmentId"); id && !id->empty()) {
    // The settings of a running environment, as saved configurations take them.
    const auto env = environmentOf(q);
    options = environmentOptions_[env.EnvironmentName];
  }
  for (auto& o : optionsOf(q)) options.push_back(std::move(o));
  environmentConfig(options);  // validated now, not at the first use
  templates_[application][name] = options;
  auto& x = w.result();
  x.leaf("ApplicationName", application).leaf("TemplateName", name);
  if (const auto d = q.get("Description")) x.leaf("Description", *d);
  x.leaf("DateCreated", timestamp(cloud_.now())).leaf("DateUpdated", timestamp(cloud_.now()));
  writeOptionSettings(x, options);
}

void EbApi::describeConfigurationSettings(const QueryRequest& q, Writer& w) {
  const std::string application = q.require("ApplicationName");
  const auto templateName = q.get("TemplateName");
  const auto environmentName = q.get("EnvironmentName");
  const bool byTemplate = templateName && !templateName->empty();
  const bool byEnvironment = environmentName && !environmentName->empty();
  if (byTemplate == byEnvironment) {
    throw ApiError(400, byTemplate ? "InvalidParameterCombination" : "MissingParameter",
                   "Specify either TemplateName or EnvironmentName, not both.");
  }
  if (!cloud_.engine().applicationVersions(application)) {
    throw invalid("No Application named '" + application + "' found.");
  }
  auto& x = w.result().open("ConfigurationSettings").open("member");
  x.leaf("SolutionStackName", kSolutionStack).leaf("ApplicationName", application);
  if (byTemplate) {
    const auto& options = templateOf(application, *templateName);  // throws for an unknown one
    x.leaf("TemplateName", *templateName);
    writeOptionSettings(x, options);
  } else {
    const auto env = environmentOf(q);
    if (env.ApplicationName != application) {
      throw invalid("No Environment found for EnvironmentName = '" + *environmentName + "'.");
    }
    // The rolling-update options are kept here, not in the engine: they follow the others.
    std::vector<Option> options =
        effectiveOptions(*cloud_.engine().configuration(env.EnvironmentName));
    for (const Option& o : environmentOptions_[env.EnvironmentName]) {
      if (o.ns == opt::ns::kRollingUpdate) options.push_back(o);
    }
    x.leaf("EnvironmentName", env.EnvironmentName)
        .leaf("DeploymentStatus", "deployed")
        .leaf("DateCreated", timestamp(env.DateCreated))
        .leaf("DateUpdated", timestamp(env.DateUpdated));
    writeOptionSettings(x, options);
  }
  x.close().close();
}

void EbApi::deleteConfigurationTemplate(const QueryRequest& q, Writer&) {
  const std::string application = q.require("ApplicationName");
  const std::string name = q.require("TemplateName");
  templateOf(application, name);  // throws for an unknown one
  templates_[application].erase(name);
}

void EbApi::describeEnvironmentResources(const QueryRequest& q, Writer& w) {
  const auto env = environmentOf(q);
  const auto& ec2 = cloud_.cloud().ec2();
  std::vector<std::string> instances;
  std::string group;
  for (const std::string& id : ec2.liveInstanceIds()) {
    const ports::Instance* in = ec2.peek(id);
    if (in == nullptr) continue;
    bool ours = false;
    std::string itsGroup;
    for (const auto& tag : in->Tags) {
      if (tag.Key == "elasticbeanstalk:environment-name") ours = tag.Value == env.EnvironmentName;
      if (tag.Key == "aws:autoscaling:groupName") itsGroup = tag.Value;
    }
    if (!ours) continue;
    instances.push_back(id);
    if (group.empty()) group = itsGroup;
  }
  std::sort(instances.begin(), instances.end());
  auto& x = w.result().open("EnvironmentResources");
  x.leaf("EnvironmentName", env.EnvironmentName);
  x.open("AutoScalingGroups");
  if (!group.empty()) x.open("member").leaf("Name", group).close();
  x.close().open("Instances");
  for (const auto& id : instances) x.open("member").leaf("Id", id).close();
  x.close().open("LoadBalancers");
  if (const auto lb = cloud_.cloud().elb().loadBalancerArnByDnsName(env.EndpointURL)) {
    if (const auto b = cloud_.cloud().elb().loadBalancer(*lb)) {
      x.open("member").leaf("Name", b->LoadBalancerArn).close();
    }
  }
  x.close().open("LaunchConfigurations").close().open("LaunchTemplates").close();
  x.open("Triggers").close().open("Queues").close().close();
}

void EbApi::describeInstancesHealth(const QueryRequest& q, Writer& w) {
  const auto env = environmentOf(q);
  const auto health = valueOr(cloud_.engine().describeEnvironmentHealth(env.EnvironmentName));
  auto& x = w.result().open("InstanceHealthList");
  for (const auto& i : health.instances) {
    x.open("member").leaf("InstanceId", i.id).leaf("HealthStatus", engine::toString(i.status));
    x.leaf("Color", engine::toString(engine::colorOf(i.status)));
    x.open("Causes");
    for (const auto& c : i.causes) x.leaf("member", c);
    x.close();
    if (const ports::Instance* in = cloud_.cloud().ec2().peek(i.id)) {
      x.leaf("LaunchedAt", timestamp(in->LaunchTime))
          .leaf("AvailabilityZone", in->AvailabilityZone)
          .leaf("InstanceType", in->InstanceType);
    }
    x.close();
  }
  x.close().leaf("RefreshedAt", timestamp(cloud_.now()));
}

void EbApi::validateConfigurationSettings(const QueryRequest& q, Writer& w) {
  const std::string application = q.require("ApplicationName");
  if (!cloud_.engine().applicationVersions(application)) {
    throw invalid("No Application named '" + application + "' found.");
  }
  auto& x = w.result().open("Messages");
  // Each setting on its own, so that every bad one gets its message.
  for (const Option& o : optionsOf(q)) {
    try {
      environmentConfig({o});
    } catch (const ApiError& e) {
      x.open("member")
          .leaf("Message", e.what())
          .leaf("Severity", "error")
          .leaf("Namespace", o.ns)
          .leaf("OptionName", o.name)
          .close();
    }
  }
  x.close();
}

}  // namespace ebsim::serve
