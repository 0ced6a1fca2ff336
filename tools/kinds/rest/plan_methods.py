"""One method of a REST API: the method, its integration, then method and integration responses (pure).

A new method is one diff row (its label names backend and auth); a changed one gets a row per field.
Responses are matched by status code; a method response goes only after its integration response.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apigw_mcp.tools.engine.plan_builder import Builder
from apigw_mcp.tools.kinds.rest.live import lambda_invocation_uri
from apigw_mcp.tools.kinds.rest.plan_patch import entries, patch_operations
from apigw_mcp.tools.kinds.rest.spec import (
    DEFAULT_PASSTHROUGH,
    DEFAULT_TIMEOUT_MS,
    IntegrationResponseSpec,
    MethodResponseSpec,
    RestIntegrationSpec,
    RestMethodSpec,
)

SERVICE = "apigateway"


@dataclass(frozen=True)
class Ids:
    """Where a method's references point: live ids or ``${step}`` placeholders, by natural key."""

    api: str
    resources: dict[str, str]
    authorizers: dict[str, str]
    validators: dict[str, str]
    partition: str = "aws"


def integration_params(spec: RestIntegrationSpec, partition: str) -> dict[str, Any]:
    params: dict[str, Any] = {"type": spec.type}
    if spec.integration_http_method:
        params["integrationHttpMethod"] = spec.integration_http_method
    if spec.function_arn:
        params["uri"] = lambda_invocation_uri(spec.function_arn, spec.function_arn.split(":")[3], partition)
    elif spec.uri:
        params["uri"] = spec.uri
    optional = {
        "credentials": spec.credentials,
        "requestParameters": dict(spec.request_parameters),
        "requestTemplates": dict(spec.request_templates),
        "contentHandling": spec.content_handling,
        "cacheKeyParameters": list(spec.cache_key_parameters),
        "passthroughBehavior": spec.passthrough_behavior
        if spec.passthrough_behavior != DEFAULT_PASSTHROUGH
        else None,
        "timeoutInMillis": spec.timeout_ms if spec.timeout_ms != DEFAULT_TIMEOUT_MS else None,
    }
    return params | {k: v for k, v in optional.items() if v}


