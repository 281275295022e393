"""The S3 bucket of ``state: {backend: s3}``, through boto3.

boto3 talks to the endpoint terraform's S3 back end talks to: AWS through the
usual credential chain in the state's region, or, when the environment
targets an emulator (``endpoint_url`` / ``AUTHGEN_ENDPOINT_URL``), that
endpoint with path-style addressing and the dummy keys the rendered back end
carries (never real credentials).

``bootstrap`` is ``authgen state bootstrap``: it creates the bucket when it is
missing and puts four settings in place: versioning on (every state version
can be restored), default encryption (SSE-KMS with the spec's ``kms_key_id``,
else SSE-S3), all public access blocked, and a bucket policy that denies any
request not made over TLS. Each setting is read first and written only when
it differs, so a second run changes nothing and says so. Statements of an
existing bucket policy are kept; authgen owns only its own statement
(``POLICY_SID``).

On a plain ``http://`` endpoint (an emulator on this machine) the TLS-only
policy is left out: it would refuse every request made there, terraform's
included. It is put in place everywhere else.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator.errors import AuthgenError

if TYPE_CHECKING:
    from generator.spec import S3State, Spec

log = logging.getLogger(__name__)

#: The ``Sid`` of the bucket-policy statement authgen owns.
POLICY_SID = "AuthgenDenyInsecureTransport"
#: Where the permissions the bootstrap needs are listed.
PERMISSIONS_DOC = "docs/aws-iam.md (state bootstrap)"
#: S3 error codes that mean "no such bucket" (HeadBucket has no body: "404").
MISSING = frozenset({"404", "NoSuchBucket", "NotFound"})
#: Error codes of a Get* call that mean "this setting was never made".
NOT_SET = frozenset(
    {
        "ServerSideEncryptionConfigurationNotFoundError",
        "NoSuchPublicAccessBlockConfiguration",
        "NoSuchBucketPolicy",
    }
)


class StateBucketError(AuthgenError):
    """The state bucket cannot be reached, read or changed."""


@dataclass(frozen=True)
class Change:
    """One thing ``bootstrap`` makes sure of: ``wanted`` (what it is after the
    run), ``before`` (what it was), ``changed`` (False: already in place)."""

    setting: str
    wanted: str
    before: str
    changed: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "setting": self.setting,
            "wanted": self.wanted,
            "before": self.before,
            "changed": self.changed,
        }


@dataclass(frozen=True)
class _Setting:
    name: str
    wanted: str
    read: Callable[[Any], str | None]  # the current state in words; None: as wanted
    write: Callable[[Any], None]


def client(spec: Spec) -> Any:
    """A boto3 S3 client for the state bucket of ``spec`` (its region; the
    emulator when the spec targets one)."""
    import boto3
    from botocore.config import Config

    from generator.render import EMULATOR_KEY

    state = _s3_state(spec)
    config = Config(
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=10,
        read_timeout=60,
        s3={"addressing_style": "path"} if spec.endpoint_url else {},
    )
    options: dict[str, Any] = {"region_name": state.region, "config": config}
    if spec.endpoint_url:
        options.update(
            endpoint_url=spec.endpoint_url,
            aws_access_key_id=EMULATOR_KEY,
            aws_secret_access_key=EMULATOR_KEY,
        )
    return boto3.session.Session().client("s3", **options)


def bucket_exists(spec: Spec, s3: Any | None = None) -> bool:
    """Whether the state bucket exists (and, when it does, is in the state's
    region and readable with these credentials)."""
    state = _s3_state(spec)
    s3 = s3 or client(spec)
    with _s3_errors(spec):
        return _head(s3, state)


@dataclass(frozen=True)
class Bootstrap:
    """What ``bootstrap`` did: one ``Change`` per setting, in order, and the
    settings it left out, each with the reason."""

    changes: list[Change]
    skipped: dict[str, str]

    @property
    def changed(self) -> list[Change]:
        return [change for change in self.changes if change.changed]


def tls_policy_applies(spec: Spec) -> bool:
    """False on a plain-HTTP endpoint, where a TLS-only policy refuses everything."""
    return not (spec.endpoint_url or "").startswith("http://")


def state_exists(spec: Spec, s3: Any | None = None) -> bool:
    """Whether the state object (``state.key``) is in the bucket already."""
    state = _s3_state(spec)
    s3 = s3 or client(spec)
    with _s3_errors(spec):
        try:
            s3.head_object(Bucket=state.bucket, Key=state.key)
        except _client_error() as err:
            if _code(err) in (*MISSING, "NoSuchKey"):
                return False
            raise
    return True


def bootstrap(spec: Spec, s3: Any | None = None, *, dry_run: bool = False) -> Bootstrap:
    """Create the state bucket if missing and harden it (see the module's
    docstring). ``dry_run``: read only, report what would change. ``s3``: a
    client to use instead of ``client(spec)``."""
    state = _s3_state(spec)
    skipped = {}
    settings = _settings(state)
    if not tls_policy_applies(spec):
        settings = [s for s in settings if s.name != "bucket policy"]
        skipped["bucket policy"] = (
            f"a TLS-only policy would refuse every request to the plain-HTTP endpoint "
            f"{spec.endpoint_url}"
        )
    s3 = s3 or client(spec)
    changes: list[Change] = []
    with _s3_errors(spec):
        exists = _head(s3, state)
        where = f"in {state.region}"
        changes.append(Change("bucket", where, where if exists else "missing", not exists))
        if not exists and not dry_run:
            _create(s3, state)
            log.info("created the state bucket %s in %s", state.bucket, state.region)
            exists = True  # read what a new bucket comes with (AWS: SSE-S3 is on already)
        for setting in settings:
            before = setting.read(s3) if exists else "not set (new bucket)"
            changes.append(
                Change(setting.name, setting.wanted, before or setting.wanted, before is not None)
            )
            if before is not None and not dry_run:
                setting.write(s3)
                log.info(
                    "state bucket %s: %s set to %s", state.bucket, setting.name, setting.wanted
                )
    return Bootstrap(changes, skipped)


# -- the settings ------------------------------------------------------------


def _settings(state: S3State) -> list[_Setting]:
    bucket = state.bucket
    return [
        _Setting(
            "versioning",
            "on",
            lambda s3: _versioning(s3, bucket),
            lambda s3: s3.put_bucket_versioning(
                Bucket=bucket, VersioningConfiguration={"Status": "Enabled"}
            ),
        ),
        _Setting(
            "default encryption",
            _describe_encryption(encryption_rule(state)),
            lambda s3: _encryption(s3, state),
            lambda s3: s3.put_bucket_encryption(
                Bucket=bucket,
                ServerSideEncryptionConfiguration={"Rules": [encryption_rule(state)]},
            ),
        ),
        _Setting(
            "public access",
            "all blocked",
            lambda s3: _public_access(s3, bucket),
            lambda s3: s3.put_public_access_block(
                Bucket=bucket, PublicAccessBlockConfiguration=dict.fromkeys(PUBLIC_ACCESS, True)
            ),
        ),
        _Setting(
            "bucket policy",
            f"TLS only (statement {POLICY_SID}: deny when aws:SecureTransport is false)",
            lambda s3: _policy(s3, state)[0],
            lambda s3: s3.put_bucket_policy(
                Bucket=bucket, Policy=json.dumps(_policy(s3, state)[1], indent=2)
            ),
        ),
    ]


#: The four switches of an S3 public access block.
PUBLIC_ACCESS = (
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
)


def encryption_rule(state: S3State) -> dict[str, Any]:
    """The default-encryption rule the bucket gets: SSE-KMS with ``kms_key_id``
    (and an S3 bucket key, fewer KMS calls), else SSE-S3."""
    if state.kms_key_id:
        return {
            "ApplyServerSideEncryptionByDefault": {
                "SSEAlgorithm": "aws:kms",
                "KMSMasterKeyID": state.kms_key_id,
            },
            "BucketKeyEnabled": True,
        }
    return {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}


def tls_only_statement(state: S3State) -> dict[str, Any]:
    """The bucket-policy statement denying every request made without TLS."""
    arn = f"arn:{partition(state.region)}:s3:::{state.bucket}"
    return {
        "Sid": POLICY_SID,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def partition(region: str) -> str:
    """The AWS partition of a region (for ARNs)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _versioning(s3: Any, bucket: str) -> str | None:
    status = s3.get_bucket_versioning(Bucket=bucket).get("Status")
    if status == "Enabled":
        return None
    return "suspended" if status == "Suspended" else "off"


