// `ebsim serve` driven by the AWS SDK for JavaScript v3 (@aws-sdk/client-elastic-beanstalk):
// an application and two versions, an environment with option settings, Ready and Green, the
// data plane answering v1, an update to v2, events newest first, an EB error parsed by the SDK
// from the Query error envelope, and termination.
// Usage: node serve_sdk_test.mjs <api endpoint URL> <data-plane port>
import http from "node:http";
import {
  ElasticBeanstalkClient, CreateApplicationCommand, CreateApplicationVersionCommand,
  CreateEnvironmentCommand, DescribeEnvironmentsCommand, UpdateEnvironmentCommand,
  DescribeEventsCommand, TerminateEnvironmentCommand,
} from "@aws-sdk/client-elastic-beanstalk";

const [endpoint, lbPort] = process.argv.slice(2);
if (!endpoint || !lbPort) {
  console.log("FAIL - usage: node serve_sdk_test.mjs <api endpoint URL> <data-plane port>");
  process.exit(1);
}
const eb = new ElasticBeanstalkClient({
  endpoint, region: "us-east-1", maxAttempts: 1,
  credentials: { accessKeyId: "ebsim", secretAccessKey: "ebsim" },
});
let passes = 0, failures = 0;
process.on("uncaughtException", (err) => {  // a call that should have worked rejected: say what, and stop
  console.log(`FAIL - unexpected ${err.name}: ${err.message} (HTTP ${err.$metadata?.httpStatusCode ?? "-"})`);
  console.log(`${passes} passed, ${failures + 1} failed`);
  process.exit(1);
});
function check(what, ok) {
  console.log(`${ok ? "ok  " : "FAIL"} - ${what}`);
  ok ? passes++ : failures++;
  return ok;
}
const send = (command) => eb.send(command);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const describe = async (name, includeDeleted = false) =>
  (await send(new DescribeEnvironmentsCommand({ EnvironmentNames: [name], IncludeDeleted: includeDeleted })))
    .Environments?.[0];
async function waitFor(name, predicate, { includeDeleted = false, seconds = 30 } = {}) {
  let env;
  for (const deadline = Date.now() + seconds * 1000; Date.now() < deadline; await sleep(250)) {
    env = await describe(name, includeDeleted);
    if (env && predicate(env)) return env;
  }
  return env;  // the last one seen, for the message; the predicate still fails on it
}
// GET / on the data plane with the environment's CNAME as Host (node:http honours Host; fetch does not).
const hit = (host) => new Promise((resolve) => {
  const req = http.get({ host: "127.0.0.1", port: Number(lbPort), path: "/", headers: { Host: host }, timeout: 5000 },
    (res) => { let body = ""; res.on("data", (c) => (body += c)); res.on("end", () => resolve({ status: res.statusCode, body })); });
  req.on("timeout", () => req.destroy(new Error("timeout")));
  req.on("error", (e) => resolve({ status: 0, body: String(e) }));
});
const servesVersion = async (host, version) => {
  const { status, body } = await hit(host);
  let json = {};
  try { json = JSON.parse(body); } catch { /* not JSON: the check fails */ }
  return check(`the data plane answers 200 from ${version} (${status} ${body.trim()})`, status === 200 && json.version === version);
};

const app = "shop", envName = "shop-sdk";
const created = await send(new CreateApplicationCommand({ ApplicationName: app }));
check("CreateApplication", created.Application?.ApplicationName === app);
for (const v of ["v1", "v2"]) {
  const out = await send(new CreateApplicationVersionCommand({
    ApplicationName: app, VersionLabel: v, SourceBundle: { S3Bucket: "my-bucket", S3Key: `${v}.zip` },
  }));
  check(`CreateApplicationVersion ${v}`, out.ApplicationVersion?.VersionLabel === v);
}

const option = (Namespace, OptionName, Value) => ({ Namespace, OptionName, Value });
const launching = await send(new CreateEnvironmentCommand({
  ApplicationName: app, EnvironmentName: envName, CNAMEPrefix: envName, VersionLabel: "v1",
  OptionSettings: [
    option("aws:autoscaling:asg", "MinSize", "2"), option("aws:autoscaling:asg", "MaxSize", "2"),
    option("aws:elasticbeanstalk:command", "DeploymentPolicy", "Rolling"),
    option("aws:elasticbeanstalk:command", "BatchSize", "50"),
  ],
}));
check(`CreateEnvironment answers Launching (${launching.Status})`, launching.Status === "Launching");
let env = await waitFor(envName, (e) => e.Status === "Ready");
check(`the environment becomes Ready (${env?.Status})`, env?.Status === "Ready");
check(`health Green (${env?.Health})`, env?.Health === "Green");
const cname = env?.CNAME;
check(`the environment has its CNAME (${cname})`, cname === `${envName}.us-east-1.elasticbeanstalk.com`);
await servesVersion(cname, "v1");

const updating = await send(new UpdateEnvironmentCommand({ EnvironmentName: envName, VersionLabel: "v2" }));
check(`UpdateEnvironment answers Updating (${updating.Status})`, updating.Status === "Updating");
env = await waitFor(envName, (e) => e.Status === "Ready" && e.VersionLabel === "v2");
check(`Ready again on v2 (${env?.Status}, ${env?.VersionLabel})`, env?.Status === "Ready" && env?.VersionLabel === "v2");
await servesVersion(cname, "v2");

const { Events: events = [] } = await send(new DescribeEventsCommand({ EnvironmentName: envName }));
const times = events.map((e) => e.EventDate?.getTime());
check(`DescribeEvents returns events with dates (${events.length})`, events.length > 2 && times.every(Number.isFinite));
check("events are newest first", times.every((t, i) => i === 0 || times[i - 1] >= t) && times[0] > times.at(-1));
check("events include the update's completion",
  events.some((e) => e.Message === "Environment update completed successfully."));

// An EB error: the SDK must parse the Query error envelope into a named exception.
try {
  await send(new CreateApplicationCommand({ ApplicationName: app }));
  check("CreateApplication of an existing name rejects", false);
} catch (err) {
  check(`CreateApplication twice rejects with InvalidParameterValue (${err.name}: ${err.message})`,
    err.name === "InvalidParameterValue" && err.Code === "InvalidParameterValue" && err.$metadata?.httpStatusCode === 400
    && /already exists/.test(err.message));
}

const terminating = await send(new TerminateEnvironmentCommand({ EnvironmentName: envName }));
check(`TerminateEnvironment answers Terminating (${terminating.Status})`, terminating.Status === "Terminating");
env = await waitFor(envName, (e) => e.Status === "Terminated", { includeDeleted: true });
check(`DescribeEnvironments IncludeDeleted shows Terminated (${env?.Status})`, env?.Status === "Terminated");
const hidden = await describe(envName);
check(`without IncludeDeleted it is gone (${hidden?.Status})`, hidden === undefined);

console.log(`${passes} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
