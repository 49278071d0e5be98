#!/usr/bin/env python3
"""A small in-memory emulator of the Kubernetes API for tests.

One plain-HTTP API server per cluster on 127.0.0.1 (ephemeral ports), each with its own
state, plus a control listener for tests. Writes a kubeconfig the real kubectl uses.
See README.md next to this file.
"""
import argparse
import base64
import copy
import datetime
import itertools
import json
import os
import re
import select
import signal
import socket
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

KUBE_VERSION = {
    "major": "1", "minor": "32", "gitVersion": "v1.32.2",
    "gitCommit": "67a30c0adcf52bd3f56ff0893ce19966be12991f", "gitTreeState": "clean",
    "buildDate": "2025-02-12T21:19:47Z", "goVersion": "go1.23.6", "compiler": "gc", "platform": "linux/amd64",
}
ALL_VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
SA_TOKEN_TYPE = "kubernetes.io/service-account-token"
DEFAULT_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")
FAKE_CA = b"-----BEGIN CERTIFICATE-----\nZW11bGF0b3ItY2E=\n-----END CERTIFICATE-----\n"
RESOURCE_VERSIONS = itertools.count(1)


# ---------------------------------------------------------------- errors

class ApiError(Exception):
    """An error the API server answers with a Status object."""

    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details

    def status(self):
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": self.message, "reason": self.reason}
        if self.details is not None:
            body["details"] = self.details
        body["code"] = self.code
        return body


def details(resource, name):
    out = {"name": name}
    if resource.group:
        out["group"] = resource.group
    out["kind"] = resource.plural
    return out


def not_found(resource, name):
    return ApiError(404, "NotFound", f'{resource.qualified} "{name}" not found', details(resource, name))


def already_exists(resource, name):
    return ApiError(409, "AlreadyExists", f'{resource.qualified} "{name}" already exists', details(resource, name))


def conflict(resource, name):
    return ApiError(409, "Conflict", f'Operation cannot be fulfilled on {resource.qualified} "{name}": the object '
                    "has been modified; please apply your changes to the latest version and try again",
                    details(resource, name))


def bad_request(message):
    return ApiError(400, "BadRequest", message)


def invalid(resource, name, field, value, detail):
    message = f'{resource.kind} "{name}" is invalid: {field}: Invalid value: {json.dumps(value)}: {detail}'
    return ApiError(422, "Invalid", message, dict(details(resource, name), kind=resource.kind,
                    causes=[{"reason": "FieldValueInvalid", "message": f"Invalid value: {json.dumps(value)}: {detail}",
                             "field": field}]))


def resource_not_found():
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


# ---------------------------------------------------------------- resource types

@dataclass(frozen=True)
class Resource:
    group: str
    versions: tuple
    plural: str
    singular: str
    kind: str
    namespaced: bool
    short_names: tuple = ()
    subresources: tuple = ()

    @property
    def qualified(self):
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def api_version(self, version):
        return f"{self.group}/{version}" if self.group else version


BUILTIN_RESOURCES = (
    Resource("", ("v1",), "namespaces", "namespace", "Namespace", False, ("ns",), ("status",)),
    Resource("", ("v1",), "secrets", "secret", "Secret", True),
    Resource("", ("v1",), "configmaps", "configmap", "ConfigMap", True, ("cm",)),
    Resource("", ("v1",), "pods", "pod", "Pod", True, ("po",), ("status",)),
    Resource("", ("v1",), "services", "service", "Service", True, ("svc",), ("status",)),
    Resource("", ("v1",), "serviceaccounts", "serviceaccount", "ServiceAccount", True, ("sa",)),
    Resource("apps", ("v1",), "deployments", "deployment", "Deployment", True, ("deploy",), ("status",)),
    Resource("rbac.authorization.k8s.io", ("v1",), "clusterroles", "clusterrole", "ClusterRole", False),
    Resource("rbac.authorization.k8s.io", ("v1",), "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", False),
    Resource("apiextensions.k8s.io", ("v1",), "customresourcedefinitions", "customresourcedefinition",
             "CustomResourceDefinition", False, ("crd", "crds"), ("status",)),
)
# What the API server puts in status on create (the status of other resources starts empty).
INITIAL_STATUS = {"namespaces": {"phase": "Active"}, "pods": {"phase": "Pending"},
                  "services": {"loadBalancer": {}}}


def version_priority(version):
    """Kubernetes' version order: GA before beta before alpha, higher numbers first."""
    match = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", version)
    if not match:
        return (3, 0, 0, version)
    stage = {None: 0, "beta": 1, "alpha": 2}[match.group(2)]
    return (stage, -int(match.group(1)), -int(match.group(3) or 0), version)


def crd_resource(crd):
    spec = crd.get("spec", {})
    names = spec.get("names", {})
    served = [v["name"] for v in spec.get("versions", []) if v.get("served", True) and "name" in v]
    subresources = ("status",) if any("status" in (v.get("subresources") or {}) for v in spec.get("versions", [])) else ()
    return Resource(spec.get("group", ""), tuple(sorted(served, key=version_priority)), names.get("plural", ""),
                    names.get("singular", names.get("kind", "").lower()), names.get("kind", ""),
                    spec.get("scope", "Namespaced") == "Namespaced", tuple(names.get("shortNames", [])), subresources)


def api_resource_entry(resource):
    entries = [{"name": resource.plural, "singularName": resource.singular, "namespaced": resource.namespaced,
                "kind": resource.kind, "verbs": ALL_VERBS}]
    if resource.short_names:
        entries[0]["shortNames"] = list(resource.short_names)
    for sub in resource.subresources:
        entries.append({"name": f"{resource.plural}/{sub}", "singularName": "", "namespaced": resource.namespaced,
                        "kind": resource.kind, "verbs": ["get", "patch", "update"]})
    return entries


