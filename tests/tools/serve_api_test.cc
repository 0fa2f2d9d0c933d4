// ebsim serve's Query API without sockets: the protocol (decoding, lists, envelopes) and the
// operations against a LiveCloud on virtual time (eb-reference 7).

#include <catch2/catch.hpp>
#include <string>

#include "runner/scenario_parser.h"
#include "runner/scenario_runner.h"
#include "tools/serve/eb_api.h"
#include "tools/serve/live_cloud.h"
#include "tools/serve/query.h"
#include "tools/serve/sigv4.h"
#include "tools/serve/xml.h"

using ebsim::serve::ApiError;
using ebsim::serve::ApiReply;
using ebsim::serve::EbApi;
using ebsim::serve::LiveCloud;
using ebsim::serve::QueryRequest;
using ebsim::sim::Duration;

namespace {

// The text of the first <tag>...</tag> in `xml` ("" if none). (Not std::regex: GCC 12 warns
// inside libstdc++'s regex under the sanitizer build.)
std::string first(const std::string& xml, const std::string& tag) {
  const std::string open = "<" + tag + ">";
  const auto start = xml.find(open);
  if (start == std::string::npos) return "";
  const auto from = start + open.size();
  const auto end = xml.find("</" + tag + ">", from);
  return end == std::string::npos ? "" : xml.substr(from, end - from);
}

int count(const std::string& xml, const std::string& tag) {
  int n = 0;
  for (std::size_t at = xml.find("<" + tag + ">"); at != std::string::npos;
       at = xml.find("<" + tag + ">", at + 1)) {
    ++n;
  }
  return n;
}

struct Api {
  LiveCloud cloud;
  EbApi api{cloud, 1'700'000'000'000};
  ApiReply call(const std::string& body) { return api.handle("", body); }
  void run(Duration d) { cloud.advanceTo(cloud.now() + d); }
  std::string status(const std::string& env) {
    return first(call("Action=DescribeEnvironments&EnvironmentNames.member.1=" + env).body,
                 "Status");
  }
};

}  // namespace

TEST_CASE("eb-reference 7.1: form decoding takes + and %XX, and rejects a broken escape",
          "[serve][query]") {
  const auto q = QueryRequest::parse("", "Action=X&Description=a+b%2Fc%3d&Empty=");
  CHECK(q.action() == "X");
  CHECK(q.get("Description") == "a b/c=");
  CHECK(q.get("Empty") == "");
  CHECK_FALSE(q.get("Missing"));
  CHECK_THROWS_AS(QueryRequest::parse("", "Action=X&V=%4"), ApiError);
  CHECK_THROWS_AS(QueryRequest::parse("", "Action=X&V=%zz"), ApiError);
  try {
    QueryRequest::parse("", "A=%");
    FAIL("no error");
  } catch (const ApiError& e) {
    CHECK(e.code == "MalformedQueryString");
    CHECK(e.status == 400);
  }
}

TEST_CASE("eb-reference 7.1: lists are Name.member.N, structures Name.member.N.Field",
          "[serve][query]") {
  const auto q = QueryRequest::parse(
      "Operation=DescribeEnvironments",
      "EnvironmentNames.member.2=b&EnvironmentNames.member.1=a&EnvironmentNames.member.4=gap"
      "&OptionSettings.member.1.Namespace=aws%3Aautoscaling%3Aasg"
      "&OptionSettings.member.1.OptionName=MinSize&OptionSettings.member.1.Value=2"
      "&OptionSettings.member.2.OptionName=MaxSize&OptionSettings.member.2.Value=4");
  CHECK(q.action() == "DescribeEnvironments");  // Operation, as old samples send it
  CHECK(q.list("EnvironmentNames") == std::vector<std::string>{"a", "b"});  // up to the gap
  const auto options = q.structs("OptionSettings");
  REQUIRE(options.size() == 2);
  CHECK(options[0].at("Namespace") == "aws:autoscaling:asg");
  CHECK(options[0].at("Value") == "2");
  CHECK(options[1].at("OptionName") == "MaxSize");
  CHECK_THROWS_AS(QueryRequest::parse("", "Version=2010-12-01").action(), ApiError);
}

TEST_CASE("XML text is escaped", "[serve][xml]") {
  ebsim::serve::XmlWriter x;
  x.open("A").leaf("B", "<&>\"'").close();
  CHECK(x.finish().find("<A><B>&lt;&amp;&gt;&quot;'</B></A>") != std::string::npos);
}

TEST_CASE("eb-reference 7.1 and 7.4: errors come in the Query error envelope", "[serve][api]") {
  Api a;
  const auto unknown = a.call("Action=FlyToTheMoon&Version=2010-12-01");
  CHECK(unknown.status == 400);
  CHECK(first(unknown.body, "Code") == "InvalidAction");
  CHECK(first(unknown.body, "Type") == "Sender");
  CHECK(unknown.body.find("<ErrorResponse xmlns=") != std::string::npos);
  CHECK_FALSE(first(unknown.body, "RequestId").empty());
  const auto missing = a.call("Version=2010-12-01");
  CHECK(first(missing.body, "Code") == "MissingAction");
  const auto noName = a.call("Action=CreateApplication");
  CHECK(noName.status == 400);
  CHECK(first(noName.body, "Code") == "MissingParameter");
  CHECK(first(noName.body, "Message").find("ApplicationName") != std::string::npos);
  const auto garbage = a.call("Action=CreateApplication&ApplicationName=%G0");
  CHECK(first(garbage.body, "Code") == "MalformedQueryString");
  CHECK(a.call("Action=CreateApplication&Version=2099-01-01&ApplicationName=x").status == 400);
  // EB's messages (eb-reference 7.4).
  REQUIRE(a.call("Action=CreateApplication&ApplicationName=shop").status == 200);
  CHECK(first(a.call("Action=CreateApplication&ApplicationName=shop").body, "Message") ==
        "Application shop already exists.");
  CHECK(first(a.call("Action=DescribeEvents&EnvironmentName=x&Severity=LOUD").body, "Code") ==
        "InvalidParameterValue");
  CHECK(first(a.call("Action=UpdateEnvironment&EnvironmentName=nope&VersionLabel=v").body,
              "Message") == "No Environment found for EnvironmentName = 'nope'.");
}