def _encryption(s3: Any, state: S3State) -> str | None:
    try:
        config = s3.get_bucket_encryption(Bucket=state.bucket)["ServerSideEncryptionConfiguration"]
    except _client_error() as err:
        if _code(err) in NOT_SET:
            return "none"
        raise
    rules = config.get("Rules") or []
    current = rules[0] if rules else None
    if current is not None and _same_encryption(current, encryption_rule(state)):
        return None
    return _describe_encryption(current) if current else "none"


def _same_encryption(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    have = current.get("ApplyServerSideEncryptionByDefault") or {}
    want = wanted["ApplyServerSideEncryptionByDefault"]
    if have.get("SSEAlgorithm") != want["SSEAlgorithm"]:
        return False
    if want["SSEAlgorithm"] == "AES256":
        return True
    return have.get("KMSMasterKeyID") == want["KMSMasterKeyID"] and bool(
        current.get("BucketKeyEnabled")
    )


def _describe_encryption(rule: dict[str, Any]) -> str:
    default = rule.get("ApplyServerSideEncryptionByDefault") or {}
    algorithm = default.get("SSEAlgorithm", "?")
    if algorithm == "AES256":
        return "SSE-S3 (AES256)"
    key = default.get("KMSMasterKeyID") or "the AWS managed key"
    bucket_key = ", bucket key on" if rule.get("BucketKeyEnabled") else ""
    name = "SSE-KMS" if algorithm == "aws:kms" else algorithm
    return f"{name} with {key}{bucket_key}"


def _public_access(s3: Any, bucket: str) -> str | None:
    try:
        config = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    except _client_error() as err:
        if _code(err) in NOT_SET:
            return "not blocked"
        raise
    off = [name for name in PUBLIC_ACCESS if not config.get(name)]
    return f"{', '.join(off)} off" if off else None


def _policy(s3: Any, state: S3State) -> tuple[str | None, dict[str, Any]]:
    """(what is wrong with the current policy or None, the policy to write)."""
    wanted = tls_only_statement(state)
    try:
        text = s3.get_bucket_policy(Bucket=state.bucket)["Policy"]
    except _client_error() as err:
        if _code(err) in NOT_SET:
            return "none", {"Version": "2012-10-17", "Statement": [wanted]}
        raise
    try:
        policy = json.loads(text)
    except ValueError:
        raise StateBucketError(
            f"state bucket {state.bucket}: its bucket policy is not JSON; fix it by hand"
        ) from None
    statements = policy.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    ours = [s for s in statements if isinstance(s, dict) and s.get("Sid") == POLICY_SID]
    others = [s for s in statements if not (isinstance(s, dict) and s.get("Sid") == POLICY_SID)]
    merged = {**policy, "Version": policy.get("Version", "2012-10-17")}
    merged["Statement"] = [*others, wanted]
    if len(ours) == 1 and _normal(ours[0]) == _normal(wanted):
        return None, merged
    what = "a different " + POLICY_SID if ours else "no TLS-only statement"
    return f"{what} ({len(others)} other statement{'s' if len(others) != 1 else ''} kept)", merged


def _normal(statement: dict[str, Any]) -> str:
    """A statement in a comparable form (resource lists in any order)."""
    copy = dict(statement)
    for key in ("Resource", "Action"):
        value = copy.get(key)
        if isinstance(value, list):
            copy[key] = sorted(value) if len(value) > 1 else value[0]
    return json.dumps(copy, sort_keys=True)


# -- the bucket --------------------------------------------------------------


def _head(s3: Any, state: S3State) -> bool:
    """True when the bucket exists in the state's region and is ours to use."""
    try:
        answer = s3.head_bucket(Bucket=state.bucket)
    except _client_error() as err:
        code = _code(err)
        if code in MISSING:
            return False
        if code in ("403", "AccessDenied", "Forbidden"):
            raise StateBucketError(
                f"state bucket {state.bucket}: it exists but these credentials may not use it "
                "(another account owns it, or s3:ListBucket is not granted); bucket names are "
                "global: choose another state.bucket, or grant access"
            ) from None
        raise
    region = answer.get("BucketRegion") or (
        answer.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("x-amz-bucket-region")
    )
    if region and region != state.region:
        raise StateBucketError(
            f"state bucket {state.bucket} is in {region}, but state.region is {state.region}; "
            f"set state.region: {region}"
        )
    return True


def _create(s3: Any, state: S3State) -> None:
    options: dict[str, Any] = {"Bucket": state.bucket}
    if state.region != "us-east-1":  # us-east-1 takes no location constraint
        options["CreateBucketConfiguration"] = {"LocationConstraint": state.region}
    try:
        s3.create_bucket(**options)
    except _client_error() as err:
        code = _code(err)
        if code == "BucketAlreadyOwnedByYou":  # made meanwhile (another bootstrap)
            return
        if code == "BucketAlreadyExists":
            raise StateBucketError(
                f"state bucket {state.bucket}: the name is taken (bucket names are global "
                "across all AWS accounts); choose another state.bucket"
            ) from None
        raise


# -- errors ------------------------------------------------------------------


def _client_error() -> type[Exception]:
    from botocore.exceptions import ClientError

    return ClientError


def _code(err: Exception) -> str:
    return str(getattr(err, "response", {}).get("Error", {}).get("Code", ""))


@contextmanager
def _s3_errors(spec: Spec) -> Iterator[None]:
    """botocore's exceptions as one line naming the bucket and what to do."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
    )

    bucket = _s3_state(spec).bucket
    try:
        yield
    except NoCredentialsError:
        raise StateBucketError(
            f"state bucket {bucket}: no AWS credentials found (environment, profile, SSO or "
            "instance role); configure them as for terraform"
        ) from None
    except EndpointConnectionError as err:
        raise StateBucketError(f"state bucket {bucket}: cannot reach S3: {err}") from None
    except ClientError as err:
        code = _code(err)
        message = err.response.get("Error", {}).get("Message") or code
        operation = err.operation_name
        if code in ("AccessDenied", "403", "AllAccessDisabled"):
            raise StateBucketError(
                f"state bucket {bucket}: S3 denied {operation} ({message}); the credentials "
                f"need the permissions listed in {PERMISSIONS_DOC}"
            ) from None
        raise StateBucketError(
            f"state bucket {bucket}: S3 {operation} failed: {code}: {message}"
        ) from None
    except BotoCoreError as err:
        raise StateBucketError(f"state bucket {bucket}: {err}") from None


def _s3_state(spec: Spec) -> S3State:
    state = spec.state
    if state.backend != "s3":
        raise AuthgenError(
            f"{spec.name}: its state is not in S3 (state.backend: {state.backend}); this is for "
            "state: {backend: s3, bucket: ...}"
        )
    return state  # type: ignore[return-value]
