"""doctor's checkup: does a live tenant match our wire contract?

Most of the Help Center API is our reconstruction, so the first user with a real token
needs one command that says, field by field, where the assumption holds and where it does
not. The checkup reads the token's tenant, then every endpoint of ``wire.RESOURCES``
once (lists: one object) and asks ``OPTIONS`` where the server answers it, and compares
both with the contract tables in ``wire.py`` (what a server's answers mean, and how
they are typed, is ``remote/conformance.py``).

It only reads (GET and OPTIONS): it is safe against a production tenant. Each finding
goes to ``report`` as it is made (a slow tenant shows progress); :func:`checkup`
returns the verdict. ``kbsync doctor`` prints both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kbsync.errors import AuthError, ContractError, ForbiddenError, RemoteError
from kbsync.remote import conformance, wire
from kbsync.remote.client import HelpCenterClient
from kbsync.words import plural

__all__ = ["BAD", "NOTE", "OK", "Verdict", "checkup", "compare_metadata", "compare_value",
           "describe", "search_probe"]

Report = Callable[[str], None]

OK = "✓"
BAD = "✗"
NOTE = "·"
#: Searched for when the tenant has no article whose title could serve as the query.
FALLBACK_QUERY = "help"
#: How many differences the verdict names before "…".
VERDICT_NAMES = 5


@dataclass(frozen=True)
class Verdict:
    """How the checkup ended: whether the tenant matches, and the closing lines."""

    matches: bool
    lines: tuple[str, ...]


def checkup(client: HelpCenterClient, report: Report) -> Verdict:
    """Check the tenant against the contract, each finding to ``report``."""
    doctor = _Doctor(client, report)
    try:
        reached, organization = doctor.check_tenant()
        if not reached:
            return Verdict(False, ())
        samples: dict[str, Any] = {wire.ORGANIZATION.name: organization}
        for resource in wire.RESOURCES:
            doctor.check_resource(resource, samples)
    except AuthError as exc:
        return Verdict(False, (f"{BAD} {exc}",
                               "doctor: the token was rejected; set INITDESK_TOKEN to a "
                               "valid token"))
    return Verdict(not doctor.differences, (doctor.verdict(),))


@dataclass
class _Doctor:
    """The running tally of one doctor run: what matched, what differed, what was unseen."""

    client: HelpCenterClient
    emit: Report
    differences: list[str] = field(default_factory=list)
    endpoints: int = 0
    fields_checked: int = 0
    fields_unchecked: int = 0

    # --- token and tenant ---------------------------------------------------------------

    def check_tenant(self) -> tuple[bool, dict[str, Any] | None]:
        """Read the organization: (False, None) after a fatal problem, else (True, object)."""
        org = self.client.organization_id
        path = wire.ORGANIZATION.at(org)
        try:
            data = self.client.get_json(path)
        except ForbiddenError as exc:
            self.emit(f"{BAD} {exc}")
            self.emit("doctor: the token is not allowed for this organization")
            return False, None
        except AuthError:
            raise
        except RemoteError as exc:
            self.emit(f"{BAD} cannot read organization {org}: {exc}")
            self.emit("doctor: could not reach the tenant; nothing else was checked")
            return False, None
        sample = data if isinstance(data, dict) else None
        try:
            found = wire.organization_from_wire(data)
        except ContractError as exc:
            self.differ("tenant", f"{BAD} tenant: {exc}")
            return True, sample
        self.emit(f"{OK} token accepted for organization {found.id} {found.name!r} "
                  f"(public id {found.public_id!r})")
        if found.id != org:
            self.differ("tenant", f"{BAD} tenant: asked for organization {org}, the server "
                                  f"answered organization {found.id}")
        return True, sample

    # --- one endpoint ---------------------------------------------------------------------

    def check_resource(self, resource: wire.Resource, samples: dict[str, Any]) -> None:
        """Read one object of ``resource`` and its OPTIONS; compare both with the contract."""
        self.endpoints += 1
        path = resource.at(self.client.organization_id)
        self.emit(f"{resource.name}: {path}")
        try:
            sample = samples[resource.name] if resource.name in samples else self.sample(
                resource, path, samples)
        except AuthError:
            raise
        except RemoteError as exc:
            self.differ(f"{resource.name} (read)", f"{BAD} {resource.name}: {exc}")
            sample = None
        else:
            samples[resource.name] = sample
        metadata = self.options(resource, path)
        if sample is None and metadata is None:
            self.emit(f"  {NOTE} {resource.name}: nothing to compare (no object, no OPTIONS "
                      "metadata)")
        for spec in resource.fields:
            self.check_field(resource, spec, sample, metadata)
        self.report_extras(resource, sample, metadata)

    def sample(self, resource: wire.Resource, path: str, samples: Mapping[str, Any]) -> Any:
        """The first object the endpoint answers, or None for an empty list."""
        if resource is wire.ARTICLE_SEARCH:
            data = self.client.get_page(path, search_probe(samples.get(wire.ARTICLE.name)))
        elif resource.paginated:  # a 'next' link paging would refuse is a difference
            data = self.client.get_page(path, conformance.probe_params())
        else:
            data = self.client.get_json(path)
        if resource.paginated or isinstance(data, list) or resource is wire.COLLECTION_TREE:
            items, _ = wire.page_from_wire(data, resource.name)
            data = items[0] if items else None
            if data is None:
                self.emit(f"  {NOTE} {resource.name}: no objects to compare; OPTIONS only")
                return None
        if not isinstance(data, dict):
            raise ContractError(f"expected a JSON object, got {conformance.json_type(data)}")
        return data

    def options(self, resource: wire.Resource, path: str) -> conformance.OptionsMetadata | None:
        """The endpoint's OPTIONS field metadata, None when it gives none."""
        try:
            answer = self.client.options(path)
        except AuthError:
            raise
        except RemoteError as exc:
            self.emit(f"  {NOTE} {resource.name}: OPTIONS failed ({exc})")
            return None
        if answer is None:
            self.emit(f"  {NOTE} {resource.name}: OPTIONS not answered")
            return None
        metadata = conformance.options_from_wire(answer)
        if metadata is None:
            self.emit(f"  {NOTE} {resource.name}: OPTIONS gives no field metadata")
        return metadata

    # --- one field ------------------------------------------------------------------------

    def check_field(
        self,
        resource: wire.Resource,
        spec: wire.WireField,
        sample: Any,
        metadata: conformance.OptionsMetadata | None,
    ) -> None:
        """One line per field: ✓ with what was checked, or one ✗ line per difference."""
        name = f"{resource.name}.{spec.name}"
        problems: list[str] = []
        notes: list[str] = []
        checked: list[str] = []
        if sample is not None:
            problems += compare_value(spec, sample)
            checked.append("value")
        if metadata is not None:
            found, meta_notes = compare_metadata(spec, metadata)
            problems += found
            notes += meta_notes
            checked.append(f"OPTIONS {metadata.method}")
        if not checked:
            self.fields_unchecked += 1
            return
        self.fields_checked += 1
        for problem in problems:
            self.differ(name, f"  {BAD} {name}: {problem}")
        if not problems:
            self.emit(f"  {OK} {name} {describe(spec)} ({', '.join(checked)})")
        for note in notes:
            self.emit(f"  {NOTE} {name}: {note}")

    def report_extras(
        self, resource: wire.Resource, sample: Any, metadata: conformance.OptionsMetadata | None
    ) -> None:
        """Fields the server has and the contract does not: harmless, since reads ignore them."""
        known = {spec.name for spec in resource.fields}
        extra = set(sample) - known if isinstance(sample, dict) else set()
        for name in sorted(extra):
            self.emit(f"  {NOTE} {resource.name}.{name}: extra (ignored)")
        if metadata is not None:
            for name in sorted(set(metadata.fields) - known - extra):
                self.emit(f"  {NOTE} {resource.name}.{name}: extra in OPTIONS (ignored)")

    def differ(self, label: str, line: str) -> None:
        self.differences.append(label)
        self.emit(line)

    # --- verdict ----------------------------------------------------------------------------

    def verdict(self) -> str:
        """One line: matches (with counts) or the number and names of the differences."""
        if self.differences:
            count = len(self.differences)
            where = list(dict.fromkeys(self.differences))  # each field named once
            names = ", ".join(where[:VERDICT_NAMES])
            more = ", …" if len(where) > VERDICT_NAMES else ""
            return f"doctor: {plural(count, 'difference')} — {names}{more}"
        line = (f"doctor: the tenant matches the contract ({plural(self.endpoints, 'endpoint')}, "
                f"{plural(self.fields_checked, 'field')})")
        if self.fields_unchecked:
            line += (f"; {plural(self.fields_unchecked, 'field')} not checked: no objects to "
                     "compare")
        return line


