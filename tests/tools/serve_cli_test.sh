#!/usr/bin/env bash
# `ebsim serve` driven as a user would, with the real AWS CLI v2 (Debian's awscli,
# /usr/bin/aws), curl and dig: an application and versions, an environment with option settings,
# Ready, the data plane answering v1, a Rolling update to v2 seen through the data plane with no
# failed request, events, a second environment and a CNAME swap, DNS asked with dig,
# termination, a rebuild, a restart that finds the state again, malformed requests that leave
# the server serving, and SigV4 verification.
# Usage: serve_cli_test.sh path/to/ebsim
set -uo pipefail
ebsim="$1"
aws_cli=/usr/bin/aws  # another aws may come first on PATH
failures=0
passes=0
check() {  # check <description> <condition...>
  local what="$1"; shift
  if "$@"; then echo "ok   - $what"; passes=$((passes + 1)); else echo "FAIL - $what"; failures=$((failures + 1)); fi
}
if [ ! -x "$aws_cli" ] || ! command -v curl >/dev/null || ! command -v dig >/dev/null; then
  echo "FAIL - needs /usr/bin/aws (Debian awscli), curl and dig (bind9-dnsutils): tools/install_deps.sh installs them"
  exit 1
fi

tmp=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export AWS_ACCESS_KEY_ID=ebsim AWS_SECRET_ACCESS_KEY=ebsim AWS_DEFAULT_REGION=us-east-1
export AWS_PAGER="" AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

start_server() {  # any free ports; sets api and lb from the "listening" line
  "$ebsim" serve --port 0 --lb-port 0 --dns-port 0 --speed 600 --state-dir "$tmp/state" >"$tmp/serve.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    grep -q listening "$tmp/serve.log" && break
    sleep 0.1
  done
  api=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/ (Elastic.*|\1|p' "$tmp/serve.log")
  lb=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/ (load.*|\1|p' "$tmp/serve.log")
  dns=$(sed -n 's|.*DNS on udp://127.0.0.1:\([0-9]*\),.*|\1|p' "$tmp/serve.log")
  if [ -z "$api" ] || [ -z "$lb" ]; then
    echo "FAIL - ebsim serve did not print its listening line:"; cat "$tmp/serve.log"
    exit 1
  fi
}
eb() { timeout 60 "$aws_cli" --endpoint-url "http://127.0.0.1:$api" elasticbeanstalk "$@"; }
status_of() { eb describe-environments --environment-names "$1" --query 'Environments[0].Status' --output text; }
wait_status() {  # wait_status <env> <status>: up to 30 s of wall time
  for _ in $(seq 1 60); do
    [ "$(status_of "$1")" = "$2" ] && return 0
    sleep 0.5
  done
  return 1
}
hit() { curl -s -m 5 -H "Host: $1" "http://127.0.0.1:$lb/"; }

start_server
check "serve prints a listening line with both ports ($api, $lb)" test -n "$api" -a -n "$lb"
busy=$("$ebsim" serve --port "$api" --lb-port 0 2>&1); rc=$?
check "a port in use is exit 2 with a clear message" test "$rc" -eq 2 -a -n "$(grep "cannot listen on 127.0.0.1:$api (--port): Address already in use" <<<"$busy")"

eb create-application --application-name shop >/dev/null
check "create-application" test $? -eq 0
for v in v1 v2; do
  eb create-application-version --application-name shop --version-label "$v" \
    --source-bundle "S3Bucket=my-bucket,S3Key=$v.zip" >/dev/null
done
versions=$(eb describe-application-versions --application-name shop --query 'length(ApplicationVersions)')
check "two application versions ($versions)" test "$versions" = 2

created=$(eb create-environment --application-name shop --environment-name shop-blue \
  --cname-prefix shop --version-label v1 \
  --option-settings Namespace=aws:autoscaling:asg,OptionName=MinSize,Value=4 \
                    Namespace=aws:autoscaling:asg,OptionName=MaxSize,Value=4 \
                    Namespace=aws:elasticbeanstalk:command,OptionName=DeploymentPolicy,Value=Rolling \
                    Namespace=aws:elasticbeanstalk:command,OptionName=BatchSize,Value=25 \
  --query Status --output text)
check "create-environment answers Launching ($created)" test "$created" = Launching
check "the environment becomes Ready" wait_status shop-blue Ready
# The CLI's own waiter (it polls DescribeEnvironments until Ready).
eb wait environment-exists --environment-names shop-blue
check "aws elasticbeanstalk wait environment-exists" test $? -eq 0
health=$(eb describe-environments --environment-names shop-blue --query 'Environments[0].Health' --output text)
check "health Green ($health)" test "$health" = Green
check "the data plane answers from v1" grep -q '"version":"v1"' <<<"$(hit shop.us-east-1.elasticbeanstalk.com)"

updating=$(eb update-environment --environment-name shop-blue --version-label v2 --query Status --output text)
check "update-environment answers Updating ($updating)" test "$updating" = Updating
seen_v1=0; seen_v2=0; failed=0; streak=0
for _ in $(seq 1 300); do
  answer=$(curl -s -m 5 -w ' %{http_code}' -H "Host: shop.us-east-1.elasticbeanstalk.com" "http://127.0.0.1:$lb/")
  case "$answer" in
    *'"version":"v1"'*' 200') seen_v1=$((seen_v1 + 1)); streak=0 ;;
    *'"version":"v2"'*' 200') seen_v2=$((seen_v2 + 1)); streak=$((streak + 1)) ;;
    *) failed=$((failed + 1)) ;;
  esac
  [ "$streak" -ge 20 ] && [ "$(status_of shop-blue)" = Ready ] && break
  sleep 0.02
