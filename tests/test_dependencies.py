"""Declared dependencies are exactly the imported ones, and their lower bounds are tested.

A package imported but not declared arrives by accident through another one (and leaves
the same way); one declared but never imported is weight every user installs for
nothing. ``.ci/min-constraints.txt`` pins each lower bound, for the CI job that runs the
suite at the minimum versions.
"""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
#: Imported only on Pythons where the running one may not have it installed.
CONDITIONAL = {"tomli": "tomli"}
#: Distributions that are one project: pydantic pins its own pydantic-core, whose
#: ``PydanticCustomError`` is how pydantic documents raising a custom error.
SAME_PROJECT = {"pydantic-core": "pydantic"}
#: botocore is boto3's own core (one team, released in step); its exceptions module is
#: where boto3 documents the errors to catch.
SAME_PROJECT["botocore"] = "boto3"
#: Extras a user opts into (``kbsync[s3]``): src may import them, inside the module
#: that needs them only (``test_an_extra_is_imported_by_its_module_alone``).
EXTRAS = ("s3",)
_NAME = re.compile(r"^[A-Za-z0-9_.-]+")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(requirements: list[str]) -> dict[str, str]:
    """Normalised name -> the requirement as written."""
    return {_normal(_NAME.match(req).group(0)): req  # type: ignore[union-attr]
            for req in requirements}


def _third_party_imports(folder: Path) -> set[str]:
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        found |= _third_party_imports_of(path)
    return {name for name in found if name not in ("tests", "bench")
            and name != "_typeshed"}  # type stubs, imported under TYPE_CHECKING only


def _distributions(modules: set[str]) -> set[str]:
    owners = packages_distributions()
    out: set[str] = set()
    for module in modules:
        dists = owners.get(module) or [CONDITIONAL.get(module, f"<unknown: {module}>")]
        out.update(SAME_PROJECT.get(_normal(d), _normal(d)) for d in dists)
    return out


def test_the_runtime_dependencies_are_exactly_what_src_imports() -> None:
    imported = _distributions(_third_party_imports(ROOT / "src" / "kbsync"))
    extras = {name for extra in EXTRAS
              for name in _declared(PROJECT["optional-dependencies"][extra])}
    assert imported - extras == set(_declared(PROJECT["dependencies"]))
    assert extras <= imported  # an extra nothing imports is weight for nothing


def test_an_extra_is_imported_by_its_module_alone() -> None:
    """boto3 loads only when a store is opened: the core install works without it."""
    users = sorted(str(path.relative_to(ROOT / "src")) for path in
                   (ROOT / "src" / "kbsync").rglob("*.py")
                   if _distributions(_third_party_imports_of(path)) & {"boto3"})
    assert users == ["kbsync/assets/s3.py"]


def _third_party_imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"kbsync"}


def test_the_tests_import_only_declared_packages() -> None:
    declared = {*_declared(PROJECT["dependencies"]),
                *_declared(PROJECT["optional-dependencies"]["test"])}
    assert _distributions(_third_party_imports(ROOT / "tests")) <= declared


def test_every_lower_bound_is_pinned_for_the_minimum_versions_job() -> None:
    pins = {}
    for line in (ROOT / ".ci" / "min-constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[_normal(name)] = version.strip()
    bounds = {}
    for name, requirement in _declared(PROJECT["dependencies"]).items():
        if ";" in requirement:
            continue  # for other Pythons only
        match = re.search(r">=\s*([0-9][^,;\s]*)", requirement)
        assert match, f"{requirement}: give it a tested lower bound"
        bounds[name] = match.group(1)
    assert {name: _version(pins.get(name, "")) for name in bounds} == {
        name: _version(version) for name, version in bounds.items()}


def _version(text: str) -> tuple[int, ...]:
    """``3.0`` and ``3.0.0`` are one version."""
    parts = [int(part) for part in text.split(".") if part.isdigit()]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)
