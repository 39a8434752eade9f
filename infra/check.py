#!/usr/bin/env python3
"""Checks infra/template.yaml (run through infra/check.sh, which installs the dependencies).

1. cfn-lint (errors and warnings fail; suppressed rules: IGNORED_LINT_RULES below, with reasons).
2. The SAM transform (aws-sam-translator) for both stages, after resolving what the
   AWS::LanguageExtensions transform does in this template (Fn::If in DeletionPolicy and
   UpdateReplacePolicy); static checks of the stage-dependent settings.
3. create_stack of the transformed template (stage test) on the moto server, with the Lambda code
   in a freshly created bucket; wait for CREATE_COMPLETE.
4. Assertions through boto3 against moto that every resource exists with the intended settings;
   every resource that moto did not create (it skips unknown types silently) is checked
   statically in the transformed template, and a resource type with neither check fails.
5. The table definition of the template equals the one of the DynamoDB adapter
   (`cargo run -q -p fallwerk-aws --example table_definition`).
6. delete_stack (always, also after failures) and removal of the code bucket.

Prints PASS/FAIL per check and `N passed, M failed`; exit status 1 when anything failed.
Environment: AWS_ENDPOINT_URL (default http://127.0.0.1:5000), AWS_REGION/AWS_DEFAULT_REGION
(default eu-central-1), FALLWERK_CHECK_SKIP_CARGO=1 skips check 5 (reported as FAIL).
"""

from __future__ import annotations

import ast
import copy
import io
import json
import os
import re
import subprocess
import sys
import time
import traceback
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(os.environ.get("FALLWERK_CHECK_TEMPLATE", ROOT / "infra" / "template.yaml")).resolve()
ENDPOINT = os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")
REGION = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-central-1"
os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

# cfn-lint rules ignored for this template, with the reason. Empty today: the template lints
# clean (errors, warnings and informational findings).
IGNORED_LINT_RULES: dict[str, str] = {
    # The SAM Api's OpenAPI body defines no gateway responses; SAM accepts GatewayResponses only
    # with an inline DefinitionBody, so the 413 problem for bodies above 10 MB is its own
    # AWS::ApiGateway::GatewayResponse resource (checked in static_gateway_response). Nothing
    # else defines that response, so there is nothing for it to drift against.
    "W3660": "gateway response as its own resource beside the SAM Api (issue 13)",
}

# ----------------------------------------------------------------------------- the contract
ARCH = "arm64"
STAGE = "test"
PARAMETERS = {
    "Stage": STAGE,
    "Architecture": ARCH,
    "MailFrom": "noreply@amt.example.org",
    "PortalUrl": "https://portal.example.org",
    "CaseworkerUrl": "https://fallwerk.amt.example.org",
    "SessionSecret": "check-session-secret-0123456789abcdef0123",
    "OidcIssuer": "https://idp.example.org/realms/amt",
    "OidcClientId": "fallwerk-workplace",
    "OidcClientSecret": "check-oidc-client-secret",
    "ReferencePrefix": "MV",
    "JwksUrl": "https://idp.example.org/realms/amt/protocol/openid-connect/certs",
    "JwksFile": "",
    "JwtIssuer": "https://idp.example.org/realms/amt",
    "JwtAudience": "fallwerk",
    "ScheduleExpression": "rate(1 minute)",
    "LogRetentionDays": "90",
    "AlarmEmail": "ops@example.org",
    "ExportsTransitionDays": "30",
    "ExportsExpirationDays": "365",
    "NoncurrentVersionExpirationDays": "30",
    "ApiAccessLogging": "true",
}

# logical id -> short name, read from the template in main() (functions_of): the template and
# scripts/package.sh name the functions; static_functions checks that they agree.
FUNCTIONS: dict[str, str] = {}
COMMON_ENV = {
    "FALLWERK_BACKEND",
    "FALLWERK_TABLE",
    "FALLWERK_BUCKET",
    "FALLWERK_MESSAGING_QUEUE_URL",
    "FALLWERK_EXPORT_QUEUE_URL",
    "FALLWERK_MAIL_FROM",
    "FALLWERK_PORTAL_URL",
    "FALLWERK_CASEWORKER_URL",
    "FALLWERK_REFERENCE_PREFIX",
    "RUST_LOG",
}
# lambda_http would otherwise prefix request paths with the stage (/test/v1/...).
EXTRA_ENV = {
    "intake": {"AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH"},
    "casework": {"AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH", "FALLWERK_JWT_ISSUER", "FALLWERK_JWT_AUDIENCE",
                 "FALLWERK_JWKS_URL",  # the check deploys with JwksUrl set, JwksFile empty
                 "FALLWERK_SESSION_SECRET",  # ... and with a SessionSecret (the pages are served)
                 # ... and with the OpenID login of the workplace
                 "FALLWERK_OIDC_ISSUER", "FALLWERK_OIDC_CLIENT_ID", "FALLWERK_OIDC_CLIENT_SECRET"},
    # The consumers' claim lease is their queue's visibility timeout (issue 16).
    "messaging": {"FALLWERK_QUEUE_VISIBILITY_SECONDS"},
    "export": {"FALLWERK_QUEUE_VISIBILITY_SECONDS"},
}

TABLE_RW = {"GetItem", "PutItem", "UpdateItem", "Query", "ConditionCheckItem"}
CONSUME = {"ReceiveMessage", "DeleteMessage", "GetQueueAttributes", "ChangeMessageVisibility"}
LOGS = {"logs:CreateLogStream", "logs:PutLogEvents"}


def ddb(actions):
    return {f"dynamodb:{a}" for a in actions}


def sqs(actions):
    return {f"sqs:{a}" for a in actions}


# Least privilege per function: resource class -> exactly these actions (no others anywhere).
# TransactWriteItems is no IAM action: transactions are authorised by Put/Update/Delete/
# ConditionCheckItem of their parts.
IAM_CONTRACT = {
    "intake": {
        "table": ddb(TABLE_RW),
        "table-index": ddb(TABLE_RW),
        "s3:cases/*": {"s3:PutObject", "s3:DeleteObject"},
        "s3:uploads/*": {"s3:PutObject", "s3:GetObject", "s3:DeleteObject"},
        "queue:messaging": sqs({"SendMessage"}),
        "queue:export": sqs({"SendMessage"}),
        "log:own": LOGS,
    },
    "casework": {
        "table": ddb(TABLE_RW),
        "table-index": ddb(TABLE_RW),
        "s3:cases/*": {"s3:GetObject"},
        "queue:messaging": sqs({"SendMessage"}),
        "queue:export": sqs({"SendMessage"}),
        "log:own": LOGS,
    },
    "messaging": {
        "table": ddb(TABLE_RW),
        "table-index": ddb(TABLE_RW),
        "ses:identity/*": {"ses:SendEmail", "ses:SendRawEmail"},
        "queue:messaging": sqs(CONSUME),
        "log:own": LOGS,
    },
    "export": {
        "table": ddb(TABLE_RW),
        "table-index": ddb(TABLE_RW),
        "s3:cases/*": {"s3:GetObject"},
        "s3:exports/*": {"s3:PutObject"},
        "queue:export": sqs(CONSUME),
        "queue:messaging": sqs({"SendMessage"}),
        "log:own": LOGS,
    },
    "scheduler": {
        "table": ddb(TABLE_RW | {"DeleteItem"}),
        "table-index": ddb(TABLE_RW | {"DeleteItem"}),
        "queue:messaging": sqs({"SendMessage"}),
        "queue:export": sqs({"SendMessage"}),
        "s3:cases/*": {"s3:DeleteObject"},
        "log:own": LOGS,
    },
}