# ---------------------------------------------------------------- selectors

def split_terms(selector):
    return [t.strip() for t in re.split(r",(?![^()]*\))", selector or "") if t.strip()]


def label_term_matches(term, labels):
    match = re.fullmatch(r"([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)", term)
    if match:
        values = {v.strip() for v in match.group(3).split(",")}
        found = match.group(1) in labels and labels[match.group(1)] in values
        return found if match.group(2) == "in" else not found
    match = re.fullmatch(r"([^\s!=]+)\s*(==|=|!=)\s*([^\s]*)", term)
    if match:
        key, op, value = match.groups()
        return (labels.get(key) == value) == (op != "!=")
    if term.startswith("!"):
        return term[1:].strip() not in labels
    if re.fullmatch(r"[^\s!=()]+", term):
        return term in labels
    raise bad_request(f"unable to parse requirement: invalid label selector term {term!r}")


def field_value(obj, path):
    value = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return "" if value is None else str(value)


def field_term_matches(term, obj):
    match = re.fullmatch(r"([A-Za-z.]+)\s*(==|=|!=)\s*(.*)", term)
    if not match:
        raise bad_request(f"invalid selector: '{term}'; can't understand '{term}'")
    path, op, value = match.groups()
    return (field_value(obj, path) == value) == (op != "!=")


def selected(obj, label_selector, field_selector):
    labels = obj.get("metadata", {}).get("labels") or {}
    return (all(label_term_matches(t, labels) for t in split_terms(label_selector))
            and all(field_term_matches(t, obj) for t in split_terms(field_selector)))


# ---------------------------------------------------------------- patches

