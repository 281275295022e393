# Claims in access tokens (clients[].claims / list_claims): a pre token
# generation trigger, event version V3_0 (the one Cognito sends for
# client_credentials tokens; ESSENTIALS or PLUS feature plan). Created only
# when some client has claims.
#
# Order: role -> function -> user pool (its lambda_config names the function)
# -> app clients. The function therefore cannot know the client ids when it
# is created: it gets the claims by client *name* (CLAIMS_BY_CLIENT) and asks
# DescribeUserPoolClient for the name of the id Cognito sends (allowed on this
# pool only, by the role policy, which is created after the pool).

locals {
  claims_by_client = {
    for c in var.clients : c.name => { claims = c.claims, list_claims = c.list_claims }
    if length(c.claims) + length(c.list_claims) > 0
  }
  claims_enabled = length(local.claims_by_client) > 0
  trigger_name   = coalesce(var.trigger_name, "${substr(var.domain_prefix, 0, 56)}-claims")
  trigger_zip    = "${path.module}/trigger/pre-token-generation.zip"
}

resource "aws_iam_role" "this" {
  count = local.claims_enabled ? 1 : 0

  name        = local.trigger_name
  description = "Pre token generation trigger of user pool ${var.user_pool_name}: adds clients[].claims to access tokens."
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  tags = var.tags
}

resource "aws_cloudwatch_log_group" "this" {
  count = local.claims_enabled ? 1 : 0

  name              = "/aws/lambda/${local.trigger_name}"
  retention_in_days = 30

  tags = var.tags
}

resource "aws_lambda_function" "this" {
  count = local.claims_enabled ? 1 : 0

  function_name    = local.trigger_name
  description      = "Adds clients[].claims to the access tokens of user pool ${var.user_pool_name} (pre token generation, V3_0)."
  role             = aws_iam_role.this[0].arn
  runtime          = "python3.13"
  handler          = "handler.handler"
  filename         = local.trigger_zip
  source_code_hash = filebase64sha256(local.trigger_zip)
  # Cognito waits at most 5 seconds for a trigger.
  timeout     = 5
  memory_size = 128

  environment {
    variables = {
      CLAIMS_BY_CLIENT = jsonencode(local.claims_by_client)
    }
  }

  tags = var.tags

  # The function writes to its own log group, never to one Lambda makes.
  depends_on = [aws_cloudwatch_log_group.this]
}

# What the function may do: write its logs, and read the names of this
# pool's app clients.
resource "aws_iam_role_policy" "this" {
  count = local.claims_enabled ? 1 : 0

  name = "pre-token-generation"
  role = aws_iam_role.this[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.this[0].arn}:*"
      },
      {
        Effect   = "Allow"
        Action   = "cognito-idp:DescribeUserPoolClient"
        Resource = aws_cognito_user_pool.this.arn
      },
    ]
  })
}

resource "aws_lambda_permission" "this" {
  count = local.claims_enabled ? 1 : 0

  statement_id  = "CognitoPreTokenGeneration"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this[0].function_name
  principal     = "cognito-idp.amazonaws.com"
  source_arn    = aws_cognito_user_pool.this.arn
}
