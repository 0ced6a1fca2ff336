"""Troubleshooting engine: match a failing request to what would serve it, then rank causes on evidence.

Rules are data (``rules.yaml``: ids, symptoms, causes, fixes, redeploy needs; the
project's copy is the source of truth) plus small predicates over the gathered
facts, registered by rule id in the ``rules_*`` modules.
"""
