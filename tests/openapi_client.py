"""A generic client for the management API, driven by the served OpenAPI document.

It knows no URL of ours: it reads /api/2.0/openapi.json (the one address a user
is given), finds each operation by its operationId, fills in the path template,
and checks every request and response against the document (openapi-core), so a
test that uses it also proves the document describes what the server does.
"""

import json as jsonlib
import warnings

from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse

DOCUMENT_URL = "/api/2.0/openapi.json"
METHODS = ("get", "put", "patch", "post", "delete")
HOST = "http://testserver"
JSON_MEDIA_TYPES = ("application/problem+json", "application/merge-patch+json")


class OpenApiClient:
    def __init__(self, client, token: str | None = None):
        self.client = client
        self.token = token
        self.document = client.get(DOCUMENT_URL).json()
        # from_dict validates the document itself (OpenAPI 3.1 meta-schema).
        json_types = dict.fromkeys(JSON_MEDIA_TYPES, jsonlib.loads)
        self.openapi = OpenAPI.from_dict(
            self.document, config=Config(extra_media_type_deserializers=json_types)
        )
        self.base = self.document["servers"][0]["url"]
        self.operations = {
            operation["operationId"]: (method, path)
            for path, item in self.document["paths"].items()
            for method, operation in item.items()
            if method in METHODS
        }

    def with_token(self, token):
        other = object.__new__(OpenApiClient)
        other.__dict__.update(self.__dict__, token=token)
        return other

    def __call__(
        self, operation_id, *, json=None, multipart=None, query=None, headers=None, check_request=True, **path
    ):
        method, template = self.operations[operation_id]
        url = self.base + template.format(**path)
        headers = dict(headers or {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        kwargs = {"headers": headers}
        if multipart is not None:
            response = self.client.post(url, multipart, **kwargs)
            body, content_type = b"", "multipart/form-data"
            check_request = False  # the multipart body is Django's encoding; the JSON form is checked
        elif json is not None:
            content_type = headers.pop("Content-Type", "application/json")
            body = jsonlib.dumps(json).encode()
            response = getattr(self.client, method)(url, body, content_type=content_type, **kwargs)
        else:
            body, content_type = b"", "application/json"
            response = getattr(self.client, method)(url, query or {}, **kwargs)
        request = MockRequest(
            HOST,
            method,
            url,
            path_pattern=self.base + template,
            args=query or {},
            view_args={name: str(value) for name, value in path.items()},
            headers=headers,
            data=body,
            content_type=content_type,
        )
        if check_request:
            with warnings.catch_warnings():
                # openapi-core checks bearer schemes only; the oauth2 alternative is the server's to check.
                warnings.filterwarnings("ignore", "Unsupported scheme type", UserWarning)
                self.openapi.validate_request(request)
        self.openapi.validate_response(
            request,
            MockResponse(
                response.content,
                status_code=response.status_code,
                headers=dict(response.headers),
                content_type=response.headers.get("Content-Type", "").split(";")[0] or None,
            ),
        )
        return response