# path -> {method: function}, generated from the route table (functions/api/src/routes/table.rs)
API_ROUTES: dict[str, dict[str, str]] = json.loads((ROOT / "docs" / "routes.json").read_text())["resources"]

# ----------------------------------------------------------------------------- reporting
RESULTS: list[tuple[str, bool, str]] = []
NOTES: set[str] = set()  # what moto did not keep and was checked in the template instead


def moto_gap(what: str) -> None:
    NOTES.add(what)


def record(name: str, ok: bool, detail: str = "") -> bool:
    RESULTS.append((name, ok, detail))
    line = f"{'PASS' if ok else 'FAIL'}  {name}"
    if detail:
        line += f" - {detail}"
    print(line, flush=True)
    return ok


def check(name: str, fn, *args) -> bool:
    """Runs fn(*args); an exception or a returned list of problems is a failure."""
    started = time.monotonic()
    try:
        problems = fn(*args)
    except AssertionError as err:
        return record(name, False, str(err) or "assertion failed")
    except Exception as err:  # noqa: BLE001 - a crash of one check must not stop the others
        detail = f"{type(err).__name__}: {err}"
        if os.environ.get("FALLWERK_CHECK_DEBUG"):
            traceback.print_exc()
        return record(name, False, detail)
    took = time.monotonic() - started
    name = f"{name} ({took:.1f} s)" if took >= 1 else name
    if problems:
        return record(name, False, "; ".join(problems))
    return record(name, True)


def template_props(stack: "Stack", logical: str) -> dict:
    """A resource's properties in the transformed template, Fn::If resolved for PARAMETERS."""
    props = stack.transformed["Resources"][logical].get("Properties", {})
    return resolve_ifs(props, stack.transformed, PARAMETERS)


def expect(problems: list[str], cond: bool, message: str) -> None:
    if not cond:
        problems.append(message)


# ----------------------------------------------------------------------------- template helpers
def load_template() -> dict:
    from samtranslator.yaml_helper import yaml_parse

    return yaml_parse(TEMPLATE.read_text())


def functions_of(template: dict) -> dict[str, str]:
    """The template's Lambda functions: logical id -> short name, the folder of the function's
    package in its CodeUri (../target/lambda/<short>/bootstrap.zip, made by scripts/package.sh)."""
    out: dict[str, str] = {}
    for logical, res in template["Resources"].items():
        if res.get("Type") == "AWS::Serverless::Function":
            parts = str(res["Properties"].get("CodeUri", "")).split("/")
            out[logical] = parts[-2] if len(parts) >= 2 else ""
    return out


def static_functions(template: dict) -> list[str]:
    """The template deploys exactly the functions scripts/package.sh packages, each from its
    own workspace crate."""
    problems: list[str] = []
    script = (ROOT / "scripts" / "package.sh").read_text()
    listed = re.search(r"^ALL_FUNCTIONS=\(([^)]*)\)", script, re.M)
    packaged = listed.group(1).split() if listed else []
    deployed = sorted(functions_of(template).values())
    expect(problems, deployed == sorted(packaged),
           f"template deploys {deployed}, scripts/package.sh packages {sorted(packaged)}")
    for short in packaged:
        expect(problems, f"[{short}]=fallwerk-{short}" in script, f"package.sh: no crate for {short}")
    return problems


def eval_condition(expr, template: dict, params: dict):
    """Evaluates the condition functions this template uses (Equals, Not, And, Or, Condition)."""
    if isinstance(expr, dict) and len(expr) == 1:
        (fn, arg), = expr.items()
        if fn == "Ref":
            if arg in params:
                return params[arg]
            return str(template["Parameters"][arg].get("Default", ""))
        if fn == "Condition":
            return eval_condition(template["Conditions"][arg], template, params)
        if fn == "Fn::Equals":
            a, b = (str(eval_condition(x, template, params)) for x in arg)
            return a == b
        if fn == "Fn::Not":
            return not eval_condition(arg[0], template, params)
        if fn == "Fn::And":
            return all(eval_condition(x, template, params) for x in arg)
        if fn == "Fn::Or":
            return any(eval_condition(x, template, params) for x in arg)
        raise ValueError(f"unsupported condition function {fn}")
    return expr


def condition_true(name: str | None, template: dict, params: dict) -> bool:
    if not name:
        return True
    return bool(eval_condition(template["Conditions"][name], template, params))


def resolve_ifs(value, template: dict, params: dict):
    """Resolves Fn::If (and drops AWS::NoValue) - what CloudFormation does per stage."""
    if isinstance(value, dict):
        if len(value) == 1 and "Fn::If" in value:
            cond, yes, no = value["Fn::If"]
            chosen = yes if condition_true(cond, template, params) else no
            return resolve_ifs(chosen, template, params)
        out = {}
        for k, v in value.items():
            r = resolve_ifs(v, template, params)
            if r != {"Ref": "AWS::NoValue"}:
                out[k] = r
        return out
    if isinstance(value, list):
        return [
            r
            for r in (resolve_ifs(v, template, params) for v in value)
            if r != {"Ref": "AWS::NoValue"}
        ]
    return value


def apply_language_extensions(template: dict, params: dict) -> dict:
    """What AWS::LanguageExtensions does for this template: Fn::If in DeletionPolicy and
    UpdateReplacePolicy resolved against the parameters; the transform entry removed."""
    t = copy.deepcopy(template)
    transforms = t.get("Transform")
    if isinstance(transforms, list):
        rest = [x for x in transforms if x != "AWS::LanguageExtensions"]
        t["Transform"] = rest[0] if len(rest) == 1 else rest
    for res in t["Resources"].values():
        for attr in ("DeletionPolicy", "UpdateReplacePolicy"):
            if isinstance(res.get(attr), dict):
                res[attr] = resolve_ifs(res[attr], t, params)
    return t


def sam_transform(template: dict, params: dict, code_uri: str) -> dict:
    import logging

    from samtranslator.translator.transform import transform

    logging.getLogger("samtranslator").setLevel(logging.ERROR)  # feature-toggle/metrics chatter
    t = copy.deepcopy(template)
    for res in t["Resources"].values():
        if res["Type"] == "AWS::Serverless::Function":
            res["Properties"]["CodeUri"] = code_uri

    class NoManagedPolicies:  # the template uses explicit roles, no managed policy names
        def load(self):
            return {}

    return transform(t, params, NoManagedPolicies())


# ----------------------------------------------------------------------------- static checks
def static_stage_settings(template: dict) -> list[str]:
    problems: list[str] = []
    for stage, policy, protection in (("test", "Delete", False), ("prod", "Retain", True)):
        params = dict(PARAMETERS, Stage=stage)
        t = apply_language_extensions(template, params)
        for name in ("Table", "Bucket"):
            res = t["Resources"][name]
            for attr in ("DeletionPolicy", "UpdateReplacePolicy"):
                expect(problems, res.get(attr) == policy,
                       f"{stage}: {name}.{attr} is {res.get(attr)!r}, want {policy}")
        prot = resolve_ifs(t["Resources"]["Table"]["Properties"].get("DeletionProtectionEnabled"), t, params)
        expect(problems, prot is protection,
               f"{stage}: Table DeletionProtectionEnabled is {prot!r}, want {protection}")
    return problems