def merge_patch(target, patch, strategic):
    """RFC 7386 merge patch. With strategic, directive keys ($...) are dropped and lists of
    named maps are merged by name, which covers what kubectl's strategic patches here do."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if strategic and key.startswith("$"):
            continue
        if value is None:
            result.pop(key, None)
        elif strategic and is_named_list(value) and is_named_list(result.get(key)):
            result[key] = merge_named_lists(result[key], value)
        else:
            result[key] = merge_patch(result.get(key), value, strategic)
    return result


def is_named_list(value):
    return isinstance(value, list) and all(isinstance(v, dict) and "name" in v for v in value)


def merge_named_lists(current, patch):
    merged = {item["name"]: item for item in current}
    for item in patch:
        if item.get("$patch") == "delete":
            merged.pop(item["name"], None)
        else:
            merged[item["name"]] = merge_patch(merged.get(item["name"]), item, True)
    return list(merged.values())


def apply_patch(current, content_type, body):
    try:
        patch = json.loads(body or b"null")
    except ValueError as error:
        raise bad_request(f"error decoding patch: {error}")
    media = content_type.split(";")[0].strip()
    if media not in ("application/merge-patch+json", "application/strategic-merge-patch+json"):
        raise ApiError(415, "UnsupportedMediaType", f"the body of the request was in an unknown format - "
                       f"accepted media types include: application/merge-patch+json, "
                       f"application/strategic-merge-patch+json (emulator: {media} is not supported)")
    if not isinstance(patch, dict):
        raise bad_request("the patch must be a JSON object")
    return merge_patch(current, patch, media == "application/strategic-merge-patch+json")


# ---------------------------------------------------------------- protobuf bodies

# kubectl's typed clients (create namespace, create secret, ...) send protobuf. The fields
# of the kinds they create, by field number (k8s.io/api generated.proto); others are skipped.
PROTO_SCHEMAS = {
    "ObjectMeta": {1: ("name", "string"), 2: ("generateName", "string"), 3: ("namespace", "string"),
                   6: ("resourceVersion", "string"), 11: ("labels", "map"), 12: ("annotations", "map"),
                   14: ("finalizers", "strings")},
    "Namespace": {1: ("metadata", "ObjectMeta"), 2: ("spec", "NamespaceSpec")},
    "NamespaceSpec": {1: ("finalizers", "strings")},
    "Secret": {1: ("metadata", "ObjectMeta"), 2: ("data", "bytesmap"), 3: ("type", "string"),
               4: ("stringData", "map"), 5: ("immutable", "bool")},
    "ConfigMap": {1: ("metadata", "ObjectMeta"), 2: ("data", "map"), 3: ("binaryData", "bytesmap"),
                  4: ("immutable", "bool")},
    "ServiceAccount": {1: ("metadata", "ObjectMeta"), 4: ("automountServiceAccountToken", "bool")},
}


def proto_fields(raw):
    """(field number, value) of a protobuf message: ints for varints, bytes for the rest."""
    position = 0
    while position < len(raw):
        key, position = proto_varint(raw, position)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, position = proto_varint(raw, position)
        elif wire == 2:
            length, position = proto_varint(raw, position)
            value, position = raw[position:position + length], position + length
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            value, position = raw[position:position + size], position + size
        else:
            raise bad_request(f"malformed protobuf body (wire type {wire})")
        yield number, value


def proto_varint(raw, position):
    result = shift = 0
    while True:
        if position >= len(raw):
            raise bad_request("malformed protobuf body (truncated)")
        byte = raw[position]
        result |= (byte & 0x7F) << shift
        position, shift = position + 1, shift + 7
        if not byte & 0x80:
            return result, position


def proto_message(raw, schema):
    obj = {}
    for number, value in proto_fields(raw):
        if number not in PROTO_SCHEMAS[schema]:
            continue
        name, kind = PROTO_SCHEMAS[schema][number]
        if kind == "string":
            if value:
                obj[name] = value.decode()
        elif kind == "bool":
            obj[name] = bool(value)
        elif kind == "strings":
            obj.setdefault(name, []).append(value.decode())
        elif kind in ("map", "bytesmap"):
            entry = dict(proto_fields(value))
            raw_value = entry.get(2, b"")
            obj.setdefault(name, {})[entry.get(1, b"").decode()] = b64(raw_value) if kind == "bytesmap" else raw_value.decode()
        else:
            obj[name] = proto_message(value, kind)
    return obj


def decode_protobuf(raw):
    """A Kubernetes protobuf envelope (magic k8s\\0, runtime.Unknown) as a JSON-like object."""
    if not raw.startswith(b"k8s\x00"):
        raise bad_request("the protobuf body does not start with the Kubernetes magic number")
    unknown = dict(proto_fields(raw[4:]))
    type_meta = dict(proto_fields(unknown.get(1, b"")))
    api_version, kind = type_meta.get(1, b"").decode(), type_meta.get(2, b"").decode()
    if kind not in PROTO_SCHEMAS:
        raise ApiError(415, "UnsupportedMediaType", f"emulator: protobuf bodies of kind {kind!r} are not "
                       "supported; send application/json")
    return dict(proto_message(unknown.get(2, b""), kind), apiVersion=api_version, kind=kind)


# OpenAPI v2 as protobuf (gnostic's openapiv2/OpenAPIv2.proto), for the document openapi_v2 builds.
OPENAPI_V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"


def pb_field(number, value):
    """A length-delimited protobuf field: a string (UTF-8) or an encoded message."""
    raw = value.encode() if isinstance(value, str) else value
    return pb_varint((number << 3) | 2) + pb_varint(len(raw)) + raw


def pb_true(number):
    """A bool field set to true (varint wire type)."""
    return pb_varint(number << 3) + pb_varint(1)


def pb_varint(number):
    out = bytearray()
    while number > 0x7F:
        out.append((number & 0x7F) | 0x80)
        number >>= 7
    return bytes(out + bytes([number]))


def openapi_v2_protobuf(document):
    """Document{swagger 1, info 2 {title 1, version 2}, paths 8 {path 2: {name 1, PathItem 2 {patch 8}}}}."""
    info = pb_field(1, document["info"]["title"]) + pb_field(2, document["info"]["version"])
    paths = b"".join(pb_field(2, pb_field(1, path) + pb_field(2, pb_field(8, openapi_v2_operation(item["patch"]))))
                     for path, item in document["paths"].items())
    return pb_field(1, document["swagger"]) + pb_field(2, info) + pb_field(8, paths)


def openapi_v2_operation(operation):
    """Operation{parameters 8, responses 9, vendor_extension 13}. A query parameter is
    ParametersItem.parameter(1) > Parameter.non_body_parameter(2) > query_parameter_sub_schema(3)
    {in 2, name 4, type 6, unique_items 20}; vendor extensions are NamedAny{name 1, Any{yaml 2}}."""
    out = b""
    for parameter in operation["parameters"]:
        query = (pb_field(2, parameter["in"]) + pb_field(4, parameter["name"]) + pb_field(6, parameter["type"])
                 + pb_true(20))
        out += pb_field(8, pb_field(1, pb_field(2, pb_field(3, query))))
    responses = b"".join(pb_field(1, pb_field(1, code) + pb_field(2, pb_field(1, pb_field(1, r["description"]))))
                         for code, r in operation["responses"].items())
    out += pb_field(9, responses)
    for key, value in operation.items():
        if key.startswith("x-"):
            out += pb_field(13, pb_field(1, key) + pb_field(2, pb_field(2, json.dumps(value) + "\n")))
    return out


# ---------------------------------------------------------------- one cluster's state

def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def meta(obj):
    return obj.setdefault("metadata", {})


def spec_part(obj):
    """Everything but metadata and status: what a change of bumps the generation."""
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


class ClusterState:
    """The objects of one cluster, keyed by (plural, namespace, name); watch events."""

    def __init__(self, name):
        self.name = name
        self.objects = {}
        self.events = []
        self.last_version = 0
        self.cond = threading.Condition()
        self.reset()

    def reset(self):
        """Back to a new cluster: only the namespaces every cluster has."""
        with self.cond:
            for key in list(self.objects):
                self.remove(key)
            for namespace in DEFAULT_NAMESPACES:
                self.create(BUILTIN_RESOURCES[0], None, {"metadata": {"name": namespace}})

    # ----- resource types

    def resources(self):
        crds = [o for (plural, _, _), o in self.objects.items() if plural == "customresourcedefinitions"]
        return list(BUILTIN_RESOURCES) + [crd_resource(c) for c in crds]

    def groups(self):
        """{group: [versions, preferred first]} of every API group but the core one."""
        versions = {}
        for resource in self.resources():
            if resource.group:
                versions.setdefault(resource.group, set()).update(resource.versions)
        return {g: sorted(v, key=version_priority) for g, v in versions.items()}

    def resources_in(self, group, version):
        return [r for r in self.resources() if r.group == group and version in r.versions]

    def resource(self, group, version, plural):
        for resource in self.resources_in(group, version):
            if resource.plural == plural:
                return resource
        raise resource_not_found()

    def resource_for_kind(self, api_version, kind):
        group, _, version = api_version.rpartition("/")
        for resource in self.resources_in(group, version):
            if resource.kind == kind:
                return resource
        raise bad_request(f'no resource of kind "{kind}" in "{api_version}"')

    # ----- reads

    def get(self, resource, namespace, name):
        with self.cond:
            obj = self.objects.get((resource.plural, namespace, name))
            if obj is None:
                raise not_found(resource, name)
            return copy.deepcopy(obj)

    def list(self, resource, namespace, label_selector="", field_selector=""):
        with self.cond:
            items = [copy.deepcopy(o) for (plural, ns, _), o in sorted(self.objects.items())
                     if plural == resource.plural and (namespace is None or ns == namespace)
                     and selected(o, label_selector, field_selector)]
            return items, str(self.last_version)

    # ----- writes

    def create(self, resource, namespace, body, dry_run=False):
        with self.cond:
            obj = self.admit_new(resource, namespace, body)
            key = (resource.plural, namespace, obj["metadata"]["name"])
            if key in self.objects:
                raise already_exists(resource, obj["metadata"]["name"])
            return self.commit(resource, key, obj, "ADDED", dry_run)

    def admit_new(self, resource, namespace, body):
        obj = self.decode(resource, namespace, body)
        metadata = meta(obj)
        if not metadata.get("name") and metadata.get("generateName"):
            metadata["name"] = metadata["generateName"] + uuid.uuid4().hex[:5]
        self.validate_name(resource, metadata.get("name"))
        if resource.namespaced:
            self.require_namespace(namespace)
        for field in ("resourceVersion", "deletionTimestamp"):
            metadata.pop(field, None)
        metadata.update(uid=str(uuid.uuid4()), creationTimestamp=now(), generation=1)
        if resource.plural in INITIAL_STATUS or "status" in resource.subresources:
            obj["status"] = copy.deepcopy(INITIAL_STATUS.get(resource.plural, {}))
        return obj

    def replace(self, resource, namespace, name, body, dry_run=False, subresource=None):
        with self.cond:
            old = self.get(resource, namespace, name)
            obj = self.decode(resource, namespace, body)
            if meta(obj).get("name", name) != name:
                raise bad_request(f'the name of the object ({meta(obj)["name"]}) does not match the name on the URL ({name})')
            version = meta(obj).get("resourceVersion")
            if version and version != old["metadata"]["resourceVersion"]:
                raise conflict(resource, name)
            obj = self.merge_update(resource, old, obj, subresource)
            if obj == old:
                return old
            return self.commit(resource, (resource.plural, namespace, name), obj, "MODIFIED", dry_run)

    def patch(self, resource, namespace, name, content_type, body, dry_run=False, subresource=None):
        with self.cond:
            old = self.get(resource, namespace, name)
            patched = apply_patch(old, content_type, body)
            if not isinstance(patched.get("metadata"), dict):
                raise bad_request("metadata must be an object")
            return self.replace(resource, namespace, name, patched, dry_run, subresource)

    def merge_update(self, resource, old, new, subresource):
        """The stored object after an update: immutable metadata from the old object;
        status only through the status subresource."""
        if subresource == "status":
            merged = copy.deepcopy(old)
            merged["status"] = new.get("status", {})
            return merged
        for field in ("uid", "creationTimestamp", "generation", "resourceVersion", "namespace"):
            if field in old["metadata"]:
                new["metadata"][field] = old["metadata"][field]
        new["metadata"]["name"] = old["metadata"]["name"]
        if "status" in resource.subresources:
            new["status"] = old.get("status", {})
        if spec_part(new) != spec_part(old):
            new["metadata"]["generation"] = old["metadata"].get("generation", 1) + 1
        return new

    def delete(self, resource, namespace, name, dry_run=False):
        with self.cond:
            obj = self.get(resource, namespace, name)
            if not dry_run:
                self.remove((resource.plural, namespace, name))
                for key in [k for k, o in self.objects.items() if dependent(k, o, resource, obj)]:
                    self.remove(key)
            return obj

    def remove(self, key):
        obj = self.objects.pop(key)
        self.record_event("DELETED", key, copy.deepcopy(obj), next(RESOURCE_VERSIONS))

    def commit(self, resource, key, obj, event_type, dry_run):
        self.run_controllers(resource, obj)
        if dry_run:
            return obj
        version = next(RESOURCE_VERSIONS)
        obj["metadata"]["resourceVersion"] = str(version)
        self.objects[key] = obj
        self.record_event(event_type, key, copy.deepcopy(obj), version)
        return copy.deepcopy(obj)

    def record_event(self, event_type, key, obj, version):
        obj["metadata"]["resourceVersion"] = str(version)
        self.last_version = version
        self.events.append((version, event_type, key, obj))
        del self.events[:-10000]
        self.cond.notify_all()

    def put_direct(self, obj):
        """Store an object as given (control API), filling in the metadata a server sets."""
        with self.cond:
            metadata = meta(obj)
            resource = self.resource_for_kind(obj.get("apiVersion", ""), obj.get("kind", ""))
            namespace = metadata.setdefault("namespace", "default") if resource.namespaced else None
            key = (resource.plural, namespace, metadata.get("name", ""))
            old = self.objects.get(key, {}).get("metadata", {})
            metadata.setdefault("uid", old.get("uid", str(uuid.uuid4())))
            metadata.setdefault("creationTimestamp", old.get("creationTimestamp", now()))
            metadata.setdefault("generation", 1)
            return self.commit(resource, key, obj, "MODIFIED" if old else "ADDED", False)

    def delete_direct(self, plural, namespace, name):
        with self.cond:
            key = (plural, namespace, name)
            if key not in self.objects:
                raise ApiError(404, "NotFound", f'{plural} "{name}" not found')
            self.remove(key)

    # ----- admission

    def decode(self, resource, namespace, body):
        if not isinstance(body, dict):
            raise bad_request(f"the body of the request is not a {resource.kind} object")
        obj = copy.deepcopy(body)
        if obj.get("kind", resource.kind) != resource.kind:
            raise bad_request(f'{obj["kind"]} in version "{obj.get("apiVersion")}" cannot be handled as a '
                              f'{resource.kind}: the kind of the object does not match the resource')
        obj["kind"] = resource.kind
        obj["apiVersion"] = obj.get("apiVersion") or resource.api_version(resource.versions[0])
        metadata = meta(obj)
        if not isinstance(metadata, dict):
            raise bad_request("metadata must be an object")
        for field in ("labels", "annotations"):
            values = metadata.get(field) or {}
            if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
                raise bad_request(f"metadata.{field} must map strings to strings")
        if resource.namespaced:
            if metadata.get("namespace", namespace) != namespace:
                raise bad_request("the namespace of the provided object does not match the namespace sent on the request")
            metadata["namespace"] = namespace
        else:
            metadata.pop("namespace", None)
        if resource.plural == "secrets":
            fold_string_data(obj)
        if resource.plural == "namespaces":
            metadata["labels"] = dict(metadata.get("labels") or {}, **{"kubernetes.io/metadata.name": metadata.get("name", "")})
            obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
        return obj

    def validate_name(self, resource, name):
        if not name:
            raise ApiError(422, "Invalid", f'{resource.kind} "" is invalid: metadata.name: Required value: '
                           "name or generateName is required", {"kind": resource.kind})
        if not DNS_SUBDOMAIN.match(name) or len(name) > 253:
            raise invalid(resource, name, "metadata.name", name,
                          "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
                          "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
                          "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")

    def require_namespace(self, namespace):
        if ("namespaces", None, namespace) not in self.objects:
            raise not_found(BUILTIN_RESOURCES[0], namespace)

    # ----- what the cluster's controllers would do, done at once

    def run_controllers(self, resource, obj):
        if resource.plural == "customresourcedefinitions":
            establish_crd(obj)
        elif resource.plural == "secrets" and obj.get("type") == SA_TOKEN_TYPE:
            self.fill_token_secret(obj)
        elif resource.plural == "deployments" and obj.get("status"):
            obj["status"]["observedGeneration"] = obj["metadata"].get("generation", 1)

    def fill_token_secret(self, secret):
        data = secret.setdefault("data", {})
        if "token" not in data:
            account = secret["metadata"].get("annotations", {}).get("kubernetes.io/service-account.name", "")
            token = f"emulator-sa-token.{self.name}.{secret['metadata']['namespace']}.{account}.{uuid.uuid4().hex[:12]}"
            data["token"] = b64(token.encode())
            data["ca.crt"] = b64(FAKE_CA)
            data["namespace"] = b64(secret["metadata"]["namespace"].encode())


def dependent(key, obj, resource, deleted):
    """Whether obj (at key) goes away with the deleted object: the objects of a namespace or
    of a CRD, the pods of a Deployment (what the garbage collector would remove)."""
    if resource.plural == "namespaces":
        return key[1] == deleted["metadata"]["name"]
    if resource.plural == "customresourcedefinitions":
        return key[0] == deleted.get("spec", {}).get("names", {}).get("plural")
    if resource.plural == "deployments":
        selector = (deleted.get("spec", {}).get("selector") or {}).get("matchLabels") or {}
        labels = obj.get("metadata", {}).get("labels") or {}
        return (key[0] == "pods" and key[1] == deleted["metadata"]["namespace"] and bool(selector)
                and all(labels.get(k) == v for k, v in selector.items()))
    return False


def b64(raw):
    return base64.b64encode(raw).decode()


def fold_string_data(secret):
    data = secret.get("data") or {}
    if not isinstance(data, dict):
        raise bad_request('Secret in version "v1" cannot be handled as a Secret: data must be an object')
    for key, value in data.items():
        try:
            base64.b64decode(str(value), validate=True)
        except ValueError:
            raise bad_request(f'Secret in version "v1" cannot be handled as a Secret: illegal base64 data in "{key}"')
    for key, value in (secret.pop("stringData", None) or {}).items():
        data[key] = b64(str(value).encode())
    if data:
        secret["data"] = data
    secret.setdefault("type", "Opaque")


def establish_crd(crd):
    names = crd.get("spec", {}).get("names", {})
    crd["status"] = {
        "acceptedNames": names,
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found",
             "lastTransitionTime": now()},
            {"type": "Established", "status": "True", "reason": "InitialNamesAccepted",
             "message": "the initial names have been accepted", "lastTransitionTime": now()},
        ],
        "storedVersions": [v["name"] for v in crd.get("spec", {}).get("versions", []) if v.get("storage")],
    }


# ---------------------------------------------------------------- HTTP plumbing

class JsonHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def read_body(self):
        try:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    chunks.append(self.rfile.read(size + 2)[:size])
                    if size == 0:
                        return b"".join(chunks)
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length > 0 else b""
        except ValueError:
            self.close_connection = True
            raise bad_request("the request body is framed wrongly (Content-Length or chunk size)")

    def read_json(self):
        if self.headers.get("Content-Type", "").startswith("application/vnd.kubernetes.protobuf"):
            return decode_protobuf(self.body)
        try:
            return json.loads(self.body or b"null")
        except ValueError as error:
            raise bad_request(f"the request body is not JSON: {error}")

    def send_json(self, code, body):
        self.send_body(code, "application/json", json.dumps(body).encode())

    def send_body(self, code, content_type, raw):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def send_chunk(self, raw):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(raw), raw))
        self.wfile.flush()

    def client_gone(self):
        readable, _, _ = select.select([self.connection], [], [], 0)
        return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""

    def dispatch(self, handle):
        """Runs handle, answering its ApiError with a Status. The body is read first, so
        that a request answered early leaves nothing behind on a kept-alive connection."""
        try:
            self.body = self.read_body()
            handle()
        except ApiError as error:
            self.send_json(error.code, error.status())
        except OSError:
            self.close_connection = True
        except Exception as error:  # never let one bad request take the server down
            self.send_json(500, ApiError(500, "InternalError", f"emulator error: {error!r}").status())


# ---------------------------------------------------------------- the API server

def parse_api_path(path):
    """(group, version, rest segments) of /api/v1/... or /apis/G/V/...; None for other paths."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "api":
        return "", parts[1], parts[2:]
    if len(parts) >= 3 and parts[0] == "apis":
        return parts[1], parts[2], parts[3:]
    return None


