"""The examples in docs/ run: every ```python block with a >>> prompt is a doctest."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
PAGES = sorted(
    p for p in [REPO / "README.md", *DOCS.rglob("*.md")] if ">>>" in p.read_text(encoding="utf-8")
)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_doc_examples_run(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    source = "\n".join(block for block in BLOCK.findall(text) if ">>>" in block)
    parser = doctest.DocTestParser()
    test = parser.get_doctest(source, {}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} example(s) failed in {page}"