def static_table(template: dict) -> list[str]:
    """Settings moto does not keep (TTL is ignored by moto's CloudFormation)."""
    problems: list[str] = []
    props = template["Resources"]["Table"]["Properties"]
    ttl = props.get("TimeToLiveSpecification", {})
    expect(problems, ttl.get("Enabled") is True and ttl.get("AttributeName") == "ttl",
           f"TimeToLiveSpecification {ttl}")
    expect(problems, props.get("SSESpecification", {}).get("SSEEnabled") is True, "SSE off")
    expect(problems,
           props.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled") is True,
           "PITR off")
    expect(problems, props.get("BillingMode") == "PAY_PER_REQUEST", "not PAY_PER_REQUEST")
    return problems


def static_queues(template: dict) -> list[str]:
    problems: list[str] = []
    res = template["Resources"]
    for name in ("MessagingQueue", "MessagingDeadLetterQueue", "ExportQueue", "ExportDeadLetterQueue"):
        expect(problems, res[name]["Properties"].get("SqsManagedSseEnabled") is True, f"{name}: SSE off")
    return problems


def static_function_timeouts(template: dict) -> list[str]:
    """Every SQS consumer's queue visibility timeout is >= 6x the function timeout."""
    problems: list[str] = []
    res = template["Resources"]
    glob = template.get("Globals", {}).get("Function", {})
    for fn_name in FUNCTIONS:
        props = res[fn_name]["Properties"]
        timeout = props.get("Timeout", glob.get("Timeout", 3))
        for ev in props.get("Events", {}).values():
            if ev["Type"] != "SQS":
                continue
            queue = ev["Properties"]["Queue"]["Fn::GetAtt"][0]
            vis = res[queue]["Properties"].get("VisibilityTimeout", 30)
            expect(problems, vis >= 6 * timeout, f"{queue}: visibility {vis} < 6 x {fn_name} timeout {timeout}")
            expect(problems, ev["Properties"].get("FunctionResponseTypes") == ["ReportBatchItemFailures"],
                   f"{fn_name}: no ReportBatchItemFailures")
    return problems


def _refs(value) -> set[str]:
    """Logical ids a value refers to (Ref, Fn::GetAtt, ${X} / ${X.Attr} in Fn::Sub)."""
    import re

    out: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "Ref" and isinstance(v, str):
                out.add(v)
            elif k == "Fn::GetAtt":
                out.add(v[0] if isinstance(v, list) else v.split(".")[0])
            elif k == "Fn::Sub":
                text = v if isinstance(v, str) else v[0]
                out |= {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text)}
                if not isinstance(v, str):
                    out |= _refs(v[1])
            else:
                out |= _refs(v)
    elif isinstance(value, list):
        for v in value:
            out |= _refs(v)
    return out


def static_routes(template: dict) -> list[str]:
    """The functions' API events are exactly docs/routes.json (the route table's gateway view)."""
    problems: list[str] = []
    routed: dict[str, dict[str, str]] = {}
    for logical, short in FUNCTIONS.items():
        events = template["Resources"][logical]["Properties"].get("Events", {})
        for name, event in events.items():
            if event.get("Type") != "Api":
                continue
            props = event["Properties"]
            path, method = props["Path"], props["Method"].upper()
            expect(problems, method not in routed.get(path, {}), f"{path} {method} routed twice ({name})")
            routed.setdefault(path, {})[method] = short
    for path in sorted(set(API_ROUTES) | set(routed)):
        want, got = API_ROUTES.get(path), routed.get(path)
        expect(problems, want == got, f"{path}: route table says {want}, template routes {got}")
    return problems


def static_alarm(logical: str, res: dict, template: dict) -> list[str]:
    problems: list[str] = []
    p = res["Properties"]
    resources = template["Resources"]
    dims = p.get("Dimensions", [])
    expect(problems, len(dims) == 1, "one dimension")
    target = next(iter(_refs(dims[0]["Value"])), None) if dims else None
    target_type = resources.get(target, {}).get("Type")
    if p.get("Namespace") == "AWS/SQS":
        expect(problems, p.get("MetricName") == "ApproximateNumberOfMessagesVisible", "SQS metric")
        expect(problems, dims and dims[0]["Name"] == "QueueName", "QueueName dimension")
        expect(problems, target_type == "AWS::SQS::Queue" and "DeadLetter" in target,
               f"alarm target {target} is not a DLQ")
    elif p.get("Namespace") == "AWS/Lambda":
        expect(problems, p.get("MetricName") == "Errors", "Lambda metric Errors")
        expect(problems, dims and dims[0]["Name"] == "FunctionName", "FunctionName dimension")
        expect(problems, target_type == "AWS::Lambda::Function", f"alarm target {target} is no function")
    else:
        problems.append(f"unexpected namespace {p.get('Namespace')}")
    expect(problems, p.get("ComparisonOperator") == "GreaterThanThreshold" and p.get("Threshold") == 0,
           "threshold > 0")
    expect(problems, _refs(p.get("AlarmActions", [])) == {"AlarmTopic"}, "AlarmActions -> AlarmTopic")
    return [f"{logical}: {x}" for x in problems]


def static_permission(logical: str, res: dict, template: dict) -> list[str]:
    problems: list[str] = []
    p = res["Properties"]
    expect(problems, p.get("Action") == "lambda:InvokeFunction", "action")
    fn = next(iter(_refs(p.get("FunctionName"))), None)
    expect(problems, fn in FUNCTIONS, f"function {fn}")
    principal = p.get("Principal")
    if fn == "SchedulerFunction":
        expect(problems, principal == "events.amazonaws.com", f"principal {principal}")
        expect(problems, _refs(p.get("SourceArn")) == {"SchedulerFunctionTick"}, "SourceArn -> rule")
    else:
        expect(problems, principal == "apigateway.amazonaws.com", f"principal {principal}")
        expect(problems, "Api" in _refs(p.get("SourceArn")), "SourceArn -> Api")
    return [f"{logical}: {x}" for x in problems]


def static_sns_subscription(logical: str, res: dict, template: dict) -> list[str]:
    p = res["Properties"]
    problems: list[str] = []
    expect(problems, p.get("Protocol") == "email", "protocol email")
    expect(problems, _refs(p.get("TopicArn")) == {"AlarmTopic"}, "topic")
    return [f"{logical}: {x}" for x in problems]


def static_stage(logical: str, res: dict, template: dict) -> list[str]:
    """moto's CloudFormation skips AWS::ApiGateway::Stage."""
    problems: list[str] = []
    p = res["Properties"]
    expect(problems, _refs(p.get("RestApiId")) == {"Api"}, "RestApiId -> Api")
    deployment = next(iter(_refs(p.get("DeploymentId"))), "")
    expect(problems, template["Resources"].get(deployment, {}).get("Type") == "AWS::ApiGateway::Deployment",
           f"DeploymentId -> {deployment}")
    expect(problems, p.get("StageName") in (STAGE, {"Ref": "Stage"}), f"StageName {p.get('StageName')}")
    throttles = [m for m in p.get("MethodSettings", []) if m.get("ThrottlingRateLimit")]
    expect(problems, bool(throttles), "no throttling")
    log = resolve_ifs(p.get("AccessLogSetting"), template, PARAMETERS)
    want_log = PARAMETERS["ApiAccessLogging"] == "true"
    expect(problems, bool(log) == want_log and (not log or _refs(log["DestinationArn"]) == {"ApiAccessLogGroup"}),
           f"AccessLogSetting {log}")
    return [f"{logical}: {x}" for x in problems]