class ApiHandler(JsonHandler):
    """Serves one cluster's API; self.server.cluster is its ClusterServer."""

    def setup(self):
        super().setup()
        self.server.cluster.track(self.connection, True)

    def finish(self):
        self.server.cluster.track(self.connection, False)
        super().finish()

    def do_GET(self):
        self.serve("GET")

    def do_POST(self):
        self.serve("POST")

    def do_PUT(self):
        self.serve("PUT")

    def do_PATCH(self):
        self.serve("PATCH")

    def do_DELETE(self):
        self.serve("DELETE")

    def serve(self, method):
        cluster = self.server.cluster
        url = urlsplit(self.path)
        cluster.log_request(method, url.path, url.query)
        if cluster.mode == "hang":
            self.hang(cluster)
            return
        self.query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        self.dispatch(lambda: self.route(method, url.path))

    def hang(self, cluster):
        while cluster.mode == "hang" and not self.client_gone():
            cluster.mode_changed.wait(0.2)
        self.close_connection = True

    def route(self, method, path):
        state = self.server.cluster.state
        if method == "GET" and path in ("/version", "/version/"):
            return self.send_json(200, KUBE_VERSION)
        if method == "GET" and path.rstrip("/") == "/openapi/v2":
            return self.send_openapi_v2(state)
        if method == "GET" and (path in ("/api", "/apis", "/openapi/v3") or path.startswith("/openapi/v3/")):
            return self.send_json(200, self.discovery(state, path))
        parsed = parse_api_path(path)
        if parsed is None:
            raise resource_not_found()
        group, version, rest = parsed
        if not rest:
            return self.send_json(200, self.resource_list(state, group, version))
        self.serve_resource(state, method, group, version, rest)

    # ----- discovery

    def discovery(self, state, path):
        if path == "/api":
            address = f"127.0.0.1:{self.server.server_address[1]}"
            return {"kind": "APIVersions", "versions": ["v1"],
                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": address}]}
        if path == "/apis":
            return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                {"name": group, "versions": [{"groupVersion": f"{group}/{v}", "version": v} for v in versions],
                 "preferredVersion": {"groupVersion": f"{group}/{versions[0]}", "version": versions[0]}}
                for group, versions in sorted(state.groups().items())]}
        return openapi_v3(state, path)

    def send_openapi_v2(self, state):
        """JSON, or the protobuf kubectl 1.20 asks for (and needs: it has no JSON fallback). Like the
        API server (http.ServeContent sniffing), protobuf goes out as application/octet-stream:
        Go's mime parser rejects the '@' of the media type kubectl asks for."""
        document = openapi_v2(state)
        if OPENAPI_V2_PROTOBUF in self.headers.get("Accept", ""):
            return self.send_body(200, "application/octet-stream", openapi_v2_protobuf(document))
        self.send_json(200, document)

    def resource_list(self, state, group, version):
        resources = state.resources_in(group, version)
        if not resources:
            raise resource_not_found()
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{group}/{version}".lstrip("/"),
                "resources": [e for r in resources for e in api_resource_entry(r)]}

    # ----- resources

    def serve_resource(self, state, method, group, version, rest):
        resource, namespace, name, subresource = locate(state, group, version, rest)
        dry_run = self.query.get("dryRun") == "All"
        if name is None:
            if method == "GET":
                return self.serve_list(state, resource, namespace, version)
            if method == "POST":
                obj = state.create(resource, namespace, self.read_json(), dry_run)
                return self.send_json(201, as_version(obj, resource, version))
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        if method == "GET":
            return self.send_json(200, as_version(state.get(resource, namespace, name), resource, version))
        if method == "PUT":
            obj = state.replace(resource, namespace, name, self.read_json(), dry_run, subresource)
        elif method == "PATCH":
            obj = state.patch(resource, namespace, name, self.headers.get("Content-Type", ""), self.body,
                              dry_run, subresource)
        elif method == "DELETE":
            options = self.read_json()
            dry_run = dry_run or isinstance(options, dict) and "All" in (options.get("dryRun") or [])
            obj = state.delete(resource, namespace, name, dry_run)
        else:
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        self.send_json(200, as_version(obj, resource, version))

    def serve_list(self, state, resource, namespace, version):
        labels, fields = self.query.get("labelSelector", ""), self.query.get("fieldSelector", "")
        if self.query.get("watch") in ("true", "1"):
            return self.serve_watch(state, resource, namespace, version, labels, fields)
        items, list_version = state.list(resource, namespace, labels, fields)
        self.send_json(200, {"kind": f"{resource.kind}List", "apiVersion": resource.api_version(version),
                             "metadata": {"resourceVersion": list_version},
                             "items": [as_version(o, resource, version) for o in items]})

    def query_int(self, name, default):
        try:
            return int(self.query.get(name) or default)
        except ValueError:
            raise bad_request(f"{name} must be an integer")

    def serve_watch(self, state, resource, namespace, version, labels, fields):
        """Streams watch events (chunked JSON lines) until timeoutSeconds, the client leaves,
        or the cluster stops serving normally."""
        since = self.query_int("resourceVersion", 0)
        deadline = time.monotonic() + self.query_int("timeoutSeconds", 1800)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.close_connection = True
        if since == 0:
            items, list_version = state.list(resource, namespace, labels, fields)
            for obj in items:
                self.send_event("ADDED", as_version(obj, resource, version))
            since = int(list_version)
        self.stream_events(state, resource, namespace, version, labels, fields, since, deadline)
        self.send_chunk(b"")

    def stream_events(self, state, resource, namespace, version, labels, fields, since, deadline):
        while time.monotonic() < deadline and not self.client_gone() and self.server.cluster.mode == "up":
            with state.cond:
                pending = [e for e in state.events if e[0] > since]
                if not pending:
                    state.cond.wait(0.5)
                    continue
            for event_version, event_type, (plural, ns, _), obj in pending:
                since = event_version
                if plural == resource.plural and namespace in (None, ns) and selected(obj, labels, fields):
                    self.send_event(event_type, as_version(obj, resource, version))

    def send_event(self, event_type, obj):
        self.send_chunk(json.dumps({"type": event_type, "object": obj}).encode() + b"\n")


