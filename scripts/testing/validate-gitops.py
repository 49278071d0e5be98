#!/usr/bin/env python3
"""Checks a GitOps tree written by `meshscript render --gitops` against the controllers' schemas
(gitops-schemas.json, written from Argo CD's, Flux's, External Secrets' and kustomize's public
CRD references). Every YAML object in the tree (Helm values files aside) must be of a known kind
and match its schema; an ApplicationSet is also expanded as Argo CD does for each list element
(its Go template and templatePatch), and each resulting Application is checked. Prints one line
per problem; exits 1 when there is any, 2 when the tools are missing."""
import json, os, re, sys

try:
    import jsonschema, yaml
except ImportError as error:
    print(f"validate-gitops: {error}: run scripts/bootstrap.sh --test", file=sys.stderr)
    sys.exit(2)

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = json.load(open(os.path.join(HERE, "gitops-schemas.json")))
# Kinds the tree holds that no controller schema covers: Kubernetes' and Istio's own.
PLAIN = {"v1/Namespace", "networking.istio.io/v1/Gateway", "networking.istio.io/v1beta1/Gateway",
         "networking.istio.io/v1/VirtualService", "gateway.networking.k8s.io/v1/Gateway"}
ACTION = re.compile(r"\{\{(-?)\s*(.*?)\s*(-?)\}\}", re.S)


def validator(key):
    schema = dict(SCHEMAS[key])
    schema["$defs"] = SCHEMAS["$defs"]
    return jsonschema.Draft202012Validator(schema)


def tokens(text):
    """Text and actions, with `{{-` and `-}}` trimming the whitespace next to them."""
    out, last = [], 0
    for match in ACTION.finditer(text):
        before = text[last:match.start()]
        if match.group(1):
            before = before.rstrip()
        if out and out[-1][0] == "trim":
            out.pop()
            before = before.lstrip()
        out.append(("text", before))
        out.append(("action", match.group(2)))
        if match.group(3):
            out.append(("trim", ""))
        last = match.end()
    tail = text[last:]
    if out and out[-1][0] == "trim":
        out.pop()
        tail = tail.lstrip()
    out.append(("text", tail))
    return out


def render(parts, dot, root):
    """The subset of Go templates the tree uses: {{ .a }}, {{ $.a }}, {{ range .a }}...{{ end }},
    {{ if .a }}...{{ end }} (true for a non-empty value, as Go's template package has it)."""
    out, i = [], 0
    while i < len(parts):
        kind, value = parts[i]
        if kind == "text":
            out.append(value)
        elif value.startswith("range ") or value.startswith("if "):
            depth, j = 1, i + 1
            while depth:
                if parts[j][0] == "action":
                    opens = parts[j][1].startswith("range ") or parts[j][1].startswith("if ")
                    depth += opens - (parts[j][1] == "end")
                j += 1
            keyword, expression = value.split(" ", 1)
            subject = lookup(expression.strip(), dot, root)
            if keyword == "range":
                for item in subject:
                    out.append(render(parts[i + 1:j - 1], item, root))
            elif subject:
                out.append(render(parts[i + 1:j - 1], dot, root))
            i = j
            continue
        else:
            out.append(str(lookup(value, dot, root)))
        i += 1
    return "".join(out)


def lookup(expression, dot, root):
    if re.fullmatch(r"\$?\.[A-Za-z_][A-Za-z0-9_]*", expression) is None:
        raise ValueError(f"template action {{{{ {expression} }}}} is not one this check knows")
    scope = root if expression.startswith("$") else dot
    key = expression.lstrip("$.")
    if key not in scope:
        raise KeyError(f"missingkey=error: '{key}' is not in {sorted(scope)}")
    return scope[key]


def merge(base, patch):
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = merge(base.get(key), value)
        return merged
    return patch


def applications(appset):
    spec = appset["spec"]
    template_text = yaml.safe_dump(spec["template"], sort_keys=False)
    for element in spec["generators"][0]["list"]["elements"]:
        application = yaml.safe_load(render(tokens(template_text), element, element))
        if "templatePatch" in spec:
            application = merge(application, yaml.safe_load(render(tokens(spec["templatePatch"]), element, element)))
        yield element, application


def check(path, problems):
    with open(path) as f:
        documents = [d for d in yaml.safe_load_all(f) if d is not None]
    for document in documents:
        key = f"{document.get('apiVersion')}/{document.get('kind')}"
        if key in PLAIN:
            continue
        if key not in SCHEMAS:
            problems.append(f"{path}: {key} is not a kind the tree should hold")
            continue
        for error in validator(key).iter_errors(document):
            problems.append(f"{path}: {key} {'/'.join(map(str, error.absolute_path))}: {error.message}")
        if document["kind"] == "ApplicationSet":
            try:
                for element, application in applications(document):
                    for error in validator("argoproj.io/v1alpha1/Application").iter_errors(application):
                        problems.append(f"{path}: Application of {element.get('cluster')} {'/'.join(map(str, error.absolute_path))}: {error.message}")
                    print(json.dumps({"cluster": element.get("cluster"), "application": application}))
            except (ValueError, KeyError, yaml.YAMLError) as error:
                problems.append(f"{path}: the ApplicationSet's template does not expand: {error}")


def main(tree):
    problems = []
    for directory, _, files in sorted(os.walk(tree)):
        for name in sorted(files):
            path = os.path.join(directory, name)
            if name.endswith(".yaml") and "/helm/" not in path:
                check(path, problems)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
