"""Governance's models, one module per subject."""

from governance.models.charter import CharterVersion
from governance.models.rule import Rule, RuleVersion

__all__ = ["CharterVersion", "Rule", "RuleVersion"]