def locate(state, group, version, rest):
    """(resource, namespace, name, subresource) of the segments after /api/v1 or /apis/G/V."""
    if len(rest) >= 3 and rest[0] == "namespaces" and rest[2] not in ("status", "finalize"):
        namespace, rest = rest[1], rest[2:]
        resource = state.resource(group, version, rest[0])
        if not resource.namespaced:
            raise resource_not_found()
    else:
        namespace = None
        resource = state.resource(group, version, rest[0])
    if len(rest) > 3 or (namespace is None and resource.namespaced and len(rest) > 1):
        raise resource_not_found()
    subresource = rest[2] if len(rest) == 3 else None
    if subresource is not None and subresource not in resource.subresources:
        raise resource_not_found()
    return resource, namespace, rest[1] if len(rest) > 1 else None, subresource


def as_version(obj, resource, version):
    obj["apiVersion"] = resource.api_version(version)
    obj["kind"] = resource.kind
    return obj


def openapi_v2(state):
    """Just enough OpenAPI v2 for kubectl 1.20, which downloads it before apply, replace and
    create --dry-run=server: a PATCH operation per resource declaring the dryRun parameter
    (what its dry-run check looks for). No definitions, so kubectl validates nothing itself."""
    paths = {openapi_path(r, v): {"patch": openapi_v2_patch(r, v)} for r in state.resources() for v in r.versions}
    return {"swagger": "2.0", "info": {"title": "Kubernetes", "version": KUBE_VERSION["gitVersion"]},
            "paths": paths, "definitions": {}}