TEST_CASE(
    "eb-reference 7.2 and 7.3: an environment goes Launching to Ready, then Updating to "
    "Ready with a Rolling deployment set by option settings",
    "[serve][api]") {
  Api a;
  const auto created = a.call("Action=CreateApplication&ApplicationName=shop&Version=2010-12-01");
  REQUIRE(created.status == 200);
  CHECK(created.body.find("<CreateApplicationResponse xmlns=\"http://elasticbeanstalk.amazonaws"
                          ".com/docs/2010-12-01/\"><CreateApplicationResult><Application>") !=
        std::string::npos);
  for (const char* v : {"v1", "v2"}) {
    REQUIRE(
        a.call(std::string("Action=CreateApplicationVersion&ApplicationName=shop&VersionLabel=") +
               v + "&SourceBundle.S3Bucket=my-bucket&SourceBundle.S3Key=" + v + ".zip")
            .status == 200);
  }
  const auto versions = a.call("Action=DescribeApplicationVersions&ApplicationName=shop");
  CHECK(count(versions.body, "member") == 2);
  const auto firstPage =
      a.call("Action=DescribeApplicationVersions&ApplicationName=shop&MaxRecords=1").body;
  CHECK(first(firstPage, "VersionLabel") == "v1");
  const std::string token = first(firstPage, "NextToken");
  REQUIRE_FALSE(token.empty());
  const auto lastPage = a.call(
      "Action=DescribeApplicationVersions&ApplicationName=shop&MaxRecords=1&NextToken=" + token);
  CHECK(first(lastPage.body, "VersionLabel") == "v2");
  CHECK(first(lastPage.body, "NextToken").empty());
  const auto env = a.call(
      "Action=CreateEnvironment&ApplicationName=shop&EnvironmentName=shop-blue"
      "&CNAMEPrefix=shop&VersionLabel=v1"
      "&OptionSettings.member.1.Namespace=aws%3Aautoscaling%3Aasg"
      "&OptionSettings.member.1.OptionName=MinSize&OptionSettings.member.1.Value=4"
      "&OptionSettings.member.2.Namespace=aws%3Aautoscaling%3Aasg"
      "&OptionSettings.member.2.OptionName=MaxSize&OptionSettings.member.2.Value=4"
      "&OptionSettings.member.3.Namespace=aws%3Aelasticbeanstalk%3Acommand"
      "&OptionSettings.member.3.OptionName=DeploymentPolicy"
      "&OptionSettings.member.3.Value=Rolling"
      "&OptionSettings.member.4.Namespace=aws%3Aelasticbeanstalk%3Acommand"
      "&OptionSettings.member.4.OptionName=BatchSize&OptionSettings.member.4.Value=50");
  REQUIRE(env.status == 200);
  CHECK(first(env.body, "Status") == "Launching");
  CHECK(first(env.body, "Health") == "Grey");
  CHECK(first(env.body, "CNAME") == "shop.us-east-1.elasticbeanstalk.com");
  const std::string createRequest = first(env.body, "RequestId");
  // DescribeEvents by the call's RequestId, as the EB CLI polls (eb-reference 7.5).
  const auto started =
      a.call("Action=DescribeEvents&EnvironmentName=shop-blue&RequestId=" + createRequest);
  CHECK(first(started.body, "Message") == "createEnvironment is starting.");
  a.run(Duration::minutes(10));
  CHECK(a.status("shop-blue") == "Ready");
  CHECK(first(a.call("Action=DescribeEnvironments&EnvironmentNames.member.1=shop-blue").body,
              "Health") == "Green");
  // The data plane answers from v1 instances.
  const auto before = a.cloud.route("shop.us-east-1.elasticbeanstalk.com:8080");
  CHECK(before.status == 200);
  CHECK(before.version == "v1");
  CHECK(before.environment == "shop-blue");
  // Deploy v2: Updating, Rolling in 2 batches of 2, then Ready on v2.
  const auto update = a.call("Action=UpdateEnvironment&EnvironmentName=shop-blue&VersionLabel=v2");
  REQUIRE(update.status == 200);
  CHECK(first(update.body, "Status") == "Updating");
  a.run(Duration::minutes(30));
  CHECK(a.status("shop-blue") == "Ready");
  const auto events = a.call("Action=DescribeEvents&EnvironmentName=shop-blue&MaxRecords=1000");
  CHECK(events.body.find("Batch 2: Completed application deployment.") != std::string::npos);
  CHECK(events.body.find("Batch 3:") == std::string::npos);
  // Newest first.
  const auto completed = events.body.find("Environment update completed successfully.");
  const auto starting = events.body.find("Environment update is starting.");
  REQUIRE(completed != std::string::npos);
  REQUIRE(starting != std::string::npos);
  CHECK(completed < starting);
  for (int i = 0; i < 8; ++i)
    CHECK(a.cloud.route("shop.us-east-1.elasticbeanstalk.com").version == "v2");
  // Version and options together are refused (eb-reference 7.2).
  CHECK(first(a.call("Action=UpdateEnvironment&EnvironmentName=shop-blue&VersionLabel=v1"
                     "&OptionSettings.member.1.Namespace=aws%3Aautoscaling%3Aasg"
                     "&OptionSettings.member.1.OptionName=MinSize"
                     "&OptionSettings.member.1.Value=2")
                  .body,
              "Code") == "InvalidParameterCombination");
  // A bad option value, as EB words it (eb-reference 7.4).
  const auto bad = a.call(
      "Action=UpdateEnvironment&EnvironmentName=shop-blue"
      "&OptionSettings.member.1.Namespace=aws%3Aautoscaling%3Aupdatepolicy%3Arollingupdate"
      "&OptionSettings.member.1.OptionName=MaxBatchSize&OptionSettings.member.1.Value=0");
  CHECK(first(bad.body, "Message") ==
        "Configuration validation exception: Invalid option value: '0' (Namespace: "
        "'aws:autoscaling:updatepolicy:rollingupdate', OptionName: 'MaxBatchSize'): Value is "
        "less than minimum allowed value: 1");
}

