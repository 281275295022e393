"""The bad-input catalogue: every case exits 1 with one clear line per
problem (file:line:col: key.path: what is wrong), no traceback, and nothing
written."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from generator.cli import main
from tests.support.specs import AUTH0_DEV as AUTH0

GOOD = textwrap.dedent(
    """\
    name: dev
    provider: cognito
    gateway: my-gateway
    region: us-west-2
    cognito:
      resource_server:
        identifier: gateway-resource-server
        name: GatewayResourceServer
        scopes:
          - {name: read, description: Read access}
          - {name: write, description: Write access}
      clients:
        - name: gateway-client
          scopes: [read, write]
    """
)


def edit(base: str, old: str, new: str) -> str:
    assert old in base, old
    return base.replace(old, new, 1)


# (id, file name, content, expected text in the output)
CASES = [
    (
        "name-differs",
        "dev.yaml",
        edit(GOOD, "name: dev", "name: prod"),
        "dev.yaml:1:7: name: name 'prod' differs from the file name 'dev'",
    ),
    (
        "unknown-provider",
        "dev.yaml",
        edit(GOOD, "provider: cognito", "provider: okta"),
        "dev.yaml:2:11: provider: 'okta' is not one of cognito, auth0",
    ),
    (
        "provider-typo",
        "dev.yaml",
        edit(GOOD, "provider: cognito", "provider: cogito"),
        "did you mean 'cognito'?",
    ),
    (
        "missing-section",
        "dev.yaml",
        GOOD.split("cognito:\n")[0],
        "provider: provider is cognito but there is no 'cognito' section; add one",
    ),
    (
        "both-sections",
        "dev.yaml",
        GOOD + "auth0:\n  domain: x.auth0.com\n",
        "dev.yaml:15:1: auth0: 'auth0' section with provider cognito",
    ),
    (
        "missing-region",
        "dev.yaml",
        edit(GOOD, "region: us-west-2\n", ""),
        "region: region is required for provider cognito",
    ),
    (
        "bad-region",
        "dev.yaml",
        edit(GOOD, "region: us-west-2", "region: oregon"),
        "dev.yaml:4:9: region: region 'oregon' is not an AWS region name",
    ),
    (
        "retired-while-protected",
        "dev.yaml",
        GOOD + "protected: true\nretired: true\n",
        "dev.yaml:16:10: retired: retired: true while protected: true; set protected: false and "
        "apply that first",
    ),
    (
        "duplicate-yaml-key",
        "dev.yaml",
        edit(GOOD, "region: us-west-2", "region: us-west-2\nregion: us-east-1"),
        "dev.yaml:5:1: region: duplicate key 'region' (first at line 4); keep one of them",
    ),
    (
        "duplicate-scope",
        "dev.yaml",
        edit(GOOD, "{name: write, description: Write access}", "{name: read, description: Again}"),
        "cognito.resource_server.scopes[1].name: duplicate scope 'read' (also scopes[0])",
    ),
    (
        "duplicate-client",
        "dev.yaml",
        GOOD + "    - name: gateway-client\n      scopes: [read]\n",
        "cognito.clients[1].name: duplicate client 'gateway-client'",
    ),
    (
        "unknown-scope",
        "dev.yaml",
        edit(GOOD, "scopes: [read, write]", "scopes: [read, admin]"),
        "dev.yaml:14:22: cognito.clients[0].scopes[1]: unknown scope 'admin' (defined: read, write)",
    ),
    (
        "unknown-key",
        "dev.yaml",
        edit(GOOD, "region: us-west-2", "region: us-west-2\nregoin: x"),
        "dev.yaml:5:1: regoin: unknown key; did you mean 'region'?",
    ),
    (
        "nested-unknown-key",
        "dev.yaml",
        edit(
            GOOD, "      scopes: [read, write]", "      scopes: [read, write]\n      secret: s3cr3t"
        ),
        "cognito.clients[0].secret: unknown key",
    ),
    (
        "domain-prefix-upper",
        "dev.yaml",
        edit(GOOD, "cognito:\n", "cognito:\n  domain_prefix: My-Gateway\n"),
        "cognito.domain_prefix: domain prefix 'My-Gateway' has capital letters; use lowercase",
    ),
    (
        "domain-prefix-hyphen",
        "dev.yaml",
        edit(GOOD, "cognito:\n", "cognito:\n  domain_prefix: -gw\n"),
        "starts or ends with '-'",
    ),
    (
        "domain-prefix-reserved",
        "dev.yaml",
        edit(GOOD, "cognito:\n", "cognito:\n  domain_prefix: my-cognito-gw\n"),
        "contains the reserved word 'cognito'",
    ),
    (
        "domain-prefix-long",
        "dev.yaml",
        edit(GOOD, "cognito:\n", "cognito:\n  domain_prefix: " + "a" * 64 + "\n"),
        "cognito.domain_prefix:",
    ),
    (
        "derived-prefix-reserved",
        "dev.yaml",
        edit(GOOD, "gateway: my-gateway", "gateway: amazon-gw"),
        "derived from gateway 'amazon-gw' and name 'dev'; set cognito.domain_prefix explicitly",
    ),
    (
        "scope-with-slash",
        "dev.yaml",
        edit(GOOD, "{name: write,", "{name: w/x,"),
        "cognito.resource_server.scopes[1].name: scope name 'w/x' has characters that are not allowed ('/')",
    ),
    (
        "scope-with-space",
        "dev.yaml",
        edit(GOOD, "{name: write,", "{name: 'w x',"),
        "scope name 'w x' has characters that are not allowed (' ')",
    ),
    (
        "identifier-charset",
        "dev.yaml",
        edit(GOOD, "identifier: gateway-resource-server", 'identifier: "gate way"'),
        "cognito.resource_server.identifier: identifier 'gate way' has characters that are not allowed",
    ),
    (
        "pool-name-charset",
        "dev.yaml",
        edit(GOOD, "cognito:\n", "cognito:\n  user_pool_name: 'pool#1'\n"),
        "cognito.user_pool_name: user pool name 'pool#1' has characters that are not allowed ('#')",
    ),
    (
        "client-name-charset",
        "dev.yaml",
        edit(GOOD, "name: gateway-client", "name: 'client!'"),
        "cognito.clients[0].name: client name 'client!'",
    ),
    (
        "description-long",
        "dev.yaml",
        edit(GOOD, "description: Read access", "description: " + "x" * 257),
        "cognito.resource_server.scopes[0].description:",
    ),
    (
        "description-control",
        "dev.yaml",
        edit(GOOD, "description: Read access", 'description: "Read\\taccess"'),
        "description has a control character",
    ),
    (
        "validity-range",
        "dev.yaml",
        edit(
            GOOD,
            "      scopes: [read, write]",
            "      scopes: [read, write]\n      access_token_validity_minutes: 2000",
        ),
        "cognito.clients[0].access_token_validity_minutes: 2000 is out of range; must be at most 1440",
    ),
    (
        "string-expected",
        "dev.yaml",
        edit(GOOD, "gateway: my-gateway", "gateway: 123"),
        "gateway: expected a string, got a number (123); put it in quotes",
    ),
    (
        "list-for-mapping",
        "dev.yaml",
        "name: dev\nprovider: cognito\ngateway: g\nregion: us-west-2\ncognito: [a, b]\n",
        "dev.yaml:5:10: cognito: expected a mapping (key: value), got a list",
    ),
    ("top-level-list", "dev.yaml", "- name: dev\n", "dev.yaml:1:1: expected a mapping at the top"),
    ("empty-file", "dev.yaml", "", "dev.yaml:1:1: file is empty"),
    (
        "tab-indent",
        "dev.yaml",
        edit(GOOD, "  resource_server:", "\tresource_server:"),
        "dev.yaml:6:1: tab character in indentation; YAML indents with spaces only",
    ),
    (
        "syntax-error",
        "dev.yaml",
        edit(GOOD, "region: us-west-2", "region: [us-west-2"),
        "dev.yaml:5:",
    ),
    ("two-documents", "dev.yaml", GOOD + "---\nname: other\n", "more than one YAML document"),
    (
        "python-tag",
        "dev.yaml",
        edit(GOOD, "gateway: my-gateway", "gateway: !!python/object:os.system x"),
        "gateway: YAML tag 'tag:yaml.org,2002:python/object:os.system' is not allowed",
    ),
    (
        "merge-key",
        "dev.yaml",
        edit(GOOD, "region: us-west-2", "base: &b {x: 1}\nregion: us-west-2\nfoo:\n  <<: *b"),
        "YAML merge keys ('<<') are not supported",
    ),
    (
        "non-string-key",
        "dev.yaml",
        edit(GOOD, "region: us-west-2", "region: us-west-2\n1: one"),
        "key '1' is not a string",
    ),
    (
        "auth0-domain-scheme",
        "dev.yaml",
        edit(
            AUTH0, "domain: dev-example.us.auth0.com", "domain: https://dev-example.us.auth0.com/"
        ),
        "auth0.domain: domain 'https://dev-example.us.auth0.com/' has a scheme; write the bare host name 'dev-example.us.auth0.com'",
    ),
    (
        "auth0-hs256",
        "dev.yaml",
        edit(AUTH0, "identifier: gateway123", "identifier: gateway123\n    signing_alg: HS256"),
        "auth0.api.signing_alg: 'HS256' is not one of RS256, PS256",
    ),
    (
        "auth0-missing-identifier",
        "dev.yaml",
        edit(AUTH0, "    identifier: gateway123\n", ""),
        "auth0.api: required key 'identifier' is missing; add it",
    ),
    (
        "auth0-unknown-scope",
        "dev.yaml",
        edit(AUTH0, 'scopes: ["invoke:gateway"]', 'scopes: ["admin:gateway"]'),
        "auth0.clients[0].scopes[0]: unknown scope 'admin:gateway' (defined: invoke:gateway)",
    ),
    (
        "auth0-endpoint-url",
        "dev.yaml",
        AUTH0 + "endpoint_url: http://127.0.0.1:5000\n",
        "endpoint_url: endpoint_url is for cognito",
    ),
    (
        "allowed-scope-undefined",
        "dev.yaml",
        GOOD + "authorizer:\n  allowed_scopes: [read]\n",
        "authorizer.allowed_scopes[0]: 'read' is not a scope of this environment (tokens carry: gateway-resource-server/read, gateway-resource-server/write)",
    ),
    (
        "allowed-scope-charset",
        "dev.yaml",
        GOOD + "authorizer:\n  allowed_scopes: ['a\"b']\n",
        "authorizer.allowed_scopes[0]: 'a\"b' contains",
    ),
    (
        "claim-operator-type",
        "dev.yaml",
        GOOD
        + "authorizer:\n  custom_claims:\n    - {claim: groups, operator: CONTAINS, value: admins}\n",
        "dev.yaml:17:33: authorizer.custom_claims[0].operator: operator CONTAINS cannot be used with type STRING: use EQUALS, or make the claim type STRING_ARRAY",
    ),
    (
        "claim-any-needs-values",
        "dev.yaml",
        GOOD
        + "authorizer:\n  custom_claims:\n    - {claim: groups, type: STRING_ARRAY, operator: CONTAINS_ANY, value: a}\n",
        "authorizer.custom_claims[0]: operator CONTAINS_ANY compares against values, not value",
    ),
    (
        "auth0-scope-space",
        "dev.yaml",
        edit(
            AUTH0,
            '{name: "invoke:gateway", description: Invoke}',
            '{name: "invoke gateway", description: Invoke}',
        ),
        "auth0.api.scopes[0].name: scope name 'invoke gateway' has characters that are not allowed (' ')",
    ),
    (
        "claim-value-charset",
        "dev.yaml",
        GOOD + "authorizer:\n  custom_claims:\n    - {claim: dept, value: 'R&D team'}\n",
        "authorizer.custom_claims[0].value: 'R&D team' contains",
    ),
    (
        "output-outside",
        "dev.yaml",
        GOOD + "authorizer:\n  output: ../../etc/x.json\n",
        "authorizer.output: output '../../etc/x.json' leaves the project",
    ),
    (
        "output-absolute",
        "dev.yaml",
        GOOD + "authorizer:\n  output: /tmp/x.json\n",
        "authorizer.output: output '/tmp/x.json' is absolute",
    ),
    (
        "state-backend",
        "dev.yaml",
        GOOD + "state:\n  backend: gcs\n",
        "state.backend: 'gcs' is not one of local, s3, cloud",
    ),
    (
        "state-s3-bucket",
        "dev.yaml",
        GOOD + "state:\n  backend: s3\n",
        "state: required key 'bucket' is missing",
    ),
    (
        "state-s3-bucket-capitals",
        "dev.yaml",
        GOOD + "state:\n  backend: s3\n  bucket: My_State\n",
        "dev.yaml:17:11: state.bucket: bucket name 'My_State' has capital letters; S3 allows "
        "lowercase only",
    ),
    (
        "state-s3-bucket-characters",
        "dev.yaml",
        GOOD + "state:\n  backend: s3\n  bucket: my_state\n",
        "state.bucket: bucket name 'my_state' has characters S3 does not allow ('_')",
    ),
    (
        "state-s3-bucket-ip",
        "dev.yaml",
        GOOD + "state:\n  backend: s3\n  bucket: 10.0.0.12\n",
        "state.bucket: bucket name '10.0.0.12' looks like an IP address",
    ),
    (
        "state-s3-bucket-reserved",
        "dev.yaml",
        GOOD + "state:\n  backend: s3\n  bucket: my-state-s3alias\n",
        "state.bucket: bucket name 'my-state-s3alias' ends with '-s3alias', which S3 reserves",
    ),
    (
        "state-s3-bucket-short",
        "dev.yaml",
        GOOD + "state:\n  backend: s3\n  bucket: ab\n",
        "state.bucket: bucket name 'ab' is 2 characters; S3 needs 3 to 63",
    ),
    (
        "tag-reserved",
        "dev.yaml",
        GOOD + "tags:\n  'aws:owner': me\n",
        "tag key 'aws:owner' starts with 'aws:'",
    ),
    (
        "non-utf8",
        "dev.yaml",
        GOOD.encode() + b"# caf\xe9\n",
        "dev.yaml:15:6: byte 0xe9 is not UTF-8; save the file as UTF-8",
    ),
    (
        "control-character",
        "dev.yaml",
        edit(GOOD, "gateway: my-gateway", "gateway: my\x07gateway"),
        "dev.yaml:3:12: YAML: character '\\x07' (U+0007) is not allowed; remove it",
    ),
    (
        "alias-bomb",
        "dev.yaml",
        "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
        "values after expanding aliases; remove the anchors/aliases (is this an alias bomb?)",
    ),
    (
        "huge-file",
        "dev.yaml",
        GOOD + "# " + "x" * 300_000 + "\n",
        "more than the 262144 an environment spec may have",
    ),
]


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "environments").mkdir()
    (tmp_path / "modules").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_catalogue_is_large_enough():
    assert len(CASES) >= 30
    assert len({case[0] for case in CASES}) == len(CASES)


@pytest.mark.parametrize(
    ("case", "filename", "content", "expected"), CASES, ids=[c[0] for c in CASES]
)
@pytest.mark.parametrize("command", ["validate", "render"])
def test_bad_input(project, capsys, command, case, filename, content, expected):
    path = project / "environments" / filename
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    code = main([command, "dev"])
    captured = capsys.readouterr()
    assert code == 1, captured
    assert expected in captured.err
    assert "Traceback" not in captured.err + captured.out
    for line in captured.err.strip().splitlines():
        assert line.startswith("environments/dev.yaml:"), line
    assert not (project / "build").exists()
    assert not (project / "authorizers").exists()


def test_all_problems_of_a_file_are_reported(project, capsys):
    bad = edit(GOOD, "scopes: [read, write]", "scopes: [read, admin]")
    bad = edit(bad, "region: us-west-2", "region: oregon")
    bad = edit(bad, "name: gateway-client", "name: 'client!'")
    (project / "environments" / "dev.yaml").write_text(bad)
    assert main(["validate", "dev"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert any("region 'oregon'" in line for line in lines)
    assert any("unknown scope 'admin'" in line for line in lines)
    assert any("client name 'client!'" in line for line in lines)
    problem_lines = [line for line in lines if line.startswith("environments/")]
    assert problem_lines == sorted(problem_lines, key=lambda s: int(s.split(":")[1]))


def test_no_traceback_from_a_real_process(project):
    (project / "environments" / "dev.yaml").write_bytes(b"name: dev\nprovider: [\n\xff")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "validate", "dev"],
        capture_output=True,
        text=True,
        cwd=project,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("environments/dev.yaml:3:1: byte 0xff is not UTF-8")


def test_missing_file_is_one_line(project, capsys):
    assert main(["validate", "nope"]) == 1
    err = capsys.readouterr().err
    assert "environments/nope.yaml: no such file" in err


def test_secret_in_yaml_is_not_echoed(project, capsys):
    content = edit(
        GOOD,
        "      scopes: [read, write]",
        "      scopes: [read, write]\n      client_secret: hunter2-very-secret",
    )
    (project / "environments" / "dev.yaml").write_text(content)
    assert main(["validate", "dev"]) == 1
    captured = capsys.readouterr()
    assert "cognito.clients[0].client_secret: unknown key" in captured.err
    assert "hunter2" not in captured.err + captured.out


@pytest.mark.parametrize(
    "case",
    [
        "syntax-error",
        "control-character",
        "duplicate-yaml-key",
        "two-documents",
        "tab-indent",
        "alias-bomb",
    ],
)
def test_pure_python_parser_gives_the_same_messages(project, capsys, monkeypatch, case):
    """Where pyyaml lacks libyaml, the pure-Python parser is used; same lines."""
    import yaml

    from generator import yaml_source

    _, filename, content, expected = next(c for c in CASES if c[0] == case)
    (project / "environments" / filename).write_bytes(content.encode())
    assert main(["validate", "dev"]) == 1
    with_default = capsys.readouterr().err
    monkeypatch.setattr(yaml_source, "_COMPOSER", yaml.SafeLoader)
    assert main(["validate", "dev"]) == 1
    with_python = capsys.readouterr().err
    assert expected in with_python
    if case == "syntax-error":  # the two parsers word syntax errors differently
        assert with_python.split("YAML:")[0] == with_default.split("YAML:")[0]
    else:
        assert with_python == with_default


# --- clients[].claims and what the authorizer demands of them ---------------------------

WITH_CLAIMS = edit(
    GOOD,
    "      scopes: [read, write]\n",
    "      scopes: [read, write]\n"
    "      claims:\n"
    "        department: engineering\n"
    "        groups: [admins, ops]\n",
)

CLAIM_CASES = [
    (
        "cognito-reserved-claim",
        edit(WITH_CLAIMS, "        department: engineering\n", "        client_id: x\n"),
        "environments/dev.yaml:16:9: cognito.clients[0].claims.client_id: claim 'client_id' is "
        "reserved by Cognito (it sets such claims itself); a pre token generation trigger "
        "cannot add or override it: use another name",
    ),
    (
        "cognito-prefix-claim",
        edit(WITH_CLAIMS, "        department: engineering\n", "        'cognito:groups': x\n"),
        "environments/dev.yaml:16:9: cognito.clients[0].claims.cognito:groups: claim "
        "'cognito:groups' is reserved by Cognito (it sets such claims itself); a pre token "
        "generation trigger cannot add or override it: use another name",
    ),
    (
        "claim-name-charset",
        edit(WITH_CLAIMS, "        department: engineering\n", "        cost-center: x\n"),
        "environments/dev.yaml:16:9: cognito.clients[0].claims.cost-center: 'cost-center' "
        "contains a character the API does not allow: '-'; use letters, digits, '.', '/', ':' "
        "and '_'",
    ),
    (
        "claim-value-number",
        edit(WITH_CLAIMS, "department: engineering", "department: 42"),
        "environments/dev.yaml:16:21: cognito.clients[0].claims.department: a claim value is a "
        "string or a list of strings, not int 42; put it in quotes",
    ),
    (
        "claims-on-lite",
        edit(WITH_CLAIMS, "cognito:\n", "cognito:\n  feature_tier: LITE\n"),
        "environments/dev.yaml:6:17: cognito.feature_tier: feature tier LITE cannot put claims "
        "into access tokens (cognito.clients[0].claims): the V3_0 pre token generation trigger "
        "needs ESSENTIALS or PLUS; set feature_tier: ESSENTIALS or remove the claims",
    ),
    (
        "custom-claim-nobody-emits",
        WITH_CLAIMS
        + "authorizer:\n  custom_claims:\n    - {claim: department, value: engineering}\n"
        "    - {claim: costcenter, value: cc1}\n",
        "environments/dev.yaml:21:7: authorizer.custom_claims[1]: no client emits claim "
        "'costcenter' (clients: gateway-client); add it under cognito.clients[].claims",
    ),
    (
        "custom-claim-other-value",
        WITH_CLAIMS + "authorizer:\n  custom_claims:\n    - {claim: department, value: sales}\n",
        "environments/dev.yaml:20:7: authorizer.custom_claims[0]: no client's tokens satisfy it: "
        "gateway-client emits department: 'engineering', not 'sales'; change the claim under "
        "cognito.clients[].claims or the rule",
    ),
    (
        "custom-claim-string-rule-on-a-list",
        WITH_CLAIMS + "authorizer:\n  custom_claims:\n    - {claim: groups, value: admins}\n",
        "environments/dev.yaml:20:7: authorizer.custom_claims[0]: no client's tokens satisfy it: "
        "gateway-client emits groups as a list, but the rule has type STRING (use type "
        "STRING_ARRAY with CONTAINS or CONTAINS_ANY, or emit one string); change the claim "
        "under cognito.clients[].claims or the rule",
    ),
    (
        "custom-claim-contains-missing",
        WITH_CLAIMS + "authorizer:\n  custom_claims:\n"
        "    - {claim: groups, type: STRING_ARRAY, operator: CONTAINS, value: root}\n",
        "environments/dev.yaml:20:7: authorizer.custom_claims[0]: no client's tokens satisfy it: "
        "gateway-client emits groups: ['admins', 'ops'] without 'root'; change the claim under "
        "cognito.clients[].claims or the rule",
    ),
    (
        "custom-claim-array-rule-on-a-string",
        WITH_CLAIMS + "authorizer:\n  custom_claims:\n"
        "    - {claim: department, type: STRING_ARRAY, operator: CONTAINS_ANY, values: [a]}\n",
        "environments/dev.yaml:20:7: authorizer.custom_claims[0]: no client's tokens satisfy it: "
        "gateway-client emits department as a string, but the rule has type STRING_ARRAY (use "
        "type STRING with EQUALS, or emit a list); change the claim under "
        "cognito.clients[].claims or the rule",
    ),
    (
        "allowed-scope-no-client-holds",
        edit(WITH_CLAIMS, "scopes: [read, write]\n      claims", "scopes: [read]\n      claims")
        + "authorizer:\n  allowed_scopes: [gateway-resource-server/write]\n",
        "environments/dev.yaml:19:20: authorizer.allowed_scopes[0]: no client is granted "
        "'gateway-resource-server/write' (gateway-client); grant it under "
        "cognito.clients[].scopes or remove it",
    ),
    (
        "auth0-restricted-claim",
        edit(
            AUTH0,
            '      scopes: ["invoke:gateway"]\n',
            '      scopes: ["invoke:gateway"]\n      claims: {groups: [a]}\n',
        ),
        "environments/dev.yaml:14:16: auth0.clients[0].claims.groups: claim 'groups' is "
        "restricted by Auth0 (it would be left out of the token silently): use another name, "
        "e.g. a namespaced 'https://example.com/groups'",
    ),
]


@pytest.mark.parametrize(
    ("case", "content", "expected"), CLAIM_CASES, ids=[c[0] for c in CLAIM_CASES]
)
def test_claims_bad_input_is_one_line(project, capsys, case, content, expected):
    (project / "environments" / "dev.yaml").write_text(content)
    code = main(["validate", "dev"])
    captured = capsys.readouterr()
    assert code == 1, captured
    assert captured.err.strip().splitlines() == [expected]
    assert captured.out == ""


def test_one_client_must_pass_every_rule_together(project, capsys):
    """Each rule is met by some client, but no one client meets them all."""
    content = edit(
        WITH_CLAIMS,
        "        groups: [admins, ops]\n",
        "        groups: [admins, ops]\n    - name: reader\n      scopes: [read]\n"
        "      claims: {team: blue}\n",
    ) + (
        "authorizer:\n  custom_claims:\n    - {claim: department, value: engineering}\n"
        "    - {claim: team, value: blue}\n"
    )
    (project / "environments" / "dev.yaml").write_text(content)
    assert main(["validate", "dev"]) == 1
    assert capsys.readouterr().err.strip().splitlines() == [
        "environments/dev.yaml:23:5: authorizer.custom_claims: no one client's tokens pass every "
        "rule together (the Gateway checks them all): reader fails custom_claims[0]; "
        "gateway-client fails custom_claims[1]; give one client everything under "
        "cognito.clients[]"
    ]


def test_claims_that_meet_the_rules_validate(project, capsys):
    content = WITH_CLAIMS + (
        "authorizer:\n  allowed_scopes: [gateway-resource-server/read]\n  custom_claims:\n"
        "    - {claim: department, value: engineering}\n"
        "    - {claim: groups, type: STRING_ARRAY, operator: CONTAINS, value: admins}\n"
        "    - {claim: groups, type: STRING_ARRAY, operator: CONTAINS_ANY, values: [x, ops]}\n"
    )
    (project / "environments" / "dev.yaml").write_text(content)
    assert main(["validate", "dev"]) == 0, capsys.readouterr().err
