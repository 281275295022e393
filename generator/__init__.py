"""authgen: declarative inbound OAuth for Amazon Bedrock AgentCore Gateway.

One YAML spec per environment -> a Terraform root module built on the
modules in ``modules/`` -> ``terraform plan/apply`` -> the ``CUSTOM_JWT``
authorizer JSON that CreateGateway / UpdateGateway take.
"""

__version__ = "0.1.0"