TEST_CASE("eb-reference 4 and 7.2: swap CNAMEs, terminate, IncludeDeleted, DNS availability",
          "[serve][api]") {
  Api a;
  REQUIRE(a.call("Action=CreateApplication&ApplicationName=shop").status == 200);
  for (const char* env : {"blue", "green"}) {
    REQUIRE(a.call(std::string("Action=CreateEnvironment&ApplicationName=shop&EnvironmentName=") +
                   env + "&CNAMEPrefix=shop-" + env)
                .status == 200);
  }
  CHECK(first(a.call("Action=CheckDNSAvailability&CNAMEPrefix=shop-blue").body, "Available") ==
        "false");
  CHECK(first(a.call("Action=CheckDNSAvailability&CNAMEPrefix=other").body, "Available") == "true");
  // Not Ready yet: refused with EB's state error (eb-reference 7.3).
  CHECK(a.call("Action=SwapEnvironmentCNAMEs&SourceEnvironmentName=blue"
               "&DestinationEnvironmentName=green")
            .status == 400);
  a.run(Duration::minutes(10));
  const auto blueHost = "shop-blue.us-east-1.elasticbeanstalk.com";
  CHECK(a.cloud.route(blueHost).environment == "blue");
  REQUIRE(a.call("Action=SwapEnvironmentCNAMEs&SourceEnvironmentName=blue"
                 "&DestinationEnvironmentName=green")
              .status == 200);
  a.run(Duration::minutes(2));
  CHECK(a.cloud.route(blueHost).environment == "green");
  REQUIRE(a.call("Action=TerminateEnvironment&EnvironmentName=blue").status == 200);
  CHECK(a.status("blue") == "Terminating");
  a.run(Duration::minutes(15));
  CHECK(count(a.call("Action=DescribeEnvironments").body, "member") == 1);
  const auto all = a.call("Action=DescribeEnvironments&IncludeDeleted=true");
  CHECK(count(all.body, "member") == 2);
  CHECK(all.body.find("<Status>Terminated</Status>") != std::string::npos);
  CHECK(first(a.call("Action=DeleteApplication&ApplicationName=shop").body, "Code") ==
        "InvalidParameterValue");  // green still runs
  CHECK(a.cloud.route("nowhere.example.com").status == 404);
}

TEST_CASE("eb-reference 7.2: RebuildEnvironment, running or terminated, by name or id",
          "[serve][api][rebuild]") {
  Api a;
  REQUIRE(a.call("Action=CreateApplication&ApplicationName=shop").status == 200);
  const auto created =
      a.call("Action=CreateEnvironment&ApplicationName=shop&EnvironmentName=shop-web");
  REQUIRE(created.status == 200);
  const std::string id = first(created.body, "EnvironmentId");
  const auto host = "shop-web.us-east-1.elasticbeanstalk.com";
  a.run(Duration::minutes(10));
  const auto before = a.cloud.route(host);
  REQUIRE(before.status == 200);

  CHECK(first(a.call("Action=RebuildEnvironment").body, "Code") == "MissingParameter");
  CHECK(first(a.call("Action=RebuildEnvironment&EnvironmentName=nope").body, "Message") ==
        "No Environment found for EnvironmentName = 'nope'.");
  const auto rebuild = a.call("Action=RebuildEnvironment&EnvironmentId=" + id);
  REQUIRE(rebuild.status == 200);
  CHECK(rebuild.body.find("<RebuildEnvironmentResponse") != std::string::npos);
  CHECK(a.status("shop-web") == "Launching");
  // Its RequestId is the events' RequestId.
  const std::string requestId = first(rebuild.body, "RequestId");
  const auto events = a.call("Action=DescribeEvents&RequestId=" + requestId).body;
  CHECK(events.find("rebuildEnvironment is starting.") != std::string::npos);
  a.run(Duration::minutes(15));
  CHECK(a.status("shop-web") == "Ready");
  const auto after = a.cloud.route(host);
  REQUIRE(after.status == 200);
  CHECK(after.instanceId != before.instanceId);

  // Terminated, it is found by id and comes back under the same name and CNAME.
  REQUIRE(a.call("Action=TerminateEnvironment&EnvironmentName=shop-web").status == 200);
  a.run(Duration::minutes(15));
  CHECK(a.cloud.route(host).status != 200);
  REQUIRE(a.call("Action=RebuildEnvironment&EnvironmentId=" + id).status == 200);
  a.run(Duration::minutes(15));
  CHECK(a.status("shop-web") == "Ready");
  CHECK(a.cloud.route(host).status == 200);
}

