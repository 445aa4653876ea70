"""Parse YAML with PyYAML's safe loader into ``Node`` trees that remember each value's line.

What it refuses, each as a located problem rather than an exception: syntax errors, YAML
aliases and anchors (no dossier file needs them, and they are how "billion laughs" bombs
work), nesting deeper than ``MAX_DEPTH``, non-text mapping keys and duplicate keys (PyYAML
would silently keep the last one). It does not judge types or required keys: that is
``validate``'s job.
"""

from __future__ import annotations

import yaml

from build_scripts.model import Node, Problem

MAX_DEPTH = 20
# libyaml's C parser when PyYAML was built with it (about ten times faster), else Python's.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# libyaml's emitter too: about ten times faster than PyYAML's, and what it writes loads back
# to the same values (tests/unit/test_render.py).
SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump(data: object) -> str:
    """``data`` as block YAML: keys sorted, Unicode kept, no line folding."""
    return yaml.dump(data, Dumper=SafeDumper, allow_unicode=True, sort_keys=True, width=10_000)


_STR = "tag:yaml.org,2002:str"


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


# Up to this size, a text without "&" or "*" (no anchor, no alias) goes straight to PyYAML's
# composer: it nests at most this deep (each level takes a character), which the composer's
# recursion takes in its stride, and ``_convert`` refuses what is deeper than ``MAX_DEPTH``.
# A longer text is first scanned event by event (``_scan_events``), as is any with "&" or "*".
COMPOSE_AT_ONCE = 4096


def parse_yaml(text: str, path: str, first_line: int = 1) -> tuple[Node | None, list[Problem]]:
    """Parse one YAML document. ``first_line`` is the file line of the text's first line."""
    offset = first_line - 1
    problems: list[Problem] = []
    constructor = None
    try:
        if len(text) > COMPOSE_AT_ONCE or "&" in text or "*" in text:
            _scan_events(text)
        root = yaml.compose(text, Loader=SafeLoader)
        if root is None:
            return None, []
        constructor = yaml.SafeLoader("")
        node = _convert(root, constructor, path, offset, problems, 1)
    except _Refused as refused:
        return None, [Problem(path, refused.line + offset, refused.message)]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = (mark.line + 1 if mark else 1) + offset
        what = error.problem or error.context or "invalid YAML"
        return None, [Problem(path, line, f"invalid YAML: {what}")]
    except yaml.YAMLError as error:  # reader errors: control characters and the like
        return None, [Problem(path, first_line, f"invalid YAML: {error}")]
    finally:
        if constructor is not None:
            # Break the loader's cycles (its state is one of its own methods; it keeps the
            # nodes it constructed): freed at once, not left to the cycle collector, which the
            # site build pauses while it loads (publish._long_lived_objects).
            constructor.constructed_objects.clear()
            constructor.dispose()
    return node, problems


def _scan_events(text: str) -> None:
    """Refuse aliases and deep nesting before PyYAML's recursive composer sees them."""
    depth = 0
    for event in yaml.parse(text, Loader=SafeLoader):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(line, "YAML anchors and aliases (&name, *name) are not allowed")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise _Refused(line, f"YAML nested deeper than {MAX_DEPTH} levels")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _convert(
    node: yaml.Node,
    constructor: yaml.SafeLoader,
    path: str,
    offset: int,
    problems: list[Problem],
    depth: int,
) -> Node:
    """``node`` as a ``Node`` tree; ``depth`` is how many collections hold it, itself included
    if it is one. Raises ``_Refused`` past ``MAX_DEPTH`` (at the line ``_scan_events`` gives)."""
    line = node.start_mark.line + 1 + offset
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and depth > MAX_DEPTH:
        raise _Refused(line - offset, f"YAML nested deeper than {MAX_DEPTH} levels")
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1 + offset
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(path, key_line, "a mapping key must be plain text"))
                continue
            key = key_node.value
            if key in result:
                first = result[key].line
                problems.append(
                    Problem(path, key_line, f"duplicate key '{key}' (first given on line {first})")
                )
                continue
            converted = _convert(value_node, constructor, path, offset, problems, depth + 1)
            # A key's line is where the key stands, which is what a person looks for.
            result[key] = Node(converted.value, key_line, converted.tag, converted.raw)
        return Node(result, line, "map")
    if isinstance(node, yaml.SequenceNode):
        items = [
            _convert(item, constructor, path, offset, problems, depth + 1) for item in node.value
        ]
        return Node(items, line, "seq")
    if node.tag == _STR:
        value = node.value  # what the constructor makes of text, without its dispatch
    else:
        try:
            value = constructor.construct_object(node, deep=True)
        except (ValueError, yaml.YAMLError):
            value = node.value  # an impossible timestamp such as 2020-02-30: keep the text
    tag = node.tag.rsplit(":", 1)[-1]
    if node.style in ("'", '"', "|", ">"):
        tag = "str"  # quoted or block scalars are always text
    return Node(value, line, tag, node.value)