class MethodPlan:
    """The steps for one method: the method, its integration, then responses (deletes last)."""

    def __init__(self, b: Builder, key: str, n: str, where: dict[str, str], ids: Ids) -> None:
        self.b, self.key, self.n, self.where, self.ids = b, key, n, where, ids
        self.new = False

    def _added(self, resource: str, after: Any) -> None:
        """A '+' row, left out for the parts of a new method: its own row's label already says them."""
        if not self.new:
            self.b.change("+", resource, "", None, after)

    def run(self, before: RestMethodSpec | None, spec: RestMethodSpec) -> None:
        self.new = before is None
        if before is None:
            self.b.add(
                f"m{self.n}",
                SERVICE,
                "put_method",
                "create",
                f"method {self.key}",
                {**self.where, **self._method_params(spec)},
            )
            self.b.change("+", f"method {self.key}", "", None, spec.label())
        elif before.model_copy(update={"integration": None, "responses": []}) != spec.model_copy(
            update={"integration": None, "responses": []}
        ):
            ops = patch_operations(
                self._method_view(before),
                self._method_view(spec),
                {"/authorizationScopes": (set(before.scopes), set(spec.scopes))},
            )
            self.b.add(
                f"m{self.n}",
                SERVICE,
                "update_method",
                "update",
                f"method {self.key}",
                {**self.where, "patchOperations": ops},
            )
            self.b.changes(
                f"method {self.key}",
                before.model_dump(exclude={"integration", "responses"}),
                spec.model_dump(exclude={"integration", "responses"}),
            )
        old_integration = before.integration if before else None
        replaced = self._integration(old_integration, spec.integration)
        old_responses = [] if replaced or old_integration is None else old_integration.responses
        self._method_responses_first(before.responses if before else [], spec.responses)
        new_responses = spec.integration.responses if spec.integration else []
        self._integration_responses(old_responses, new_responses)
        self._method_responses_last(before.responses if before else [], spec.responses)

    def _method_params(self, spec: RestMethodSpec) -> dict[str, Any]:
        params: dict[str, Any] = {"authorizationType": spec.authorization}
        optional = {
            "authorizerId": self.ids.authorizers.get(spec.authorizer, spec.authorizer)
            if spec.authorizer
            else None,
            "apiKeyRequired": spec.api_key_required,
            "requestParameters": dict(spec.request_parameters),
            "requestModels": dict(spec.request_models),
            "requestValidatorId": self._validator_id(spec),
            "authorizationScopes": list(spec.scopes),
        }
        return params | {k: v for k, v in optional.items() if v}

    def _validator_id(self, spec: RestMethodSpec) -> str | None:
        name = spec.request_validator
        return self.ids.validators.get(name, name) if name else None

    def _method_view(self, spec: RestMethodSpec) -> dict[str, str]:
        authorizer = self.ids.authorizers.get(spec.authorizer, spec.authorizer) if spec.authorizer else ""
        return {
            "/authorizationType": spec.authorization,
            # cleared explicitly ("" as Terraform sends it): AWS keeps the id when the type goes to NONE
            "/authorizerId": authorizer,
            "/apiKeyRequired": str(spec.api_key_required).lower(),
            "/requestValidatorId": self._validator_id(spec) or "",
            **entries("/requestParameters", spec.request_parameters),
            **entries("/requestModels", spec.request_models),
        }

    def _integration(self, before: RestIntegrationSpec | None, spec: RestIntegrationSpec | None) -> bool:
        """Plans the integration; True when it is put anew (its old responses are gone then)."""
        if spec is None or before == spec:
            return False
        core: dict[str, Any] = {"responses": []}
        if before is not None and before.model_copy(update=core) == spec.model_copy(update=core):
            return False
        label = f"integration {self.key}"
        if before is None or before.type != spec.type:
            self.b.add(
                f"i{self.n}",
                SERVICE,
                "put_integration",
                "create",
                label,
                {**self.where, **integration_params(spec, self.ids.partition)},
            )
            if before is None:
                self._added(label, spec.label())
            else:
                self.b.change("-/+", label, "", before.label(), spec.label())
            return True
        ops = patch_operations(
            self._integration_view(before),
            self._integration_view(spec),
            {"/cacheKeyParameters": (set(before.cache_key_parameters), set(spec.cache_key_parameters))},
        )
        self.b.add(
            f"i{self.n}",
            SERVICE,
            "update_integration",
            "update",
            label,
            {**self.where, "patchOperations": ops},
        )
        self.b.changes(
            label, before.model_dump(exclude={"responses"}), spec.model_dump(exclude={"responses"})
        )
        return False

    def _integration_view(self, spec: RestIntegrationSpec) -> dict[str, str]:
        params = integration_params(spec, self.ids.partition)
        view = {f"/{k}": str(params.get(k) or "") for k in ("uri", "credentials", "contentHandling")}
        return {
            **view,
            "/httpMethod": spec.integration_http_method or "",
            "/timeoutInMillis": str(spec.timeout_ms),
            "/passthroughBehavior": spec.passthrough_behavior,
            **entries("/requestParameters", spec.request_parameters),
            **entries("/requestTemplates", spec.request_templates),
        }

    def _method_responses_first(
        self, before: list[MethodResponseSpec], after: list[MethodResponseSpec]
    ) -> None:
        """New method responses, and what changed ones gain: before integration responses map to them."""
        old = {r.status_code: r for r in before}
        for spec in sorted(after, key=lambda r: r.status_code):
            code, label = spec.status_code, f"method response {self.key} {spec.status_code}"
            if code not in old:
                params: dict[str, Any] = {**self.where, "statusCode": code}
                if spec.response_parameters:
                    params["responseParameters"] = dict(spec.response_parameters)
                if spec.response_models:
                    params["responseModels"] = dict(spec.response_models)
                self.b.add(f"mr{self.n}_{code}", SERVICE, "put_method_response", "create", label, params)
                self._added(label, spec.model_dump(exclude={"status_code"}, exclude_defaults=True) or None)
            elif old[code] != spec:
                self.b.changes(label, old[code].model_dump(), spec.model_dump())
                self._patch_method_response(code, old[code], spec, removals=False)

    def _method_responses_last(
        self, before: list[MethodResponseSpec], after: list[MethodResponseSpec]
    ) -> None:
        """What changed method responses lose, and those that go: after integration responses stop mapping."""
        new = {r.status_code: r for r in after}
        for spec in sorted(before, key=lambda r: r.status_code):
            code, label = spec.status_code, f"method response {self.key} {spec.status_code}"
            if code in new:
                self._patch_method_response(code, spec, new[code], removals=True)
                continue
            params = {**self.where, "statusCode": code}
            self.b.add(f"del_mr{self.n}_{code}", SERVICE, "delete_method_response", "delete", label, params)
            self.b.change("-", label)

    def _patch_method_response(
        self, code: str, before: MethodResponseSpec, after: MethodResponseSpec, removals: bool
    ) -> None:
        ops = patch_operations(_method_response_view(before), _method_response_view(after))
        ops = [o for o in ops if (o["op"] == "remove") == removals]
        if ops:
            step = f"mr{self.n}_{code}" + ("_rm" if removals else "")
            params = {**self.where, "statusCode": code, "patchOperations": ops}
            label = f"method response {self.key} {code}"
            self.b.add(step, SERVICE, "update_method_response", "update", label, params)

    def _integration_responses(
        self, before: list[IntegrationResponseSpec], after: list[IntegrationResponseSpec]
    ) -> None:
        old = {r.status_code: r for r in before}
        new = {r.status_code: r for r in after}
        for code, spec in sorted(new.items()):
            label = f"integration response {self.key} {code}"
            if code not in old:
                self.b.add(
                    f"ir{self.n}_{code}",
                    SERVICE,
                    "put_integration_response",
                    "create",
                    label,
                    {**self.where, **_integration_response_params(spec)},
                )
                self._added(label, spec.model_dump(exclude={"status_code"}, exclude_defaults=True) or None)
            elif old[code] != spec:
                ops = patch_operations(
                    _integration_response_view(old[code]), _integration_response_view(spec)
                )
                self.b.add(
                    f"ir{self.n}_{code}",
                    SERVICE,
                    "update_integration_response",
                    "update",
                    label,
                    {**self.where, "statusCode": code, "patchOperations": ops},
                )
                self.b.changes(label, old[code].model_dump(), spec.model_dump())
        for code in sorted(set(old) - set(new)):
            label = f"integration response {self.key} {code}"
            self.b.add(
                f"del_ir{self.n}_{code}",
                SERVICE,
                "delete_integration_response",
                "delete",
                label,
                {**self.where, "statusCode": code},
            )
            self.b.change("-", label)


def _integration_response_params(spec: IntegrationResponseSpec) -> dict[str, Any]:
    optional = {
        "selectionPattern": spec.selection_pattern,
        "responseParameters": dict(spec.response_parameters),
        "responseTemplates": dict(spec.response_templates),
    }
    return {"statusCode": spec.status_code} | {k: v for k, v in optional.items() if v}


def _method_response_view(spec: MethodResponseSpec) -> dict[str, str]:
    return {
        **entries("/responseParameters", spec.response_parameters),
        **entries("/responseModels", spec.response_models),
    }


def _integration_response_view(spec: IntegrationResponseSpec) -> dict[str, str]:
    return {
        "/selectionPattern": spec.selection_pattern or "",
        **entries("/responseParameters", spec.response_parameters),
        **entries("/responseTemplates", spec.response_templates),
    }