def static_bucket_policy(logical: str, res: dict, template: dict) -> list[str]:
    """moto's CloudFormation skips AWS::S3::BucketPolicy: deny every non-TLS request."""
    problems: list[str] = []
    p = res["Properties"]
    expect(problems, _refs(p.get("Bucket")) == {"Bucket"}, "Bucket -> Bucket")
    deny = [st for st in p["PolicyDocument"]["Statement"]
            if st["Effect"] == "Deny" and st.get("Principal") == "*" and st.get("Action") == "s3:*"
            and st.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") in ("false", False)]
    expect(problems, bool(deny), "no statement denying non-TLS access")
    if deny:
        resources = deny[0]["Resource"]
        expect(problems, len(resources) == 2 and all(_refs(r) == {"Bucket"} for r in resources),
               f"deny covers bucket and objects: {resources}")
    return [f"{logical}: {x}" for x in problems]


def static_gateway_response(logical: str, res: dict, template: dict) -> list[str]:
    """The 413 problem for bodies above API Gateway's 10 MB (issue 13)."""
    problems: list[str] = []
    p = res["Properties"]
    expect(problems, _refs(p.get("RestApiId")) == {"Api"}, "RestApiId -> Api")
    expect(problems, p.get("ResponseType") == "REQUEST_TOO_LARGE", f"ResponseType {p.get('ResponseType')}")
    expect(problems, str(p.get("StatusCode")) == "413", f"StatusCode {p.get('StatusCode')}")
    expect(problems, p.get("ResponseParameters", {}).get("gatewayresponse.header.Content-Type")
           == "'application/problem+json'", "Content-Type application/problem+json")
    body = p.get("ResponseTemplates", {}).get("application/json", "")
    try:
        problem = json.loads(body)
    except ValueError:
        problem = {}
    expect(problems, problem.get("type") == "https://fallwerk.dev/problems/payload-too-large"
           and problem.get("status") == 413, f"problem body {body}")
    return [f"{logical}: {x}" for x in problems]


def static_generic(logical: str, res: dict, template: dict) -> list[str]:
    # Resource types whose settings are asserted through other resources' checks on moto
    # (deployment: via the stage; bucket policy: via get_bucket_policy) - here only existence.
    return [] if res.get("Properties") is not None else [f"{logical}: no properties"]


STATIC_VALIDATORS = {
    "AWS::CloudWatch::Alarm": static_alarm,
    "AWS::Lambda::Permission": static_permission,
    "AWS::SNS::Subscription": static_sns_subscription,
    "AWS::ApiGateway::Deployment": static_generic,
    "AWS::ApiGateway::Stage": static_stage,
    "AWS::S3::BucketPolicy": static_bucket_policy,
    "AWS::ApiGateway::GatewayResponse": static_gateway_response,
}


# ----------------------------------------------------------------------------- moto
def client(service: str):
    import boto3
    from botocore.config import Config

    cfg = Config(retries={"max_attempts": 2}, s3={"addressing_style": "path"})
    return boto3.client(service, endpoint_url=ENDPOINT, region_name=REGION, config=cfg)


def dummy_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o755 << 16
        z.writestr(info, "#!/bin/sh\necho 'fallwerk infra check placeholder'\n")
    return buf.getvalue()


class Stack:
    def __init__(self, name: str, transformed: dict):
        self.name = name
        self.transformed = transformed
        self.resources: dict[str, dict] = {}
        self.outputs: dict[str, str] = {}

    def physical(self, logical: str) -> str:
        return self.resources[logical]["PhysicalResourceId"]


def wait_stack(cfn, name: str, want: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    delay = 0.2
    while True:
        stacks = cfn.describe_stacks(StackName=name)["Stacks"]
        status = stacks[0]["StackStatus"]
        if status == want:
            return stacks[0]
        if status.endswith("FAILED") or status.endswith("ROLLBACK_COMPLETE"):
            reason = stacks[0].get("StackStatusReason", "")
            events = cfn.describe_stack_events(StackName=name)["StackEvents"]
            failed = [f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason', '')}"
                      for e in events if e["ResourceStatus"].endswith("FAILED")]
            raise AssertionError(f"{status} {reason} {failed[:5]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timeout waiting for {want}, status {status}")
        time.sleep(delay)
        delay = min(delay * 2, 2)


def moto_compat(transformed: dict) -> dict:
    """What CloudFormation does with a RestApi's OpenAPI `Body` and moto does not (it creates an
    empty API, and the deployment then fails with "The REST API doesn't contain any methods"):
    one AWS::ApiGateway::Resource per path segment and one AWS::ApiGateway::Method (with its
    Lambda proxy integration) per operation of the body. The checks then read the resources,
    methods and integrations back from moto."""
    import hashlib

    t = copy.deepcopy(transformed)
    out: dict = {}
    for api_logical, res in transformed["Resources"].items():
        out[api_logical] = t["Resources"][api_logical]
        if res["Type"] != "AWS::ApiGateway::RestApi" or "Body" not in res.get("Properties", {}):
            continue
        resource_ids: dict[str, str] = {}
        methods: list[str] = []
        for path, ops in sorted(res["Properties"]["Body"].get("paths", {}).items()):
            parent: dict = {"Fn::GetAtt": [api_logical, "RootResourceId"]}
            so_far = ""
            for part in path.strip("/").split("/"):
                so_far += "/" + part
                if so_far not in resource_ids:
                    logical = f"MotoCompat{api_logical}R{hashlib.sha1(so_far.encode()).hexdigest()[:12]}"
                    out[logical] = {"Type": "AWS::ApiGateway::Resource", "Properties": {
                        "RestApiId": {"Ref": api_logical}, "ParentId": parent, "PathPart": part}}
                    resource_ids[so_far] = logical
                parent = {"Ref": resource_ids[so_far]}
            for op, spec in ops.items():
                method = "ANY" if op == "x-amazon-apigateway-any-method" else op.upper()
                integ = spec["x-amazon-apigateway-integration"]
                logical = f"MotoCompat{api_logical}M{hashlib.sha1((method + path).encode()).hexdigest()[:12]}"
                out[logical] = {"Type": "AWS::ApiGateway::Method", "Properties": {
                    "RestApiId": {"Ref": api_logical},
                    "ResourceId": parent,
                    "HttpMethod": method,
                    "AuthorizationType": "NONE",
                    "Integration": {"Type": integ["type"].upper(),
                                    "IntegrationHttpMethod": integ["httpMethod"],
                                    "Uri": integ["uri"]}}}
                methods.append(logical)
        for other in t["Resources"].values():
            if other["Type"] == "AWS::ApiGateway::Deployment" and _refs(other["Properties"].get("RestApiId")) == {api_logical}:
                deps = other.get("DependsOn", [])
                other["DependsOn"] = ([deps] if isinstance(deps, str) else deps) + methods
    for logical, res in t["Resources"].items():
        out.setdefault(logical, res)
    t["Resources"] = out
    return t


def create_stack(stack: Stack) -> list[str]:
    cfn = client("cloudformation")
    cfn.create_stack(
        StackName=stack.name,
        TemplateBody=json.dumps(moto_compat(stack.transformed)),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in PARAMETERS.items()],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
    )
    desc = wait_stack(cfn, stack.name, "CREATE_COMPLETE")
    stack.outputs = {o["OutputKey"]: o["OutputValue"] for o in desc.get("Outputs", [])}
    # list_stack_resources: moto's describe_stack_resources returns empty entries for some types
    for page in cfn.get_paginator("list_stack_resources").paginate(StackName=stack.name):
        for r in page["StackResourceSummaries"]:
            stack.resources[r["LogicalResourceId"]] = r
    return []


def moto_table(stack: Stack, expected: dict) -> list[str]:
    problems: list[str] = []
    d = client("dynamodb")
    name = stack.physical("Table")
    t = d.describe_table(TableName=name)["Table"]
    expect(problems, t["KeySchema"] == expected["KeySchema"], f"KeySchema {t['KeySchema']}")
    got_attrs = sorted((a["AttributeName"], a["AttributeType"]) for a in t["AttributeDefinitions"])
    want_attrs = sorted((a["AttributeName"], a["AttributeType"]) for a in expected["AttributeDefinitions"])
    expect(problems, got_attrs == want_attrs, f"AttributeDefinitions {got_attrs}")
    got_gsi = {g["IndexName"]: (g["KeySchema"], g["Projection"]) for g in t.get("GlobalSecondaryIndexes", [])}
    want_gsi = {g["IndexName"]: (g["KeySchema"], g["Projection"]) for g in expected["GlobalSecondaryIndexes"]}
    expect(problems, got_gsi == want_gsi, f"GSIs {got_gsi} != {want_gsi}")
    billing = t.get("BillingModeSummary", {}).get("BillingMode")
    expect(problems, billing == "PAY_PER_REQUEST", f"billing mode {billing}")
    expect(problems, t.get("DeletionProtectionEnabled") in (False, None),
           f"test stage has deletion protection {t.get('DeletionProtectionEnabled')}")
    return problems


def moto_queues(stack: Stack) -> list[str]:
    problems: list[str] = []
    q = client("sqs")
    lam = client("lambda")
    for main, dlq, fn in (("MessagingQueue", "MessagingDeadLetterQueue", "MessagingFunction"),
                          ("ExportQueue", "ExportDeadLetterQueue", "ExportFunction")):
        attrs = q.get_queue_attributes(QueueUrl=stack.physical(main), AttributeNames=["All"])["Attributes"]
        dlq_arn = q.get_queue_attributes(QueueUrl=stack.physical(dlq),
                                         AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        redrive = json.loads(attrs.get("RedrivePolicy", "{}"))
        expect(problems, int(redrive.get("maxReceiveCount", 0)) == 5, f"{main}: maxReceiveCount {redrive}")
        expect(problems, redrive.get("deadLetterTargetArn") == dlq_arn, f"{main}: DLQ {redrive}")
        timeout = lam.get_function_configuration(FunctionName=stack.physical(fn))["Timeout"]
        vis = int(attrs["VisibilityTimeout"])
        expect(problems, vis >= 6 * timeout, f"{main}: visibility {vis} < 6 x {timeout}")
        if "SqsManagedSseEnabled" in attrs:  # moto 5.2 keeps it; checked statically as well
            expect(problems, attrs["SqsManagedSseEnabled"] == "true", f"{main}: SSE")
    return problems


def moto_functions(stack: Stack) -> list[str]:
    problems: list[str] = []
    lam = client("lambda")
    iam = client("iam")
    want_values = {
        "FALLWERK_BACKEND": "aws",
        "FALLWERK_TABLE": stack.physical("Table"),
        "FALLWERK_BUCKET": stack.physical("Bucket"),
        "FALLWERK_MESSAGING_QUEUE_URL": stack.physical("MessagingQueue"),
        "FALLWERK_EXPORT_QUEUE_URL": stack.physical("ExportQueue"),
        "FALLWERK_MAIL_FROM": PARAMETERS["MailFrom"],
        "FALLWERK_PORTAL_URL": PARAMETERS["PortalUrl"],
        "FALLWERK_CASEWORKER_URL": PARAMETERS["CaseworkerUrl"],
        "FALLWERK_REFERENCE_PREFIX": PARAMETERS["ReferencePrefix"],
        "RUST_LOG": "info",
    }
    for logical, short in FUNCTIONS.items():
        c = lam.get_function_configuration(FunctionName=stack.physical(logical))
        expect(problems, c["FunctionName"] == f"{stack.name}-{short}", f"{short}: name {c['FunctionName']}")
        expect(problems, c.get("Runtime") == "provided.al2023", f"{short}: runtime {c.get('Runtime')}")
        expect(problems, c.get("Handler") == "bootstrap", f"{short}: handler {c.get('Handler')}")
        arch = c.get("Architectures")
        if arch != [ARCH] and arch in (None, ["x86_64"]):
            # moto's CloudFormation drops Architectures (default x86_64): check the template
            moto_gap("Lambda Architectures")
            arch = template_props(stack, logical).get("Architectures")
            arch = [PARAMETERS["Architecture"] if a == {"Ref": "Architecture"} else a for a in arch or []]
        expect(problems, arch == [ARCH], f"{short}: architectures {arch}")
        env = c.get("Environment", {}).get("Variables", {})
        want_keys = COMMON_ENV | EXTRA_ENV.get(short, set())
        missing = want_keys - env.keys()
        expect(problems, not missing, f"{short}: env missing {sorted(missing)}")
        extra = env.keys() - want_keys
        expect(problems, not extra, f"{short}: unexpected env {sorted(extra)}")
        for k, v in want_values.items():
            expect(problems, env.get(k) == v, f"{short}: {k}={env.get(k)!r}, want {v!r}")
        if short == "casework":
            expect(problems, env.get("FALLWERK_JWKS_URL") == PARAMETERS["JwksUrl"], "casework: JWKS URL")
            expect(problems, env.get("FALLWERK_JWT_ISSUER") == PARAMETERS["JwtIssuer"], "casework: issuer")
            expect(problems, env.get("FALLWERK_JWT_AUDIENCE") == PARAMETERS["JwtAudience"], "casework: audience")
        role_name = stack.physical(logical.replace("Function", "Role"))
        role_arn = iam.get_role(RoleName=role_name)["Role"]["Arn"]
        expect(problems, c.get("Role") == role_arn, f"{short}: role {c.get('Role')} != {role_arn}")
    return problems


def classify(resource: str, stack: Stack, arns: dict) -> str:
    if resource == arns["table"]:
        return "table"
    if resource == arns["table"] + "/index/*":
        return "table-index"
    for prefix in ("cases/*", "exports/*", "uploads/*"):
        if resource == f"{arns['bucket']}/{prefix}":
            return f"s3:{prefix}"
    if resource == arns["messaging"]:
        return "queue:messaging"
    if resource == arns["export"]:
        return "queue:export"
    if resource.startswith("arn:") and ":ses:" in resource and resource.endswith(":identity/*"):
        return "ses:identity/*"
    if resource.startswith("arn:") and ":logs:" in resource:
        return f"log:{resource.split(':log-group:')[-1]}"
    return f"OTHER:{resource}"


def moto_iam(stack: Stack) -> list[str]:
    problems: list[str] = []
    iam = client("iam")
    q = client("sqs")
    table_arn = client("dynamodb").describe_table(TableName=stack.physical("Table"))["Table"]["TableArn"]
    arns = {
        "table": table_arn,
        "bucket": f"arn:aws:s3:::{stack.physical('Bucket')}",
        "messaging": q.get_queue_attributes(QueueUrl=stack.physical("MessagingQueue"),
                                            AttributeNames=["QueueArn"])["Attributes"]["QueueArn"],
        "export": q.get_queue_attributes(QueueUrl=stack.physical("ExportQueue"),
                                         AttributeNames=["QueueArn"])["Attributes"]["QueueArn"],
    }
    for logical, short in FUNCTIONS.items():
        role = stack.physical(logical.replace("Function", "Role"))
        names = iam.list_role_policies(RoleName=role)["PolicyNames"]
        attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
        expect(problems, not attached, f"{short}: managed policies attached {attached}")
        granted: dict[str, set[str]] = {}
        for pname in names:
            doc = iam.get_role_policy(RoleName=role, PolicyName=pname)["PolicyDocument"]
            if isinstance(doc, str):  # moto keeps CloudFormation's inline documents as a Python repr
                try:
                    doc = json.loads(doc)
                except json.JSONDecodeError:
                    doc = ast.literal_eval(doc)
            for st in doc["Statement"]:
                expect(problems, st["Effect"] == "Allow", f"{short}: non-Allow statement")
                actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
                resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
                expect(problems, not any("*" in a for a in actions), f"{short}: wildcard action {actions}")
                for r in resources:
                    expect(problems, r != "*", f"{short}: Resource *")
                    cls = classify(r, stack, arns)
                    if cls.startswith("log:"):
                        own = f"/aws/lambda/{stack.name}-{short}"
                        cls = "log:own" if cls in (f"log:{own}", f"log:{own}:*") else cls
                    if cls == "ses:identity/*":
                        cond = st.get("Condition", {}).get("StringEquals", {}).get("ses:FromAddress")
                        expect(problems, cond == PARAMETERS["MailFrom"], f"{short}: SES without FromAddress condition")
                    granted.setdefault(cls, set()).update(actions)
        want = IAM_CONTRACT[short]
        if granted != want:
            for cls in sorted(set(granted) | set(want)):
                g, w = granted.get(cls, set()), want.get(cls, set())
                if g != w:
                    problems.append(f"{short} on {cls}: extra {sorted(g - w)} missing {sorted(w - g)}")
    return problems


def moto_event_sources(stack: Stack) -> list[str]:
    problems: list[str] = []
    lam = client("lambda")
    q = client("sqs")
    for fn, queue in (("MessagingFunction", "MessagingQueue"), ("ExportFunction", "ExportQueue")):
        queue_arn = q.get_queue_attributes(QueueUrl=stack.physical(queue),
                                           AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        maps = lam.list_event_source_mappings(FunctionName=stack.physical(fn))["EventSourceMappings"]
        expect(problems, len(maps) == 1, f"{fn}: {len(maps)} event source mappings")
        for m in maps:
            expect(problems, m["EventSourceArn"] == queue_arn, f"{fn}: source {m['EventSourceArn']}")
            expect(problems, m.get("FunctionResponseTypes") == ["ReportBatchItemFailures"],
                   f"{fn}: FunctionResponseTypes {m.get('FunctionResponseTypes')}")
    for fn in ("IntakeFunction", "CaseworkFunction", "SchedulerFunction"):
        maps = lam.list_event_source_mappings(FunctionName=stack.physical(fn))["EventSourceMappings"]
        expect(problems, not maps, f"{fn}: unexpected event source mappings")
    return problems


def moto_schedule(stack: Stack) -> list[str]:
    problems: list[str] = []
    ev = client("events")
    lam = client("lambda")
    rule_name = stack.physical("SchedulerFunctionTick")
    rule = ev.describe_rule(Name=rule_name)
    expect(problems, rule.get("ScheduleExpression") == PARAMETERS["ScheduleExpression"],
           f"schedule {rule.get('ScheduleExpression')}")
    expect(problems, rule.get("State") == "ENABLED", f"state {rule.get('State')}")
    fn_arn = lam.get_function_configuration(FunctionName=stack.physical("SchedulerFunction"))["FunctionArn"]
    targets = ev.list_targets_by_rule(Rule=rule_name)["Targets"]
    expect(problems, [t["Arn"] for t in targets] == [fn_arn], f"targets {[t['Arn'] for t in targets]}")
    return problems


def moto_api(stack: Stack) -> list[str]:
    problems: list[str] = []
    apigw = client("apigateway")
    lam = client("lambda")
    api_id = stack.physical("Api")
    api = apigw.get_rest_api(restApiId=api_id)
    types = api.get("endpointConfiguration", {}).get("types")
    expect(problems, types in (["REGIONAL"], None), f"endpoint types {types}")
    fn_arns = {short: lam.get_function_configuration(FunctionName=stack.physical(logical))["FunctionArn"]
               for logical, short in FUNCTIONS.items()}
    resources = apigw.get_resources(restApiId=api_id, limit=500)["items"]
    got = {r["path"]: r.get("resourceMethods", {}) for r in resources}
    for path, methods in API_ROUTES.items():
        if path not in got:
            problems.append(f"missing resource {path}")
            continue
        for method, short in methods.items():
            if method not in got[path]:
                problems.append(f"{path}: missing method {method}")
                continue
            integ = apigw.get_integration(restApiId=api_id, resourceId=next(
                r["id"] for r in resources if r["path"] == path), httpMethod=method)
            expect(problems, integ.get("type") == "AWS_PROXY", f"{path} {method}: type {integ.get('type')}")
            expect(problems, fn_arns[short] in integ.get("uri", ""), f"{path} {method}: not -> {short}")
    routed = {p for p, m in got.items() if m}
    extra = routed - set(API_ROUTES)
    expect(problems, not extra, f"unexpected routes {sorted(extra)}")
    # moto ignores BinaryMediaTypes: checked in the transformed template
    binary = stack.transformed["Resources"]["Api"]["Properties"].get("BinaryMediaTypes")
    expect(problems, binary == ["*~1*"], f"BinaryMediaTypes {binary}")
    want_url = f"https://{api_id}.execute-api.{REGION}.amazonaws.com/{STAGE}"
    expect(problems, stack.outputs.get("ApiUrl") == want_url, f"ApiUrl {stack.outputs.get('ApiUrl')}")
    return problems


def moto_bucket(stack: Stack) -> list[str]:
    """Encryption through moto; public access block, versioning and lifecycle through moto when
    it kept them, otherwise (moto 5.2's CloudFormation keeps only encryption) in the template."""
    from botocore.exceptions import ClientError

    problems: list[str] = []
    s3 = client("s3")
    b = stack.physical("Bucket")
    props = template_props(stack, "Bucket")
    enc = s3.get_bucket_encryption(Bucket=b)["ServerSideEncryptionConfiguration"]["Rules"]
    algos = [r["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] for r in enc]
    expect(problems, algos and all(a in ("AES256", "aws:kms") for a in algos), f"encryption {algos}")

    try:
        pab = s3.get_public_access_block(Bucket=b)["PublicAccessBlockConfiguration"]
    except ClientError as err:
        if "NoSuchPublicAccessBlockConfiguration" not in str(err):
            raise
        moto_gap("S3 PublicAccessBlockConfiguration")
        pab = props.get("PublicAccessBlockConfiguration", {})
    expect(problems, all(pab.get(k) is True for k in
                         ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")),
           f"public access block {pab}")

    ver = s3.get_bucket_versioning(Bucket=b).get("Status")
    if ver is None:
        moto_gap("S3 VersioningConfiguration")
        ver = props.get("VersioningConfiguration", {}).get("Status")
    expect(problems, ver == "Enabled", f"versioning {ver}")

    try:
        rules = s3.get_bucket_lifecycle_configuration(Bucket=b)["Rules"]
        rules = [dict(r, Prefix=r.get("Prefix", r.get("Filter", {}).get("Prefix"))) for r in rules]
    except ClientError as err:
        if "NoSuchLifecycleConfiguration" not in str(err):
            raise
        moto_gap("S3 LifecycleConfiguration")
        rules = [{  # CloudFormation spelling -> API spelling
            "ID": r.get("Id"),
            "Prefix": r.get("Prefix"),
            "AbortIncompleteMultipartUpload": r.get("AbortIncompleteMultipartUpload", {}),
            "Expiration": {"Days": r["ExpirationInDays"]} if "ExpirationInDays" in r else {},
            "Transitions": [{"Days": t.get("TransitionInDays"), "StorageClass": t.get("StorageClass")}
                            for t in r.get("Transitions", [])],
            "NoncurrentVersionExpiration": r.get("NoncurrentVersionExpiration", {}),
        } for r in props.get("LifecycleConfiguration", {}).get("Rules", []) if r.get("Status") == "Enabled"]
    by_id = {r.get("ID"): r for r in rules}
    abort = by_id.get("abort-incomplete-multipart-uploads", {})
    expect(problems, int(abort.get("AbortIncompleteMultipartUpload", {}).get("DaysAfterInitiation", 0)) == 7,
           "abort incomplete multipart uploads after 7 days")
    exports = by_id.get("exports", {})
    expect(problems, exports.get("Prefix") == "exports/", f"exports rule prefix {exports.get('Prefix')}")
    expect(problems, str(exports.get("Expiration", {}).get("Days")) in
           (PARAMETERS["ExportsExpirationDays"], "{'Ref': 'ExportsExpirationDays'}"),
           f"exports expiration {exports.get('Expiration')}")
    trans = (exports.get("Transitions") or [{}])[0]
    expect(problems, str(trans.get("Days")) in
           (PARAMETERS["ExportsTransitionDays"], "{'Ref': 'ExportsTransitionDays'}")
           and trans.get("StorageClass") == "STANDARD_IA", f"exports transition {trans}")
    uploads = by_id.get("uploads", {})
    expect(problems, uploads.get("Prefix") == "uploads/" and
           str(uploads.get("Expiration", {}).get("Days")) == "1",
           f"unreferenced uploads expire after a day: {uploads}")
    nonc = by_id.get("noncurrent-versions", {}).get("NoncurrentVersionExpiration", {})
    expect(problems, str(nonc.get("NoncurrentDays")) in
           (PARAMETERS["NoncurrentVersionExpirationDays"], "{'Ref': 'NoncurrentVersionExpirationDays'}"),
           f"noncurrent version expiration {nonc}")
    return problems


def moto_logs(stack: Stack) -> list[str]:
    problems: list[str] = []
    logs = client("logs")
    want = [f"/aws/lambda/{stack.name}-{short}" for short in FUNCTIONS.values()]
    want.append(f"/aws/apigateway/{stack.name}-access")
    for name in want:
        groups = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        match = [g for g in groups if g["logGroupName"] == name]
        expect(problems, bool(match), f"missing log group {name}")
        if match:
            ret = match[0].get("retentionInDays")
            expect(problems, ret == int(PARAMETERS["LogRetentionDays"]), f"{name}: retention {ret}")
    return problems


def moto_topic(stack: Stack) -> list[str]:
    problems: list[str] = []
    sns = client("sns")
    topic = stack.physical("AlarmTopic")
    attrs = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    expect(problems, attrs.get("TopicArn") == topic, "topic")
    return problems


def moto_outputs(stack: Stack) -> list[str]:
    problems: list[str] = []
    want = {
        "MessagingQueueUrl": stack.physical("MessagingQueue"),
        "ExportQueueUrl": stack.physical("ExportQueue"),
        "TableName": stack.physical("Table"),
        "BucketName": stack.physical("Bucket"),
    }
    for k, v in want.items():
        expect(problems, stack.outputs.get(k) == v, f"{k}={stack.outputs.get(k)!r}, want {v!r}")
    expect(problems, "ApiUrl" in stack.outputs, "ApiUrl missing")
    return problems


# Resource types asserted through API calls above (the logical ids moto created).
DYNAMIC_TYPES = {
    "AWS::DynamoDB::Table": moto_table,
    "AWS::SQS::Queue": moto_queues,
    "AWS::Lambda::Function": moto_functions,
    "AWS::IAM::Role": moto_iam,
    "AWS::Lambda::EventSourceMapping": moto_event_sources,
    "AWS::Events::Rule": moto_schedule,
    "AWS::ApiGateway::RestApi": moto_api,
    "AWS::S3::Bucket": moto_bucket,
    "AWS::Logs::LogGroup": moto_logs,
    "AWS::SNS::Topic": moto_topic,
}


def coverage(stack: Stack, template_params: dict) -> list[str]:
    """Every resource of the transformed template: created by moto (and its type asserted through
    API calls) or checked statically. Returns problems; prints what was checked statically."""
    problems: list[str] = []
    transformed = stack.transformed
    static_done: dict[str, list[str]] = {}
    for logical, res in sorted(transformed["Resources"].items()):
        if not condition_true(res.get("Condition"), transformed, template_params):
            continue
        typ = res["Type"]
        created = logical in stack.resources and stack.resources[logical].get("PhysicalResourceId")
        if created and typ in DYNAMIC_TYPES:
            continue
        validator = STATIC_VALIDATORS.get(typ)
        if validator is None:
            problems.append(f"{logical} ({typ}): {'created' if created else 'skipped by moto'}, no check")
            continue
        problems += validator(logical, res, transformed)
        static_done.setdefault(typ, []).append(logical)
    for typ, names in sorted(static_done.items()):
        print(f"      checked in the template (moto skipped or keeps no settings): {typ} x{len(names)}",
              flush=True)
    return problems


# ----------------------------------------------------------------------------- table vs adapter
def compare_table(template: dict, rust: dict) -> list[str]:
    problems: list[str] = []
    props = template["Resources"]["Table"]["Properties"]
    for key in ("BillingMode", "KeySchema"):
        expect(problems, props.get(key) == rust[key], f"{key}: template {props.get(key)} != adapter {rust[key]}")

    def attrs(x):
        return sorted((a["AttributeName"], a["AttributeType"]) for a in x)

    expect(problems, attrs(props["AttributeDefinitions"]) == attrs(rust["AttributeDefinitions"]),
           f"AttributeDefinitions: template {attrs(props['AttributeDefinitions'])} "
           f"!= adapter {attrs(rust['AttributeDefinitions'])}")

    def gsis(x):
        return {g["IndexName"]: {"KeySchema": g["KeySchema"], "Projection": g["Projection"]} for g in x}

    t_gsi, r_gsi = gsis(props.get("GlobalSecondaryIndexes", [])), gsis(rust["GlobalSecondaryIndexes"])
    expect(problems, t_gsi == r_gsi, f"GSIs: template {t_gsi} != adapter {r_gsi}")
    expect(problems, props.get("TimeToLiveSpecification") == rust["TimeToLiveSpecification"],
           f"TTL: template {props.get('TimeToLiveSpecification')} != adapter {rust['TimeToLiveSpecification']}")
    return problems


def start_cargo():
    if os.environ.get("FALLWERK_CHECK_SKIP_CARGO"):
        return None
    return subprocess.Popen(
        ["cargo", "run", "-q", "-p", "fallwerk-aws", "--example", "table_definition"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def rust_table_definition(proc) -> dict:
    if proc is None:
        raise AssertionError("skipped (FALLWERK_CHECK_SKIP_CARGO)")
    out, err = proc.communicate(timeout=900)
    if proc.returncode != 0:
        raise AssertionError(f"cargo run failed ({proc.returncode}): {err.strip()[-2000:]}")
    return json.loads(out)


# ----------------------------------------------------------------------------- main
def lint() -> list[str]:
    cmd = ["cfn-lint", "--format", "parseable"]
    # `--ignore-checks=X` form: the option takes several values and would swallow the template path
    cmd += [f"--ignore-checks={rule}" for rule in IGNORED_LINT_RULES]
    cmd.append(str(TEMPLATE))
    proc = subprocess.run(cmd, capture_output=True, text=True)
    findings = [line for line in proc.stdout.splitlines() if line.strip()]
    for line in findings:
        print(f"      {line}")
    # exit status bits: 1 crash/usage, 2 errors, 4 warnings, 8 informational (printed, not failing)
    if proc.returncode & 1:
        return [f"cfn-lint failed to run: {proc.stderr.strip()[-500:]}"]
    bad = proc.returncode & (2 | 4)
    return [f"{len(findings)} finding(s), exit status {proc.returncode}"] if bad else []


def main() -> int:
    started = time.monotonic()
    cargo = start_cargo()  # builds in parallel with the stack checks
    print(f"infra checks: template {TEMPLATE}, moto {ENDPOINT}, region {REGION}")

    check("cfn-lint infra/template.yaml (errors and warnings fail)", lint)

    template = load_template()
    FUNCTIONS.update(functions_of(template))
    check("template: the functions = scripts/package.sh's packages", static_functions, template)
    check("stage settings: prod retains table+bucket and protects the table, test deletes",
          static_stage_settings, template)
    check("template: table TTL `ttl`, SSE, PITR, on-demand (moto ignores TTL)", static_table, template)
    check("template: SQS SSE on all queues", static_queues, template)
    check("template: API events = docs/routes.json (the route table)", static_routes, template)
    check("template: queue visibility >= 6x consumer timeout, ReportBatchItemFailures",
          static_function_timeouts, template)

    tag = uuid.uuid4().hex[:8]
    code_bucket = f"fallwerk-check-code-{tag}"
    code_key = "dummy/bootstrap.zip"
    transformed: dict = {}

    def transform_both() -> list[str]:
        nonlocal transformed
        problems: list[str] = []
        for stage in ("prod", "test"):
            params = dict(PARAMETERS, Stage=stage)
            out = sam_transform(apply_language_extensions(template, params), params,
                                f"s3://{code_bucket}/{code_key}")
            left = [k for k, r in out["Resources"].items() if r["Type"].startswith("AWS::Serverless::")]
            expect(problems, not left, f"{stage}: untransformed {left}")
            expect(problems, "Transform" not in out, f"{stage}: Transform left in output")
            if stage == STAGE:
                transformed = out
        return problems

    if not check("SAM transform (aws-sam-translator) for stages prod and test", transform_both):
        transformed = {}

    stack = Stack(f"fwchk-{tag}", transformed)
    created = False
    s3 = None
    try:
        if transformed:
            def prepare_and_create() -> list[str]:
                nonlocal created, s3
                s3 = client("s3")
                s3.create_bucket(Bucket=code_bucket,
                                 CreateBucketConfiguration={"LocationConstraint": REGION})
                s3.put_object(Bucket=code_bucket, Key=code_key, Body=dummy_zip())
                created = True
                return create_stack(stack)

            ok = check(f"create_stack {stack.name} on moto -> CREATE_COMPLETE", prepare_and_create)
        else:
            ok = record("create_stack on moto", False, "no transformed template")
        rust_def = None
        if ok:
            expected_table = {k: transformed["Resources"]["Table"]["Properties"][k]
                              for k in ("KeySchema", "AttributeDefinitions", "GlobalSecondaryIndexes")}
            check("moto: table key schema, attributes, GSIs inbox/due with keys and projections",
                  moto_table, stack, expected_table)
            check("moto: queues, redrive to DLQ (maxReceiveCount 5), visibility timeouts", moto_queues, stack)
            check("moto: functions (provided.al2023, bootstrap, architecture, env, role)", moto_functions, stack)
            check("moto: IAM least privilege per function (exact actions per resource)", moto_iam, stack)
            check("moto: SQS event source mappings with ReportBatchItemFailures", moto_event_sources, stack)
            check("moto: EventBridge schedule rule and its target", moto_schedule, stack)
            check("moto: REST API resources, methods, Lambda proxy integrations, ApiUrl", moto_api, stack)
            check("moto: bucket encryption, public access block, versioning, lifecycle",
                  moto_bucket, stack)
            check("moto: log groups with retention", moto_logs, stack)
            check("moto: alarm topic", moto_topic, stack)
            check("moto: stack outputs", moto_outputs, stack)
            check("every resource checked (moto-created via API, skipped ones statically)",
                  coverage, stack, PARAMETERS)

        def compare() -> list[str]:
            nonlocal rust_def
            rust_def = rust_table_definition(cargo)
            return compare_table(template, rust_def)

        check("table definition: template == fallwerk-aws keys::table_definition (cargo example)", compare)
    finally:
        if cargo is not None and cargo.poll() is None:
            cargo.kill()
        if created:
            def cleanup() -> list[str]:
                from botocore.exceptions import ClientError

                cfn = client("cloudformation")
                cfn.delete_stack(StackName=stack.name)
                try:
                    wait_stack(cfn, stack.name, "DELETE_COMPLETE")
                except ClientError as err:
                    if "does not exist" not in str(err):
                        raise
                problems: list[str] = []
                if stack.resources:  # the test stage deletes the table and the bucket
                    names = client("dynamodb").list_tables()["TableNames"]
                    expect(problems, stack.physical("Table") not in names, "table left after delete")
                for obj in s3.list_objects_v2(Bucket=code_bucket).get("Contents", []):
                    s3.delete_object(Bucket=code_bucket, Key=obj["Key"])
                s3.delete_bucket(Bucket=code_bucket)
                return problems

            check(f"delete_stack {stack.name} (test stage removes table and bucket)", cleanup)

    if NOTES:
        print(f"note: moto did not keep, so checked in the template: {', '.join(sorted(NOTES))}")
    passed = sum(1 for _, ok, _ in RESULTS if ok)
    failed = len(RESULTS) - passed
    print(f"infra checks: {passed} passed, {failed} failed ({time.monotonic() - started:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