TEST_CASE("UpdateEnvironment changes only the options it names, and the others keep their values",
          "[serve][api]") {
  Api a;
  REQUIRE(a.call("Action=CreateApplication&ApplicationName=shop").status == 200);
  REQUIRE(a.call("Action=CreateApplicationVersion&ApplicationName=shop&VersionLabel=v2").status ==
          200);
  auto option = [](int n, const std::string& ns, const std::string& name,
                   const std::string& value) {
    const std::string m = "&OptionSettings.member." + std::to_string(n) + ".";
    return m + "Namespace=" + ns + m + "OptionName=" + name + m + "Value=" + value;
  };
  REQUIRE(a.call("Action=CreateEnvironment&ApplicationName=shop&EnvironmentName=shop-kept" +
                 option(1, "aws:autoscaling:asg", "MinSize", "4") +
                 option(2, "aws:autoscaling:asg", "MaxSize", "4") +
                 option(3, "aws:elasticbeanstalk:command", "DeploymentPolicy", "Rolling") +
                 option(4, "aws:elasticbeanstalk:command", "BatchSize", "25") +
                 option(5, "aws:elasticbeanstalk:environment:process:default", "HealthCheckPath",
                        "/health"))
              .status == 200);
  a.run(Duration::minutes(10));
  REQUIRE(a.status("shop-kept") == "Ready");
  // Only the batch size, then only the interval.
  REQUIRE(a.call("Action=UpdateEnvironment&EnvironmentName=shop-kept" +
                 option(1, "aws:elasticbeanstalk:command", "BatchSize", "50"))
              .status == 200);
  a.run(Duration::minutes(2));
  REQUIRE(a.status("shop-kept") == "Ready");
  REQUIRE(a.call("Action=UpdateEnvironment&EnvironmentName=shop-kept" +
                 option(1, "aws:elasticbeanstalk:environment:process:default",
                        "HealthCheckInterval", "30"))
              .status == 200);
  a.run(Duration::minutes(2));
  const auto config = *a.cloud.engine().configuration("shop-kept");
  CHECK(config.deployment.policy == ebsim::engine::DeploymentPolicy::kRolling);
  CHECK(config.deployment.batchSize == 50);
  REQUIRE(config.healthCheck);
  CHECK(config.healthCheck->Path == "/health");
  CHECK(config.healthCheck->Interval == Duration::seconds(30));
  // A rolling-update option alone changes nothing now, and is kept: the next instance-type
  // change replaces instances Immutable.
  REQUIRE(a.call("Action=UpdateEnvironment&EnvironmentName=shop-kept" +
                 option(1, "aws:autoscaling:updatepolicy:rollingupdate", "RollingUpdateType",
                        "Immutable"))
              .status == 200);
  CHECK(a.status("shop-kept") == "Ready");
  REQUIRE(a.call("Action=UpdateEnvironment&EnvironmentName=shop-kept" +
                 option(1, "aws:autoscaling:launchconfiguration", "InstanceType", "t3.large"))
              .status == 200);
  a.run(Duration::minutes(30));
  REQUIRE(a.status("shop-kept") == "Ready");
  const auto& update = a.cloud.engine().deployments().back();
  CHECK(update.configuration);
  CHECK(update.policy == ebsim::engine::DeploymentPolicy::kImmutable);
  CHECK(update.outcome == ebsim::engine::DeploymentOutcome::kSucceeded);
  // DescribeConfigurationSettings shows the settings as they stand now.
  const auto settings =
      a.call("Action=DescribeConfigurationSettings&ApplicationName=shop&EnvironmentName=shop-kept")
          .body;
  auto setting = [&](const std::string& name) {
    const auto at = settings.find("<OptionName>" + name + "</OptionName>");
    return at == std::string::npos ? std::string("(none)") : first(settings.substr(at), "Value");
  };
  CHECK(setting("MinSize") == "4");
  CHECK(setting("DeploymentPolicy") == "Rolling");
  CHECK(setting("BatchSize") == "50");
  CHECK(setting("HealthCheckPath") == "/health");
  CHECK(setting("HealthCheckInterval") == "30");
  CHECK(setting("InstanceTypes") == "t3.large");
  CHECK(setting("RollingUpdateType") == "Immutable");
  CHECK(first(settings, "DeploymentStatus") == "deployed");
  CHECK(first(a.call("Action=DescribeConfigurationSettings&ApplicationName=shop").body, "Code") ==
        "MissingParameter");
  CHECK(first(a.call("Action=DescribeConfigurationSettings&ApplicationName=shop"
                     "&EnvironmentName=shop-kept&TemplateName=default")
                  .body,
              "Code") == "InvalidParameterCombination");
  CHECK(first(a.call("Action=DescribeConfigurationSettings&ApplicationName=shop"
                     "&TemplateName=nope")
                  .body,
              "Message") == "No Configuration Template named 'shop/nope' found.");
  // And the next deployment rolls in two batches of 50%.
  REQUIRE(a.call("Action=UpdateEnvironment&EnvironmentName=shop-kept&VersionLabel=v2").status ==
          200);
  a.run(Duration::minutes(20));
  const auto events = a.call("Action=DescribeEvents&EnvironmentName=shop-kept").body;
  CHECK(events.find("Batch 2: Completed application deployment.") != std::string::npos);
  CHECK(events.find("Batch 3:") == std::string::npos);
}

TEST_CASE("eb-reference 1.3: during an AllAtOnce deployment the data plane fails requests",
          "[serve][api]") {
  Api a;
  REQUIRE(a.call("Action=CreateApplication&ApplicationName=shop").status == 200);
  for (const char* v : {"v1", "v2"}) {
    REQUIRE(a.call(std::string("Action=CreateApplicationVersion&ApplicationName=shop"
                               "&VersionLabel=") +
                   v)
                .status == 200);
  }
  REQUIRE(a.call("Action=CreateEnvironment&ApplicationName=shop&EnvironmentName=shop"
                 "&VersionLabel=v1&OptionSettings.member.1.Namespace=aws%3Aautoscaling%3Aasg"
                 "&OptionSettings.member.1.OptionName=MinSize&OptionSettings.member.1.Value=3")
              .status == 200);
  a.run(Duration::minutes(10));
  REQUIRE(a.status("shop") == "Ready");
  REQUIRE(a.call("Action=UpdateEnvironment&EnvironmentName=shop&VersionLabel=v2").status == 200);
  int failed = 0;
  int ok = 0;
  for (int s = 0; s < 600 && a.status("shop") != "Ready"; ++s) {
    const auto answer = a.cloud.route("shop.us-east-1.elasticbeanstalk.com");
    if (answer.status == 200) {
      ++ok;
    } else {
      CHECK((answer.status == 502 || answer.status == 503));
      ++failed;
    }
    a.run(Duration::seconds(1));
  }
  CHECK(failed > 0);  // every instance restarts at once: an outage (eb-reference 2)
  CHECK(ok > 0);
  CHECK(a.cloud.route("shop.us-east-1.elasticbeanstalk.com").version == "v2");
}