def openapi_v2_patch(resource, version):
    gvk = {"group": resource.group, "version": version, "kind": resource.kind}
    return {"x-kubernetes-action": "patch", "x-kubernetes-group-version-kind": gvk,
            "parameters": [{"name": name, "in": "query", "type": "string", "uniqueItems": True}
                           for name in ("dryRun", "fieldManager", "fieldValidation")],
            "responses": {"200": {"description": "OK"}}}


def openapi_v3(state, path):
    """Just enough OpenAPI v3 for kubectl to see that the server validates fields itself
    (the fieldValidation parameter on PATCH); kubectl then skips client-side validation."""
    if path.rstrip("/") == "/openapi/v3":
        paths = {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1"}}
        for group, versions in state.groups().items():
            for version in versions:
                paths[f"apis/{group}/{version}"] = {"serverRelativeURL": f"/openapi/v3/apis/{group}/{version}"}
        return {"paths": paths}
    gv = path[len("/openapi/v3/"):].strip("/")
    group, version = ("", gv[len("api/"):]) if gv.startswith("api/") else tuple(gv[len("apis/"):].rsplit("/", 1))
    resources = state.resources_in(group, version)
    if not resources:
        raise resource_not_found()
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": KUBE_VERSION["gitVersion"]},
            "paths": {openapi_path(r, version): openapi_item(r, version) for r in resources},
            "components": {"schemas": {}}}


