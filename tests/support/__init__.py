"""Helpers shared by the test suite (servers, Terraform CLI config)."""