TEST_CASE(
    "eb-reference 7.2: configuration templates, a clone, resources, instance health and "
    "validation",
    "[serve][api]") {
  Api a;
  REQUIRE(a.call("Action=CreateApplication&ApplicationName=shop").status == 200);
  const auto saved = a.call(
      "Action=CreateConfigurationTemplate&ApplicationName=shop&TemplateName=three"
      "&OptionSettings.member.1.Namespace=aws%3Aautoscaling%3Aasg"
      "&OptionSettings.member.1.OptionName=MinSize&OptionSettings.member.1.Value=3");
  REQUIRE(saved.status == 200);
  CHECK(first(saved.body, "TemplateName") == "three");
  CHECK(
      first(
          a.call("Action=CreateConfigurationTemplate&ApplicationName=shop&TemplateName=three").body,
          "Code") == "InvalidParameterValue");
  CHECK(first(a.call("Action=CreateEnvironment&ApplicationName=shop&EnvironmentName=x"
                     "&TemplateName=nope")
                  .body,
              "Message") == "No Configuration Template named 'shop/nope' found.");
  // The template's settings, then the request's: 3 instances from the template.
  REQUIRE(a.call("Action=CreateEnvironment&ApplicationName=shop&EnvironmentName=shop-blue"
                 "&TemplateName=three")
              .status == 200);
  a.run(Duration::minutes(10));
  const auto resources =
      a.call("Action=DescribeEnvironmentResources&EnvironmentName=shop-blue").body;
  CHECK(count(resources, "Id") == 3);
  CHECK(first(resources, "Name").find("awseb-") == 0);  // the Auto Scaling group
  const auto instances = a.call("Action=DescribeInstancesHealth&EnvironmentName=shop-blue").body;
  CHECK(count(instances, "InstanceId") == 3);
  CHECK(first(instances, "HealthStatus") == "Ok");
  CHECK(first(instances, "Color") == "Green");
  // A clone as the EB CLI's `eb clone` asks for it (TemplateSpecification.TemplateSource.
  // EnvironmentName, ebcli/lib/elasticbeanstalk.py): the source's configuration (3 instances)
  // and version.
  const std::string id =
      first(a.call("Action=DescribeEnvironments&EnvironmentNames.member.1=shop-blue").body,
            "EnvironmentId");
  CHECK(first(a.call("Action=CreateEnvironment&ApplicationName=shop&EnvironmentName=shop-x"
                     "&TemplateSpecification.TemplateSource.EnvironmentName=nope")
                  .body,
              "Message") == "No Environment found for EnvironmentName = 'nope'.");
  const auto clone = a.call(
      "Action=CreateEnvironment&ApplicationName=shop&EnvironmentName=shop-green"
      "&TemplateSpecification.TemplateSource.EnvironmentName=shop-blue");
  REQUIRE(clone.status == 200);
  // The same by the source's id.
  REQUIRE(a.call("Action=CreateEnvironment&ApplicationName=shop&EnvironmentName=shop-teal"
                 "&TemplateSpecification.TemplateSnapshotConfiguration.SourceEnvironmentId=" +
                 id)
              .status == 200);
  a.run(Duration::minutes(10));
  for (const char* env : {"shop-green", "shop-teal"}) {
    CHECK(a.status(env) == "Ready");
    CHECK(
        count(
            a.call(std::string("Action=DescribeEnvironmentResources&EnvironmentName=") + env).body,
            "Id") == 3);
  }
  // A template from a running environment takes its settings.
  REQUIRE(a.call("Action=CreateConfigurationTemplate&ApplicationName=shop&TemplateName=copy"
                 "&EnvironmentId=" +
                 id)
              .status == 200);
  REQUIRE(a.call("Action=CreateEnvironment&ApplicationName=shop&EnvironmentName=third"
                 "&TemplateName=copy")
              .status == 200);
  a.run(Duration::minutes(10));
  CHECK(count(a.call("Action=DescribeEnvironmentResources&EnvironmentName=third").body, "Id") == 3);
  // Validation names each bad setting and lets good ones pass.
  const auto checked = a.call(
      "Action=ValidateConfigurationSettings&ApplicationName=shop"
      "&OptionSettings.member.1.Namespace=aws%3Aautoscaling%3Aasg"
      "&OptionSettings.member.1.OptionName=MinSize&OptionSettings.member.1.Value=0"
      "&OptionSettings.member.2.Namespace=aws%3Aautoscaling%3Aasg"
      "&OptionSettings.member.2.OptionName=MaxSize&OptionSettings.member.2.Value=2"
      "&OptionSettings.member.3.Namespace=aws%3Aelasticbeanstalk%3Acommand"
      "&OptionSettings.member.3.OptionName=DeploymentPolicy"
      "&OptionSettings.member.3.Value=Sideways");
  REQUIRE(checked.status == 200);
  CHECK(count(checked.body, "member") == 2);
  CHECK(checked.body.find("<OptionName>MinSize</OptionName>") != std::string::npos);
  CHECK(checked.body.find("<OptionName>DeploymentPolicy</OptionName>") != std::string::npos);
  REQUIRE(
      a.call("Action=DeleteConfigurationTemplate&ApplicationName=shop&TemplateName=three").status ==
      200);
  CHECK(
      a.call("Action=DeleteConfigurationTemplate&ApplicationName=shop&TemplateName=three").status ==
      400);
}