def compare_value(spec: wire.WireField, sample: Mapping[str, Any]) -> list[str]:
    """Differences between one returned object's field and the contract."""
    if spec.name not in sample:
        return [f"missing (contract says {spec.type})"]
    value = sample[spec.name]
    if value is None:
        return [] if spec.nullable else [f"contract says {spec.type}, server sent null"]
    if conformance.value_matches(value, spec.type):
        return []
    actual = conformance.json_type(value)
    if spec.type == "datetime" and actual == "string":
        actual = "string (not an ISO datetime)"
    return [f"contract says {spec.type}, server says {actual}"]


def compare_metadata(
    spec: wire.WireField, metadata: conformance.OptionsMetadata
) -> tuple[list[str], list[str]]:
    """(differences, notes) between OPTIONS field metadata and the contract.

    ``required`` is compared for POST only: it is what a create needs, while a PUT's
    metadata (the portal singleton) describes an update, where kbsync sends every
    writable field anyway. A limit only one side states is a note, not a difference:
    it cannot make a request kbsync sends fail in a way the contract predicts.
    """
    meta = metadata.fields.get(spec.name)
    if meta is None:
        if spec.writable:
            return [f"not in the OPTIONS {metadata.method} metadata (contract says writable)"], []
        return [], [f"not in the OPTIONS {metadata.method} metadata"]
    problems: list[str] = []
    notes: list[str] = []
    if meta.type is not None and meta.type not in conformance.OPTIONS_TYPES.get(spec.type, ()):
        problems.append(f"contract says {spec.type}, OPTIONS says {meta.type}")
    if meta.read_only is not None and meta.read_only == spec.writable:
        contract = "writable" if spec.writable else "read-only"
        server = "read-only" if meta.read_only else "writable"
        problems.append(f"contract says {contract}, OPTIONS says {server}")
    if metadata.method == "POST" and meta.required is not None and not meta.read_only \
            and meta.required != spec.required:
        contract = "required" if spec.required else "optional"
        server = "required" if meta.required else "optional"
        problems.append(f"contract says {contract}, OPTIONS says {server}")
    if spec.max_length is not None and meta.max_length is not None:
        if spec.max_length != meta.max_length:
            problems.append(f"contract says at most {spec.max_length} characters, OPTIONS "
                            f"says {meta.max_length}")
    elif meta.max_length is not None:
        notes.append(f"OPTIONS says at most {meta.max_length} characters (contract: no limit)")
    elif spec.max_length is not None and meta.type in ("string", None):
        notes.append(f"OPTIONS states no limit (contract: at most {spec.max_length})")
    return problems, notes


def describe(spec: wire.WireField) -> str:
    """The contract's view of a field, as shown after a ✓: type and flags."""
    parts: list[str] = [spec.type]
    if spec.nullable:
        parts.append("nullable")
    if spec.writable:
        parts.append("writable")
    if spec.required:
        parts.append("required")
    if spec.max_length is not None:
        parts.append(f"≤{spec.max_length}")
    return " ".join(parts)


def search_probe(article: Any) -> dict[str, str]:
    """Search parameters likely to find something and harmless either way.

    A word of a known article's title (with that article's status, since search lists
    only published ones by default) finds it; without one, a common word.
    """
    query, status = FALLBACK_QUERY, None
    if isinstance(article, dict):
        try:
            found = wire.article_from_wire(article)
        except ContractError:
            found = None
        if found is not None:
            words = [w for w in found.fields.title.split() if len(w) >= 3 and w.isalnum()]
            if words:
                query, status = words[0], found.fields.status
    return conformance.probe_params(query=query, status=status)