done
check "during the Rolling update the data plane saw v1 ($seen_v1) give way to v2 ($seen_v2)" test "$seen_v2" -ge 20
check "and no request failed ($failed)" test "$failed" -eq 0
check "the environment is Ready again" wait_status shop-blue Ready
events=$(eb describe-events --environment-name shop-blue --query 'Events[].Message' --output text)
check "events show the batches" grep -q 'Batch 4: Completed application deployment.' <<<"$events"
check "events end with the update's completion" grep -q 'Environment update completed successfully.' <<<"$events"
all_events=$(eb describe-events --environment-name shop-blue --query 'length(Events)')
paged_events=$(eb describe-events --environment-name shop-blue --page-size 4 --query 'length(Events)')
check "the CLI's paginator (MaxRecords, NextToken) gets every event ($paged_events of $all_events)" test "$paged_events" = "$all_events" -a "$all_events" -gt 4

# A clone, the AWS CLI way: a saved configuration from the running environment, then a new
# environment from it (4 instances, like its source).
blue_id=$(eb describe-environments --environment-names shop-blue --query 'Environments[0].EnvironmentId' --output text)
eb create-configuration-template --application-name shop --template-name blue-config \
  --environment-id "$blue_id" >/dev/null
check "create-configuration-template from the running environment" test $? -eq 0
eb create-environment --application-name shop --environment-name shop-green \
  --cname-prefix shop-green --version-label v2 --template-name blue-config >/dev/null
check "the clone becomes Ready" wait_status shop-green Ready
clone_size=$(eb describe-environment-resources --environment-name shop-green --query 'length(EnvironmentResources.Instances)')
check "the clone has its source's 4 instances ($clone_size)" test "$clone_size" = 4
min_size=$(eb describe-configuration-settings --application-name shop --environment-name shop-green --query "ConfigurationSettings[0].OptionSettings[?OptionName=='MinSize'].Value | [0]" --output text)
check "describe-configuration-settings of the clone says MinSize 4 ($min_size)" test "$min_size" = 4
eb swap-environment-cnames --source-environment-name shop-blue --destination-environment-name shop-green
check "swap-environment-cnames" test $? -eq 0
swapped=0
for _ in $(seq 1 50); do
  grep -q '"environment":"shop-green"' <<<"$(hit shop.us-east-1.elasticbeanstalk.com)" && { swapped=1; break; }
  sleep 0.1
done
check "after the swap the shop CNAME reaches shop-green" test "$swapped" -eq 1
# DNS on loopback UDP, asked with dig: the CNAME, then the load balancer's address, and a
# client that connects where DNS sends it reaches the environment the CNAME now names.
green_lb=$(eb describe-environments --environment-names shop-green --query 'Environments[0].EndpointURL' --output text)
answer=$(dig +short +time=2 +tries=1 @127.0.0.1 -p "$dns" shop.us-east-1.elasticbeanstalk.com A)
check "dig: the shop CNAME leads to shop-green's load balancer ($green_lb)" test "$(head -1 <<<"$answer")" = "$green_lb."
check "dig: and the load balancer's A record is the data plane (127.0.0.1)" test "$(tail -1 <<<"$answer")" = 127.0.0.1
address=$(tail -1 <<<"$answer")
check "curl at the address DNS gives reaches shop-green" grep -q '"environment":"shop-green"' <<<"$(curl -s -m 5 --resolve "shop.us-east-1.elasticbeanstalk.com:$lb:$address" "http://shop.us-east-1.elasticbeanstalk.com:$lb/")"
check "dig: an unknown name of the zone is NXDOMAIN" grep -q 'status: NXDOMAIN' <<<"$(dig +time=2 +tries=1 @127.0.0.1 -p "$dns" nothing.us-east-1.elasticbeanstalk.com)"
check "dig: a name outside the zone is REFUSED" grep -q 'status: REFUSED' <<<"$(dig +time=2 +tries=1 @127.0.0.1 -p "$dns" example.com)"
python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.sendto(b"\x00garbage\xff", ("127.0.0.1", int(sys.argv[1])))' "$dns"
check "dig: after a garbage datagram the DNS server still answers" test -n "$(dig +short +time=2 +tries=1 @127.0.0.1 -p "$dns" shop.us-east-1.elasticbeanstalk.com)"
eb terminate-environment --environment-name shop-blue >/dev/null
terminated=0
for _ in $(seq 1 60); do
  s=$(eb describe-environments --environment-names shop-blue --include-deleted --query 'Environments[0].Status' --output text)
  [ "$s" = Terminated ] && { terminated=1; break; }
  sleep 0.5