TEST_CASE(
    "serve --scenario: a scenario's failing version fails its deployment through the API "
    "(eb-reference 1.4)",
    "[serve][api]") {
  const auto parsed =
      ebsim::scenario::parseScenarioFile(EBSIM_SOURCE_DIR "/scenarios/failing-rolling.json");
  REQUIRE(parsed.ok());
  LiveCloud cloud(1, parsed.scenario->region, ebsim::scenario::cloudOptionsOf(*parsed.scenario));
  EbApi api(cloud, 0);
  auto call = [&](const std::string& body) { return api.handle("", body); };
  REQUIRE(call("Action=CreateApplication&ApplicationName=shop").status == 200);
  for (const char* v : {"v1", "v3"}) {
    REQUIRE(call(std::string("Action=CreateApplicationVersion&ApplicationName=shop"
                             "&VersionLabel=") +
                 v)
                .status == 200);
  }
  REQUIRE(call("Action=CreateEnvironment&ApplicationName=shop&EnvironmentName=shop"
               "&VersionLabel=v1&OptionSettings.member.1.Namespace=aws%3Aautoscaling%3Aasg"
               "&OptionSettings.member.1.OptionName=MinSize&OptionSettings.member.1.Value=4"
               "&OptionSettings.member.2.Namespace=aws%3Aelasticbeanstalk%3Acommand"
               "&OptionSettings.member.2.OptionName=DeploymentPolicy"
               "&OptionSettings.member.2.Value=Rolling")
              .status == 200);
  cloud.advanceTo(cloud.now() + Duration::minutes(10));
  REQUIRE(call("Action=UpdateEnvironment&EnvironmentName=shop&VersionLabel=v3").status == 200);
  cloud.advanceTo(cloud.now() + Duration::hours(1));
  const auto errors = call("Action=DescribeEvents&EnvironmentName=shop&Severity=ERROR").body;
  CHECK(errors.find("Failed to deploy application.") != std::string::npos);
  const auto env = call("Action=DescribeEnvironments&EnvironmentNames.member.1=shop").body;
  CHECK(first(env, "Status") == "Ready");
  CHECK(first(env, "VersionLabel") == "v1");  // the expected version stays the last good one
}

TEST_CASE(
    "eb-reference 7.2: RestartAppServer restarts every instance's app server, Updating "
    "then Ready",
    "[serve][api]") {
  Api a;
  REQUIRE(a.call("Action=CreateApplication&ApplicationName=shop").status == 200);
  REQUIRE(a.call("Action=CreateEnvironment&ApplicationName=shop&EnvironmentName=shop"
                 "&OptionSettings.member.1.Namespace=aws%3Aautoscaling%3Aasg"
                 "&OptionSettings.member.1.OptionName=MinSize&OptionSettings.member.1.Value=2")
              .status == 200);
  CHECK(first(a.call("Action=RestartAppServer&EnvironmentName=shop").body, "Message") ==
        "Environment named shop is in an invalid state for this operation. Must be Ready.");
  a.run(Duration::minutes(10));
  const auto restart = a.call("Action=RestartAppServer&EnvironmentName=shop");
  REQUIRE(restart.status == 200);
  CHECK(a.status("shop") == "Updating");
  // Every app server restarts at once: for a moment nothing answers.
  a.run(Duration::seconds(2));
  CHECK(a.cloud.route("shop.us-east-1.elasticbeanstalk.com").status != 200);
  a.run(Duration::minutes(5));
  CHECK(a.status("shop") == "Ready");
  const auto events =
      a.call("Action=DescribeEvents&RequestId=" + first(restart.body, "RequestId")).body;
  CHECK(events.find("restartAppServer completed successfully.") != std::string::npos);
  CHECK(events.find("restartAppServer is starting.") != std::string::npos);
  CHECK(a.cloud.route("shop.us-east-1.elasticbeanstalk.com").status == 200);
}

TEST_CASE(
    "eb-reference 7.2: DescribeEvents and DescribeEnvironments page with MaxRecords and "
    "NextToken",
    "[serve][api]") {
  Api a;
  REQUIRE(a.call("Action=CreateApplication&ApplicationName=shop").status == 200);
  for (const char* env : {"a-env", "b-env", "c-env"}) {
    REQUIRE(
        a.call(std::string("Action=CreateEnvironment&ApplicationName=shop&EnvironmentName=") + env)
            .status == 200);
  }
  a.run(Duration::minutes(10));
  // Environments, two per page, in name order.
  const auto page1 = a.call("Action=DescribeEnvironments&MaxRecords=2").body;
  CHECK(count(page1, "member") == 2);
  const std::string token = first(page1, "NextToken");
  REQUIRE_FALSE(token.empty());
  const auto page2 = a.call("Action=DescribeEnvironments&MaxRecords=2&NextToken=" + token).body;
  CHECK(count(page2, "member") == 1);
  CHECK(first(page2, "EnvironmentName") == "c-env");
  CHECK(first(page2, "NextToken").empty());
  // Events of one environment, newest first, 3 per page, until no token: each event once.
  const auto all = a.call("Action=DescribeEvents&EnvironmentName=b-env").body;
  const int total = count(all, "member");
  REQUIRE(total > 3);
  CHECK(first(all, "NextToken").empty());
  std::string next;
  std::string joined;
  int pages = 0;
  do {
    const auto page = a.call("Action=DescribeEvents&EnvironmentName=b-env&MaxRecords=3" +
                             (next.empty() ? std::string() : "&NextToken=" + next))
                          .body;
    joined += page.substr(page.find("<Events>"), page.find("</Events>") - page.find("<Events>"));
    next = first(page, "NextToken");
    ++pages;
  } while (!next.empty() && pages < 100);
  CHECK(pages == (total + 2) / 3);
  CHECK(count(joined, "member") == total);
  // Events added between pages do not shift the next page (the token is a log position).
  const auto firstPage = a.call("Action=DescribeEvents&MaxRecords=2").body;
  const std::string more = first(firstPage, "NextToken");
  REQUIRE(a.call("Action=TerminateEnvironment&EnvironmentName=a-env").status == 200);
  const auto second = a.call("Action=DescribeEvents&MaxRecords=2&NextToken=" + more).body;
  CHECK(second.find("terminateEnvironment is starting.") == std::string::npos);
  CHECK(first(a.call("Action=DescribeEvents&NextToken=zzz").body, "Code") ==
        "InvalidParameterValue");
  CHECK(first(a.call("Action=DescribeEvents&MaxRecords=0").body, "Code") ==
        "InvalidParameterValue");
}

// --- SigV4 ----------------------------------------------------------------------------------

