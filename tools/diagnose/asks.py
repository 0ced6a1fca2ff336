"""What the diagnosis says about its own input: keywords it does not know, and the token it needs.

An unknown ``keyword`` is a hint, never an error: a close spelling is taken as the known keyword,
anything else is dropped and noted, and the diagnosis goes on from the other fields. A 401 (or a
JWT scope 403) reported without the token or its claims cannot tell audience, issuer, expiry and
header apart: the JWT rules stay below the conclusive level and the next check asks for them.
"""

from __future__ import annotations

from difflib import get_close_matches

from .model import Facts, Symptom
from .rules_auth_helpers import auth_of

KEYWORDS = (
    "cors",
    "timeout",
    "no-logs",
    "stale-deploy",
    "stale-data",
    "throttle",
    "expired",
    "wrong-response",
    "binary-corruption",
    "websocket-disconnect",
    "websocket-no-reply",
)
CLAIMS_QUESTION = (
    "pass the failing request's token as `token` (decoded locally, never stored or echoed) or its "
    "claims as `claims`: audience, issuer, expiry and scopes are then checked instead of guessed"
)
_TOKEN_AUTH = ("JWT", "COGNITO_USER_POOLS")


def known_keyword(symptom: Symptom) -> tuple[Symptom, str]:
    """The symptom with a keyword the rules know (or none), and a note when the given one was not."""
    given = (symptom.keyword or "").strip().lower()
    if not given or given in KEYWORDS:
        return symptom.model_copy(update={"keyword": given or None}), ""
    near = get_close_matches(given, KEYWORDS, n=1, cutoff=0.8)
    shown = repr(given[:40])
    if near:
        return symptom.model_copy(update={"keyword": near[0]}), f"keyword {shown} taken as {near[0]!r}"
    note = f"keyword {shown} is not one I know ({', '.join(KEYWORDS)}); diagnosed from the other fields"
    return symptom.model_copy(update={"keyword": None}), note


def token_ask(facts: Facts, symptom: Symptom) -> str | None:
    """The request for the token when a token authorizer refused it and neither token nor claims came."""
    if symptom.claims is not None and (symptom.claims.payload or symptom.claims.header):
        return None
    found = auth_of(facts)
    auth, scopes = (found.type, bool(found.scopes)) if found else (None, False)
    if symptom.status == 401 and (auth in _TOKEN_AUTH or (auth is None and _any_token_authorizer(facts))):
        return CLAIMS_QUESTION
    if symptom.status == 403 and auth in _TOKEN_AUTH and scopes:
        return CLAIMS_QUESTION
    return None


def _any_token_authorizer(facts: Facts) -> bool:
    kinds = {str(a.get("AuthorizerType") or a.get("type") or "") for a in facts.authorizers}
    return bool(kinds & set(_TOKEN_AUTH))