done
check "terminate-environment ends Terminated" test "$terminated" -eq 1
# Rebuilt by id within 42 days: the same environment comes back under the CNAME it had last
# (shop-green's, after the swap), with new instances.
eb rebuild-environment --environment-id "$blue_id"
check "rebuild-environment of the terminated shop-blue" test $? -eq 0
check "the rebuilt shop-blue becomes Ready" wait_status shop-blue Ready
check "and the data plane reaches it again" grep -q '"environment":"shop-blue"' <<<"$(hit shop-green.us-east-1.elasticbeanstalk.com)"

# Malformed requests: each gets an error or a closed connection, and the server goes on.
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d 'Action=NoSuchThing' "http://127.0.0.1:$api/")
check "an unknown Action gets 400 ($code)" test "$code" = 400
code=$(head -c 2000000 /dev/zero | curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary @- "http://127.0.0.1:$api/")
check "an oversized body gets 413 ($code)" test "$code" = 413
reply=$(exec 3<>"/dev/tcp/127.0.0.1/$api"; printf 'NOT HTTP\x01\x02\r\n\r\n' >&3; timeout 5 cat <&3)
check "garbage bytes get 400 and a close" grep -q '400 Bad Request' <<<"$reply"
exec 4<>"/dev/tcp/127.0.0.1/$api"; printf 'POST / HTTP/1.1\r\nHost: slow\r\n' >&4  # and no more
apps=$(eb describe-applications --query 'Applications[0].ApplicationName' --output text)
check "a slow client does not hold up others ($apps)" test "$apps" = shop
exec 4>&-

kill -TERM "$server_pid"; wait "$server_pid"; rc=$?
check "SIGTERM stops the server cleanly (exit $rc)" test "$rc" -eq 0
server_pid=""
start_server
check "the restarted server restores its calls" grep -q 'restored' "$tmp/serve.log"
green=$(eb describe-environments --environment-names shop-green --query 'Environments[0].[Status,VersionLabel]' --output text)
check "after a restart shop-green is there, Ready on v2 ($green)" test "$(tr -s '\t ' ' ' <<<"$green")" = "Ready v2"
versions=$(eb describe-application-versions --application-name shop --query 'length(ApplicationVersions)')
check "and the versions ($versions)" test "$versions" = 2
check "and the data plane answers from it" grep -q '"environment":"shop-green"' <<<"$(hit shop.us-east-1.elasticbeanstalk.com)"
check "and the rebuilt shop-blue is Ready ($(status_of shop-blue))" wait_status shop-blue Ready

# Killed without warning right after a change: the state file is whole, and has the change.
eb create-application --application-name after-kill >/dev/null
kill -KILL "$server_pid"; wait "$server_pid" 2>/dev/null
server_pid=""
check "state.json is whole JSON after kill -9" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/state/state.json"
start_server
apps=$(eb describe-applications --query 'length(Applications)')
check "after kill -9 the restarted server has every application ($apps)" test "$apps" = 2

# SigV4 verification with a configured key: the CLI's real signatures pass, others get AWS's 403.
kill "$server_pid"; wait "$server_pid" 2>/dev/null
"$ebsim" serve --port 0 --lb-port 0 --access-key-id AKIDEBSIM --secret-access-key s3cret \
  >"$tmp/signed.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do grep -q listening "$tmp/signed.log" && break; sleep 0.1; done
api=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/ (Elastic.*|\1|p' "$tmp/signed.log")
signed() { AWS_ACCESS_KEY_ID=$1 AWS_SECRET_ACCESS_KEY=$2 eb "${@:3}" 2>&1; }
app=$(signed AKIDEBSIM s3cret create-application --application-name 'signed shop+1/x' --query Application.ApplicationName --output text)
check "SigV4: the CLI signed with the configured key is served ($app)" test "$app" = 'signed shop+1/x'
check "SigV4: a wrong secret gets SignatureDoesNotMatch" grep -q SignatureDoesNotMatch <<<"$(signed AKIDEBSIM wrong describe-applications)"
check "SigV4: an unknown key gets InvalidClientTokenId" grep -q InvalidClientTokenId <<<"$(signed AKIDOTHER s3cret describe-applications)"
check "SigV4: another region's scope is refused" grep -q "scoped to a valid region, not 'eu-west-1'" <<<"$(signed AKIDEBSIM s3cret --region eu-west-1 describe-applications)"
reply=$(curl -s -o /dev/null -w '%{http_code}' -d Action=DescribeApplications "http://127.0.0.1:$api/")
check "SigV4: an unsigned request gets 403 ($reply)" test "$reply" = 403

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