namespace {

using ebsim::serve::SignedRequest;

// AWS's published example (General Reference, "Examples of the complete Signature Version 4
// signing process"): IAM ListUsers, key AKIDEXAMPLE, 2015-08-30 12:36:00 UTC.
constexpr const char* kExampleSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::int64_t kExampleTime = 1440938160;  // 20150830T123600Z

SignedRequest listUsers() {
  SignedRequest r;
  r.method = "GET";
  r.target = "/?Action=ListUsers&Version=2010-05-08";
  r.headers = {{"Host", "iam.amazonaws.com"},
               {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
               {"X-Amz-Date", "20150830T123600Z"}};
  return r;
}

}  // namespace

TEST_CASE("SigV4: AWS's published ListUsers example, step by step", "[serve][sigv4]") {
  const SignedRequest r = listUsers();
  const std::string canonical =
      ebsim::serve::canonicalRequest(r, {"content-type", "host", "x-amz-date"});
  CHECK(canonical ==
        "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
        "content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\n"
        "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(ebsim::serve::sha256Hex(canonical) ==
        "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  const std::string scope = "20150830/us-east-1/iam/aws4_request";
  const std::string toSign = ebsim::serve::stringToSign("20150830T123600Z", scope, canonical);
  CHECK(ebsim::serve::signature(kExampleSecret, scope, toSign) ==
        "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

TEST_CASE("SigV4: the verifier accepts the example and answers AWS's errors otherwise",
          "[serve][sigv4]") {
  const ebsim::serve::SigV4Verifier iam({"AKIDEXAMPLE", kExampleSecret}, "us-east-1", "iam");
  SignedRequest r = listUsers();
  const std::string good =
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
      "SignedHeaders=content-type;host;x-amz-date, "
      "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
  auto withAuth = [&](const std::string& auth) {
    SignedRequest s = r;
    s.headers.emplace_back("Authorization", auth);
    return s;
  };
  auto code = [&](const SignedRequest& s, std::int64_t now = kExampleTime) {
    const auto e = iam.verify(s, now);
    return e ? e->code : std::string("ok");
  };
  CHECK(code(withAuth(good)) == "ok");
  CHECK(code(withAuth(good), kExampleTime + 14 * 60) == "ok");
  CHECK(code(r) == "MissingAuthenticationToken");
  CHECK(iam.verify(r, kExampleTime)->status == 403);
  CHECK(code(withAuth(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request")) ==
        "IncompleteSignature");
  CHECK(code(withAuth("AWS4-HMAC-SHA1 whatever")) == "IncompleteSignature");
  std::string otherKey = good;
  otherKey.replace(otherKey.find("AKIDEXAMPLE"), 11, "AKIDOTHER00");
  CHECK(code(withAuth(otherKey)) == "InvalidClientTokenId");
  std::string badSignature = good;
  badSignature.back() = badSignature.back() == '7' ? '8' : '7';
  CHECK(code(withAuth(badSignature)) == "SignatureDoesNotMatch");
  // The body is signed: a changed payload no longer matches.
  SignedRequest tampered = withAuth(good);
  tampered.body = "Action=DeleteUser";
  CHECK(code(tampered) == "SignatureDoesNotMatch");
  // A signed header changed on the way.
  SignedRequest moved = withAuth(good);
  moved.headers[0].second = "evil.example.com";
  CHECK(code(moved) == "SignatureDoesNotMatch");
  // Time: more than 15 minutes either way.
  const auto late = iam.verify(withAuth(good), kExampleTime + 16 * 60);
  REQUIRE(late);
  CHECK(late->code == "SignatureDoesNotMatch");
  CHECK(std::string(late->what()) ==
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z "
        "(20150830T125200Z - 15 min.)");
  CHECK(code(withAuth(good), kExampleTime - 16 * 60) == "SignatureDoesNotMatch");
  // Scope: another region or service.
  const ebsim::serve::SigV4Verifier west({"AKIDEXAMPLE", kExampleSecret}, "us-west-2", "iam");
  CHECK(std::string(west.verify(withAuth(good), kExampleTime)->what()) ==
        "Credential should be scoped to a valid region, not 'us-east-1'. ");
}

// --- DNS (--dns-port) -----------------------------------------------------------------------

namespace {

// A standard query with RD set, one question.
std::string dnsQuery(const std::string& name, std::uint16_t type, std::uint16_t id = 0x1234) {
  std::string q = {
      static_cast<char>(id >> 8), static_cast<char>(id & 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
  std::size_t start = 0;
  while (start <= name.size()) {
    const auto dot = name.find('.', start);
    const std::string label = name.substr(start, dot - start);
    q += static_cast<char>(label.size());
    q += label;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  q += '\0';
  q += {static_cast<char>(type >> 8), static_cast<char>(type & 0xff), 0, 1};
  return q;
}

int rcodeOf(const std::string& reply) { return reply.size() < 4 ? -1 : reply[3] & 0x0f; }
int answersOf(const std::string& reply) {
  return reply.size() < 8
             ? -1
             : (static_cast<unsigned char>(reply[6]) << 8) | static_cast<unsigned char>(reply[7]);
}

}  // namespace

TEST_CASE("DNS wire format: answers, NXDOMAIN, REFUSED, FORMERR, and silence for non-queries",
          "[serve][dns]") {
  using ebsim::serve::DnsLookup;
  namespace dns = ebsim::serve::dns;
  std::string asked;
  std::uint16_t askedType = 0;
  const ebsim::serve::DnsResolver resolver = [&](const std::string& name, std::uint16_t type) {
    asked = name;
    askedType = type;
    DnsLookup out;
    if (name == "shop.example.com") {
      out.records = {{name, dns::kTypeCname, 60, "lb-1.elb.example.com"},
                     {"lb-1.elb.example.com", dns::kTypeA, 60, "127.0.0.1"}};
    } else {
      out.rcode = dns::kNxDomain;
    }
    return out;
  };
  const std::string reply =
      ebsim::serve::answerDnsQuery(dnsQuery("Shop.Example.COM", dns::kTypeA), resolver);
  CHECK(asked == "shop.example.com");  // lowercased
  CHECK(askedType == dns::kTypeA);
  REQUIRE(reply.size() > 12);
  CHECK(reply.substr(0, 2) == "\x12\x34");                       // the query's id
  CHECK((static_cast<unsigned char>(reply[2]) & 0x85) == 0x85);  // QR, AA, RD
  CHECK(rcodeOf(reply) == dns::kNoError);
  CHECK(answersOf(reply) == 2);
  // The A record's data, 127.0.0.1, ends the packet.
  CHECK(reply.substr(reply.size() - 4) == std::string("\x7f\x00\x00\x01", 4));
  CHECK(reply.find(std::string("\x04lb-1\x03"
                               "elb\x07"
                               "example\x03"
                               "com",
                               21)) != std::string::npos);

  CHECK(rcodeOf(ebsim::serve::answerDnsQuery(dnsQuery("nope.example.com", 1), resolver)) ==
        dns::kNxDomain);
  // Malformed: truncated name, a compression pointer in the question, no question.
  std::string truncated = dnsQuery("shop.example.com", 1);
  truncated.resize(20);
  CHECK(rcodeOf(ebsim::serve::answerDnsQuery(truncated, resolver)) == dns::kFormErr);
  std::string pointer = dnsQuery("x", 1).substr(0, 12) + std::string("\xc0\x0c\x00\x01\x00\x01", 6);
  CHECK(rcodeOf(ebsim::serve::answerDnsQuery(pointer, resolver)) == dns::kFormErr);
  std::string none = dnsQuery("x", 1);
  none[5] = 0;  // QDCOUNT 0
  CHECK(rcodeOf(ebsim::serve::answerDnsQuery(none, resolver)) == dns::kFormErr);
  // Not answered at all: shorter than a header, or a response.
  CHECK(ebsim::serve::answerDnsQuery("\x01\x02", resolver).empty());
  std::string response = dnsQuery("shop.example.com", 1);
  response[2] = static_cast<char>(response[2] | 0x80);
  CHECK(ebsim::serve::answerDnsQuery(response, resolver).empty());
  // Another class (CH): REFUSED, with the question echoed.
  std::string chaos = dnsQuery("shop.example.com", 1);
  chaos[chaos.size() - 1] = 3;
  const std::string refusedReply = ebsim::serve::answerDnsQuery(chaos, resolver);
  CHECK(rcodeOf(refusedReply) == dns::kRefused);
  CHECK(refusedReply.substr(12) == chaos.substr(12));
  // The resolver's own REFUSED (a name outside the zone) passes through.
  const ebsim::serve::DnsResolver outside = [](const std::string&, std::uint16_t) {
    return DnsLookup{dns::kRefused, {}};
  };
  CHECK(rcodeOf(ebsim::serve::answerDnsQuery(dnsQuery("example.org", 1), outside)) ==
        dns::kRefused);
  // More answers than 512 bytes hold: as many as fit, and TC set.
  const ebsim::serve::DnsResolver many = [](const std::string& name, std::uint16_t) {
    DnsLookup out;
    for (int i = 0; i < 40; ++i) out.records.push_back({name, dns::kTypeA, 60, "10.0.0.1"});
    return out;
  };
  const std::string big = ebsim::serve::answerDnsQuery(dnsQuery("shop.example.com", 1), many);
  CHECK(big.size() <= 512);
  CHECK((big[2] & 0x02) != 0);  // TC
  CHECK(answersOf(big) > 0);
  CHECK(answersOf(big) < 40);
  // Another opcode (a NOTIFY, say): NOTIMP.
  std::string notify = dnsQuery("shop.example.com", 1);
  notify[2] = static_cast<char>(4 << 3);
  CHECK(rcodeOf(ebsim::serve::answerDnsQuery(notify, resolver)) == dns::kNotImp);
}

TEST_CASE("DNS lookups follow Route 53's visible records: a swap moves the answer",
          "[serve][dns]") {
  namespace dns = ebsim::serve::dns;
  Api a;
  REQUIRE(a.call("Action=CreateApplication&ApplicationName=shop").status == 200);
  for (const char* env : {"blue", "green"}) {
    REQUIRE(a.call(std::string("Action=CreateEnvironment&ApplicationName=shop&EnvironmentName=") +
                   env + "&CNAMEPrefix=shop-" + env)
                .status == 200);
  }
  const std::string blue = "shop-blue.us-east-1.elasticbeanstalk.com";
  // Launching: no record yet, but the name is in the zone.
  CHECK(a.cloud.dnsLookup(blue, dns::kTypeA, "127.0.0.1").rcode == dns::kNxDomain);
  a.run(Duration::minutes(10));
  const auto before = a.cloud.dnsLookup(blue, dns::kTypeA, "127.0.0.1");
  REQUIRE(before.records.size() == 2);
  CHECK(before.records[0].type == dns::kTypeCname);
  CHECK(before.records[0].ttlSeconds == 60);
  CHECK(before.records[1].type == dns::kTypeA);
  CHECK(before.records[1].name == before.records[0].data);
  CHECK(before.records[1].data == "127.0.0.1");
  // A CNAME question gets the CNAME alone; the load balancer's name answers its A record.
  CHECK(a.cloud.dnsLookup(blue, dns::kTypeCname, "127.0.0.1").records.size() == 1);
  CHECK(a.cloud.dnsLookup(before.records[0].data, dns::kTypeA, "10.0.0.9").records.at(0).data ==
        "10.0.0.9");
  CHECK(a.cloud.dnsLookup("example.com", dns::kTypeA, "127.0.0.1").rcode == dns::kRefused);
  REQUIRE(a.call("Action=SwapEnvironmentCNAMEs&SourceEnvironmentName=blue"
                 "&DestinationEnvironmentName=green")
              .status == 200);
  a.run(Duration::minutes(2));
  const auto after = a.cloud.dnsLookup(blue, dns::kTypeA, "127.0.0.1");
  REQUIRE_FALSE(after.records.empty());
  CHECK(after.records[0].data != before.records[0].data);
  // And green's name now leads to blue's load balancer.
  CHECK(a.cloud.dnsLookup("shop-green.us-east-1.elasticbeanstalk.com", dns::kTypeCname, "")
            .records.at(0)
            .data == before.records[0].data);
}