def openapi_path(resource, version):
    prefix = f"/apis/{resource.group}/{version}" if resource.group else f"/api/{version}"
    scope = "/namespaces/{namespace}" if resource.namespaced else ""
    return f"{prefix}{scope}/{resource.plural}/{{name}}"


def openapi_item(resource, version):
    gvk = {"group": resource.group, "version": version, "kind": resource.kind}
    return {"patch": {"x-kubernetes-action": "patch", "x-kubernetes-group-version-kind": gvk,
                      "parameters": [{"name": "fieldValidation", "in": "query", "schema": {"type": "string"}}],
                      "responses": {}}}


# ---------------------------------------------------------------- listeners

class ClusterServer:
    """One cluster's listener, which tests can take down, make hang, and bring up again."""

    def __init__(self, name, context):
        self.name, self.context = name, context
        self.state = ClusterState(name)
        self.mode = "up"
        self.mode_changed = threading.Event()
        self.connections = set()
        self.requests = []
        self.lock = threading.Lock()
        self.httpd = None
        self.port = 0
        self.start()

    @property
    def server_url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.httpd = serve(("127.0.0.1", self.port), ApiHandler, cluster=self)
        self.port = self.httpd.server_address[1]

    def track(self, connection, open_):
        with self.lock:
            (self.connections.add if open_ else self.connections.discard)(connection)

    def log_request(self, method, path, query):
        with self.lock:
            self.requests.append({"cluster": self.name, "method": method, "path": path, "query": query})

    def logged_requests(self):
        with self.lock:
            return list(self.requests)

    def set_mode(self, mode):
        with self.lock:
            previous, self.mode = self.mode, mode
            self.mode_changed.set()
            self.mode_changed = threading.Event()
        if mode == "down" and previous != "down":
            self.stop()
        elif mode != "down" and previous == "down":
            self.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        with self.lock:
            connections = list(self.connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(address, handler, **attributes):
    httpd = ThreadingHTTPServer(address, handler)
    httpd.daemon_threads = True
    httpd.block_on_close = False
    for key, value in attributes.items():
        setattr(httpd, key, value)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


class ControlHandler(JsonHandler):
    """The tests' control API; self.server.clusters maps names to ClusterServers."""

    def do_GET(self):
        self.dispatch(lambda: self.route("GET"))

    def do_POST(self):
        self.dispatch(lambda: self.route("POST"))

    def do_DELETE(self):
        self.dispatch(lambda: self.route("DELETE"))

    def route(self, method):
        clusters = self.server.clusters
        parts = [p for p in urlsplit(self.path).path.split("/") if p]
        if method == "GET" and parts == ["clusters"]:
            return self.send_json(200, {name: {"context": c.context, "server": c.server_url, "mode": c.mode}
                                        for name, c in clusters.items()})
        if method == "GET" and parts == ["state"]:
            return self.send_json(200, {name: dump_state(c.state) for name, c in clusters.items()})
        if method == "GET" and parts == ["requests"]:
            return self.send_json(200, [r for c in clusters.values() for r in c.logged_requests()])
        if method == "POST" and parts == ["requests", "clear"]:
            for cluster in clusters.values():
                with cluster.lock:
                    cluster.requests.clear()
            return self.send_json(200, {})
        if len(parts) >= 3 and parts[0] == "clusters":
            if parts[1] not in clusters:
                raise ApiError(404, "NotFound", f'cluster "{parts[1]}" not found')
            return self.route_cluster(method, clusters[parts[1]], parts[2:])
        raise ApiError(404, "NotFound", f"no control route {method} {self.path}")

    def route_cluster(self, method, cluster, parts):
        if method == "POST" and len(parts) == 1 and parts[0] in ("up", "down", "hang"):
            cluster.set_mode(parts[0])
            return self.send_json(200, {"cluster": cluster.name, "mode": parts[0], "server": cluster.server_url})
        if method == "POST" and parts == ["reset"]:
            cluster.state.reset()
            return self.send_json(200, {})
        if method == "POST" and parts == ["objects"]:
            body = self.read_json()
            if not isinstance(body, dict):
                raise bad_request("the body must be a JSON object")
            return self.send_json(200, cluster.state.put_direct(body))
        if method == "DELETE" and parts[0] == "objects" and len(parts) in (3, 4):
            namespace = parts[2] if len(parts) == 4 else None
            cluster.state.delete_direct(parts[1], namespace, parts[-1])
            return self.send_json(200, {})
        raise ApiError(404, "NotFound", f"no control route {method} {self.path}")


def dump_state(state):
    with state.cond:
        return {"/".join(p for p in key if p is not None): copy.deepcopy(obj)
                for key, obj in sorted(state.objects.items(), key=lambda kv: [p or "" for p in kv[0]])}


# ---------------------------------------------------------------- main

def write_kubeconfig(path, clusters):
    config = {
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "clusters": [{"name": c.name, "cluster": {"server": c.server_url}} for c in clusters],
        "users": [{"name": c.name, "user": {"token": token_for(c.name)}} for c in clusters],
        "contexts": [{"name": c.context, "context": {"cluster": c.name, "user": c.name}} for c in clusters],
        "current-context": clusters[0].context,
    }
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=".kubeconfig-", dir=directory)
    with os.fdopen(fd, "w") as out:
        json.dump(config, out, indent=2)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def token_for(cluster):
    return f"emulator-token-{cluster}"


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Emulate Kubernetes API servers for kubectl on loopback.")
    parser.add_argument("--clusters", required=True, help="comma-separated cluster names, e.g. c1,c2,c3")
    parser.add_argument("--kubeconfig", required=True, help="where to write the kubeconfig (JSON)")
    parser.add_argument("--context", action="append", default=[], metavar="NAME=CTX",
                        help="context name of a cluster (default: the cluster name)")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.clusters.split(",") if n.strip()]
    if not names or len(set(names)) != len(names):
        parser.error("--clusters needs distinct cluster names")
    if any("=" not in item for item in args.context):
        parser.error("--context takes NAME=CTX")
    contexts = dict(item.split("=", 1) for item in args.context)
    if set(contexts) - set(names):
        parser.error(f"--context names unknown clusters: {sorted(set(contexts) - set(names))}")
    return names, contexts, args.kubeconfig


def main(argv):
    names, contexts, kubeconfig = parse_args(argv)
    stop = threading.Event()
    # A parent may spawn us from a thread that blocks signals (Dispatch's workers do), and the
    # mask is inherited: unblock the two that stop us, or SIGTERM would stay pending forever.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    clusters = {n: ClusterServer(n, contexts.get(n, n)) for n in names}
    control = serve(("127.0.0.1", 0), ControlHandler, clusters=clusters)
    write_kubeconfig(kubeconfig, list(clusters.values()))
    print(json.dumps({
        "control": f"http://127.0.0.1:{control.server_address[1]}",
        "kubeconfig": os.path.abspath(kubeconfig),
        "clusters": {n: {"context": c.context, "server": c.server_url} for n, c in clusters.items()},
    }), flush=True)
    while not stop.wait(0.5):
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
